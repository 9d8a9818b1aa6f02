from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

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


@tagged("post_install", "-at_install")
class TestTeamCannedResponses(HelpdeskCase):
    """A team shares canned responses through its own group: its agents see
    them under "::", other agents do not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_agent = new_test_user(
            cls.env, "other_agent", groups="stueber_helpdesk.group_stueber_helpdesk_user", email="other@vendor.example"
        )
        cls.team = cls.env["stueber.helpdesk.team"].create(
            {"name": "Schulträger", "member_ids": [Command.set(cls.agent.ids)], "lead_id": cls.manager.id}
        )
        cls.response = (
            cls.env["mail.canned.response"]
            .with_user(cls.manager)  # the lead writes it for the team
            .create(
                {
                    "source": "traeger",
                    "substitution": "Bitte wenden Sie sich an Ihren Schulträger.",
                    "group_ids": [Command.set(cls.team.canned_response_group_id.ids)],
                }
            )
        )

    def visible_to(self, user):
        return self.env["mail.canned.response"].with_user(user).search([("source", "=", "traeger")])

    def test_team_members_and_lead_see_the_teams_canned_response(self):
        self.assertEqual(self.team.canned_response_group_id.user_ids, self.agent | self.manager)
        self.assertEqual(self.visible_to(self.agent), self.response)
        self.assertTrue(self.response.is_shared)

    def test_agent_of_another_team_cannot_see_the_teams_canned_response(self):
        self.assertFalse(self.visible_to(self.other_agent))

    def test_archived_team_shares_nothing(self):
        self.team.active = False
        self.assertFalse(self.visible_to(self.agent))

    def test_agent_leaving_the_team_loses_its_canned_responses(self):
        self.team.member_ids = [Command.set(self.other_agent.ids)]
        self.assertFalse(self.visible_to(self.agent))
        self.assertEqual(self.visible_to(self.other_agent), self.response)
        self.assertNotIn(self.agent, self.team.canned_response_group_id.user_ids)

    def test_team_group_grants_no_helpdesk_rights(self):
        employee_team = self.env["stueber.helpdesk.team"].create({"name": "Vertrieb"})
        employee_team.canned_response_group_id.user_ids = [Command.link(self.employee.id)]
        self.assertFalse(self.env["stueber.helpdesk.ticket"].with_user(self.employee).has_access("read"))
