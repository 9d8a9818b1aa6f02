from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import HelpdeskCase


@tagged("post_install", "-at_install")
class TestCannedResponses(HttpCase, HelpdeskCase):
    """Canned responses ("::" in the composer) with placeholders for
    customer, ticket number and institution, filled in when inserted."""

    def test_german_demo_set_covers_the_common_cases(self):
        responses = self.env["mail.canned.response"].search([("source", "in", ["passwort", "screenshot", "update"])])
        self.assertEqual(len(responses), 3)
        text = " ".join(responses.mapped("substitution"))
        for words in ("Passwort vergessen", "Screenshot", "Update auf Version"):
            self.assertIn(words, text)
        helpdesk = self.env.ref("stueber_helpdesk.group_stueber_helpdesk_user")
        self.assertTrue(all(helpdesk in r.group_ids for r in responses), "shared with the helpdesk")

    def test_placeholder_values_name_customer_ticket_and_institution(self):
        values = self.env["mail.canned.response"].with_user(self.agent).stueber_placeholder_values(self.ticket_a.id)
        self.assertEqual(values["kunde"], "teacher_a")
        self.assertEqual(values["customer"], "teacher_a")
        self.assertEqual(values["ticketnummer"], f"#{self.ticket_a.number}")
        self.assertEqual(values["einrichtung"], "Grundschule am See")

    def test_employee_without_helpdesk_rights_cannot_read_a_ticket_through_placeholders(self):
        with self.assertRaises(AccessError):
            self.env["mail.canned.response"].with_user(self.employee).stueber_placeholder_values(self.ticket_a.id)

    def test_portal_user_cannot_read_another_institutions_ticket_through_placeholders(self):
        with self.assertRaises(AccessError):
            self.env["mail.canned.response"].with_user(self.teacher_b).stueber_placeholder_values(self.ticket_a.id)

    def test_tour_agent_inserts_a_canned_response_with_placeholders_filled_in(self):
        self.env["res.lang"]._activate_lang("en_US")  # the test database runs in German only
        self.agent.lang = "en_US"
        self.start_tour(
            f"/odoo/stueber.helpdesk.ticket/{self.ticket_a.id}",
            "stueber_helpdesk_canned_response_tour",
            login=self.agent.login,
        )
        answer = self.ticket_a.message_ids.filtered(lambda m: "Screenshot" in (m.body or ""))
        self.assertEqual(len(answer), 1)
        self.assertIn("Guten Tag teacher_a", answer.body)
        self.assertIn(f"#{self.ticket_a.number}", answer.body)
        self.assertNotIn("{kunde}", answer.body)
