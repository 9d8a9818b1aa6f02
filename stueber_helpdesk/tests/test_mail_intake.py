import email
import email.policy

from odoo.tests import tagged

from ..models.stueber_helpdesk_mail_intake import FOLLOWUP, KEEP, NEW, POST, REOPEN
from ..tools.ticket_token import find_number, format_token, strip_tokens
from .mail_common import FIXTURES, HelpdeskMailCase


@tagged("post_install", "-at_install")
class TestMailIntake(HelpdeskMailCase):
    """One decision per mail (``stueber.helpdesk.mail.intake``): what it
    says for each kind of mail, that deciding changes nothing, and that its
    effects follow the customer's own message."""

    def parse(self, fixture, replace=None):
        raw = (FIXTURES / fixture).read_bytes()
        for old, new in (replace or {}).items():
            raw = raw.replace(old.encode(), new.encode())
        message = email.message_from_bytes(raw, policy=email.policy.SMTP)
        return message, self.env["mail.thread"].message_parse(message)

    def decide(self, fixture, replace=None):
        """The decision about a fixture mail, as ``message_route`` takes it."""
        message, msg_dict = self.parse(fixture, replace)
        routes = self.env["mail.thread"].message_route(message, msg_dict)
        self.assertEqual(len(routes), 1)
        return routes[0].decision

    def close(self, ticket):
        ticket.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
        self.flush_tracking()

    # ------------------------------------------------------------
    # The decision
    # ------------------------------------------------------------

    def test_new_mail_of_confirmed_customer_is_decided_a_new_ticket_in_their_name(self):
        decision = self.decide("plain_text.eml")
        self.assertEqual(decision.action, NEW)
        self.assertEqual(decision.author, self.teacher_a.partner_id)
        self.assertFalse(decision.automatic)
        self.assertFalse(decision.staff)

    def test_reply_with_token_is_decided_a_post_on_its_ticket(self):
        decision = self.decide("outlook_aw_reply.eml", {"@@NUMBER@@": self.ticket_a.number})
        self.assertEqual((decision.action, decision.ticket), (POST, self.ticket_a))

    def test_reply_to_closed_ticket_is_decided_reopen_or_follow_up(self):
        self.close(self.ticket_a)
        replace = {"@@NUMBER@@": self.ticket_a.number}
        self.assertEqual(self.decide("outlook_aw_reply.eml", replace).action, REOPEN)
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.reopen_on_reply", False)
        decision = self.decide("outlook_aw_reply.eml", replace)
        self.assertEqual((decision.action, decision.ticket), (FOLLOWUP, self.ticket_a))

    def test_vacation_notice_on_closed_ticket_is_decided_automatic_post(self):
        self.close(self.ticket_a)
        decision = self.decide("vacation_autoreply.eml", {"@@NUMBER@@": self.ticket_a.number})
        self.assertEqual(decision.action, POST)
        self.assertTrue(decision.automatic)

    def test_deciding_about_a_strangers_mail_keeps_nothing_and_mails_nobody(self):
        """Routing has no side effects: the mail is kept when it is processed."""
        decision = self.decide("foreign_token_stranger.eml", {"@@NUMBER@@": self.ticket_a.number})
        self.assertEqual((decision.action, decision.reason), (KEEP, "foreign_token"))
        self.assertFalse(self.unassigned())
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "stueber.helpdesk.unassigned.mail")]))

    # ------------------------------------------------------------
    # The effects
    # ------------------------------------------------------------

    def test_receipt_of_a_mail_ticket_follows_the_customers_mail(self):
        ticket = self.env["stueber.helpdesk.ticket"].browse(self.process_fixture("plain_text.eml"))
        customer_mail = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        receipt = ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(receipt), 1)
        self.assertGreater(receipt.id, customer_mail.id, "the receipt comes after the customer's mail")
        self.assertEqual(len(self.sent_to(self.teacher_a.partner_id)), 1)

    def test_ticket_staff_make_from_unassigned_mail_gets_one_receipt_after_the_mail(self):
        self.process_fixture("plain_text.eml", {"teacher_a@school-a.example": "someone@unknown.example"})
        kept = self.unassigned()
        with self.mock_mail_gateway():
            ticket = kept._create_ticket(self.teacher_a.partner_id, kept.subject)
            self.send_queue()
        customer_mail = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        receipt = ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(receipt), 1)
        self.assertGreater(receipt.id, customer_mail.id)
        self.assertEqual(len(self.sent_to(self.teacher_a.partner_id)), 1)

    def test_mail_to_two_ticket_addresses_gives_each_ticket_its_own_receipt(self):
        """Each route's decision acts on its own ticket, not on the last one processed."""
        self.env["mail.alias"].create(
            {
                "alias_name": "hilfe",
                "alias_domain_id": self.mail_alias_domain.id,
                "alias_model_id": self.env["ir.model"]._get_id("stueber.helpdesk.ticket"),
                "alias_contact": "everyone",
            }
        )
        self.process_fixture(
            "plain_text.eml",
            {"To: support@test.mycompany.com": "To: support@test.mycompany.com, hilfe@test.mycompany.com"},
        )
        tickets = self.env["stueber.helpdesk.ticket"].search([("partner_id", "=", self.teacher_a.partner_id.id)])
        tickets = tickets.filtered(lambda t: t.channel == "email")
        self.assertEqual(len(tickets), 2)
        for ticket in tickets:
            self.assertEqual(len(ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")), 1)
            self.assertEqual(len(ticket.message_ids.filtered(lambda m: m.message_type == "email")), 1)

    def test_mail_from_an_address_that_bounced_resets_its_bounce_count(self):
        """Odoo's reset, with the bounce-counting models looked up once per registry."""
        self.teacher_a.partner_id.message_bounce = 3
        self.process_fixture("plain_text.eml")
        self.assertEqual(self.teacher_a.partner_id.message_bounce, 0)

    def test_mail_addresses_in_copy_do_not_become_recipients_of_the_ticket_message(self):
        ticket = self.env["stueber.helpdesk.ticket"].browse(
            self.process_fixture(
                "plain_text.eml",
                {"To: support@test.mycompany.com": "To: support@test.mycompany.com\nCc: secretary_a@school-a.example"},
            )
        )
        customer_mail = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertFalse(customer_mail.partner_ids)


@tagged("post_install", "-at_install")
class TestTicketToken(HelpdeskMailCase):
    """The ``[Ticket#N]`` token: written in one place, read back by the gateway."""

    def test_token_is_written_and_read_in_one_format(self):
        self.assertEqual(self.ticket_a.subject_token, format_token(self.ticket_a.number))
        self.assertEqual(find_number(f"AW: {self.ticket_a.subject_token} Drucker"), self.ticket_a.number)
        self.assertEqual(strip_tokens(f"Fwd: {self.ticket_a.subject_token}  Drucker"), "Fwd: Drucker")
        self.assertIsNone(find_number("Drucker druckt nicht"))

    def test_receipt_and_staff_answers_carry_the_token(self):
        with self.mock_mail_gateway():
            ticket = self.env["stueber.helpdesk.ticket"].create(
                {"name": "Tafel flackert", "partner_id": self.teacher_a.partner_id.id}
            )
            self.send_queue()
        receipt = self.sent_to(self.teacher_a.partner_id)[0]
        self.assertEqual(receipt["subject"], f"{ticket.subject_token} Tafel flackert")
        self.assertIn(ticket.subject_token, receipt["body"])
        self.assertEqual(ticket._message_compute_subject(), f"{ticket.subject_token} Tafel flackert")
