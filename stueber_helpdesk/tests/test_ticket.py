from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HelpdeskCase


@tagged("post_install", "-at_install")
class TestTicket(HelpdeskCase):
    def test_new_ticket_gets_a_unique_readable_number(self):
        numbers = (self.ticket_a | self.ticket_b | self.ticket_newcomer).mapped("number")
        self.assertEqual(len(set(numbers)), 3)
        for number in numbers:
            self.assertRegex(number, r"^\d{5,}$")
        self.assertEqual(self.ticket_a.display_name, f"#{self.ticket_a.number} Drucker druckt nicht")

    def test_ticket_number_is_not_copied(self):
        copy = self.ticket_a.copy()
        self.assertNotEqual(copy.number, self.ticket_a.number)
        self.assertEqual(copy.name, "Drucker druckt nicht (copy)")

    def test_institution_comes_from_verified_membership_only(self):
        self.assertEqual(self.ticket_a.institution_id, self.school_a)
        self.assertEqual(self.ticket_b.institution_id, self.school_b)
        self.assertFalse(self.ticket_newcomer.institution_id, "a pending member's ticket belongs to no institution")

    def test_ticket_starts_new_and_closing_sets_closed_date(self):
        self.assertEqual(self.ticket_a.stage_id, self.env.ref("stueber_helpdesk.stage_new"))
        self.assertFalse(self.ticket_a.is_closed)
        self.ticket_a.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
        self.assertTrue(self.ticket_a.is_closed)
        self.assertTrue(self.ticket_a.closed_date)
        self.ticket_a.stage_id = self.env.ref("stueber_helpdesk.stage_in_progress")
        self.assertFalse(self.ticket_a.closed_date)

    def test_customer_sees_customer_status_name(self):
        self.assertEqual(self.ticket_a.customer_status, "Received")

    def test_customer_number_is_stored_normalised_and_unique(self):
        school = self.env["stueber.helpdesk.institution"].create({"name": "VHS", "customer_number": " ab 12 3 "})
        self.assertEqual(school.customer_number, "AB123")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["stueber.helpdesk.institution"].create({"name": "VHS 2", "customer_number": "Ab123"})

    def test_agent_assigns_ticket_to_self(self):
        self.ticket_a.with_user(self.agent).action_assign_to_me()
        self.assertEqual(self.ticket_a.user_id, self.agent)

    def test_agent_logs_a_phone_call_in_the_chatter(self):
        self.ticket_a.callback_requested = True
        ticket = self.ticket_a.with_user(self.agent)
        wizard = (
            self.env["stueber.helpdesk.call.log"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "outcome": "Treiber neu installiert, geht wieder."})
        )
        self.assertEqual(wizard.partner_id, self.teacher_a.partner_id)
        wizard.action_log()
        note = ticket.message_ids[0]
        self.assertIn("Treiber neu installiert", note.body)
        self.assertTrue(note.subtype_id.internal, "a call log is an internal note, not a mail to the customer")
        self.assertFalse(ticket.callback_requested)
