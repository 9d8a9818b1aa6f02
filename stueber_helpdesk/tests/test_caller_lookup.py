from odoo.tests import HttpCase, tagged

from .common import HelpdeskCase


@tagged("post_install", "-at_install")
class TestCallerLookup(HelpdeskCase):
    """ "Who is calling?": numbers in any German format find the caller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.teacher_a.partner_id.phone = "+49 431 777 9911"
        # stored as someone typed it: national, without country code
        cls.secretary_a.partner_id.phone = "0431 / 777 99 01"
        cls.school_a.phone = "+49 431 777 9900"
        cls.ticket_a.callback_requested = True

    def lookup(self, number):
        return self.env["stueber.helpdesk.caller.lookup"].with_user(self.agent).create({"phone": number})

    def test_three_german_formats_find_the_same_caller(self):
        for number in ("0431 777-9911", "+49 (0)431 7779911", "0049 431 777 99 11"):
            with self.subTest(number=number):
                wizard = self.lookup(number)
                self.assertEqual(wizard.phone_normalized, "+494317779911")
                self.assertEqual(wizard.partner_id, self.teacher_a.partner_id)
                self.assertEqual(wizard.institution_ids, self.school_a)
                self.assertIn(self.ticket_a, wizard.open_ticket_ids)

    def test_number_stored_without_country_code_is_found_by_international_format(self):
        wizard = self.lookup("+49 431 7779901")
        self.assertEqual(wizard.partner_id, self.secretary_a.partner_id)

    def test_institution_office_number_shows_the_institution_and_its_open_tickets(self):
        wizard = self.lookup("(0431) 777 9900")
        self.assertFalse(wizard.partner_id, "the office number is no person")
        self.assertEqual(wizard.institution_ids, self.school_a)
        self.assertEqual(wizard.institution_id, self.school_a)
        self.assertIn(self.ticket_a, wizard.open_ticket_ids)
        self.assertNotIn(self.ticket_b, wizard.open_ticket_ids)

    def test_unknown_or_invalid_number_finds_nobody(self):
        self.assertFalse(self.lookup("0431 999 9999").partner_ids)
        self.assertFalse(self.lookup("12").phone_normalized)

    def test_open_ticket_in_one_step_with_the_call_logged(self):
        wizard = self.lookup("0431 777-9911")
        wizard.write({"name": "Beamer zeigt kein Bild", "outcome": "Kabel geprüft, Beamer defekt."})
        ticket = self.env["stueber.helpdesk.ticket"].browse(wizard.action_create_ticket()["res_id"])
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(ticket.institution_id, self.school_a)
        self.assertEqual(ticket.channel, "phone")
        call = ticket.message_ids.filtered(lambda m: m.subtype_id == self.env.ref("stueber_helpdesk.mt_ticket_call"))
        self.assertEqual(len(call), 1)
        self.assertIn("Beamer defekt", call.body)
        self.assertTrue(call.subtype_id.internal, "a call is staff's record, not a mail to the customer")

    def test_logging_the_call_on_an_open_ticket_clears_the_callback_request(self):
        wizard = self.lookup("0431 777-9911")
        wizard.write({"ticket_id": self.ticket_a.id, "outcome": "Zurückgerufen."})
        wizard.action_log_on_ticket()
        self.assertFalse(self.ticket_a.callback_requested)
        self.assertEqual(self.ticket_a.message_ids[0].subtype_id, self.env.ref("stueber_helpdesk.mt_ticket_call"))

    def test_tickets_are_found_by_the_callers_number_in_any_format(self):
        Ticket = self.env["stueber.helpdesk.ticket"].with_user(self.agent)
        for number in ("0431-7779911", "+49 431 777 9911", "0049431 7779911"):
            with self.subTest(number=number):
                found = Ticket.search([("stueber_caller_phone", "=", number)])
                self.assertIn(self.ticket_a, found)
                self.assertNotIn(self.ticket_b, found)


@tagged("post_install", "-at_install")
class TestCallerLookupTour(HttpCase, HelpdeskCase):
    def test_tour_agent_finds_the_caller_and_opens_a_ticket(self):
        self.teacher_a.partner_id.phone = "+49 431 777 9911"
        self.env["res.lang"]._activate_lang("en_US")  # the test database runs in German only
        self.agent.lang = "en_US"
        self.start_tour("/odoo/helpdesk-tickets", "stueber_helpdesk_caller_tour", login=self.agent.login)
        ticket = self.env["stueber.helpdesk.ticket"].search([("name", "=", "Tour: WLAN im Lehrerzimmer")])
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(ticket.channel, "phone")
        self.assertTrue(ticket.message_ids.filtered(lambda m: m.subtype_id.name == "Phone Call"))
