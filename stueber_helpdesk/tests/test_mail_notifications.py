import email
import email.policy

from odoo.tests import TransactionCase, tagged

from ..tools.mail_loop import is_automatic_message
from .mail_common import HelpdeskMailCase


@tagged("post_install", "-at_install")
class TestMailNotifications(HelpdeskMailCase):
    """What customers receive: one receipt per ticket, one status mail per
    stage change, staff answers with the token subject, never notes."""

    def setUp(self):
        super().setUp()
        self.stage_in_progress = self.env.ref("stueber_helpdesk.stage_in_progress")
        self.teacher_a.partner_id.lang = "de_DE"

    def create_ticket(self, user, **values):
        with self.mock_mail_gateway():
            ticket = self.env["stueber.helpdesk.ticket"].with_user(user).create({"name": "Tafel flackert", **values})
            self.send_queue()
        return ticket.sudo()

    def assertOneReceipt(self, ticket):
        receipts = self.sent_to(ticket.partner_id)
        self.assertEqual(len(receipts), 1, "exactly one mail, the receipt")
        receipt = receipts[0]
        self.assertEqual(receipt["subject"], f"[Ticket#{ticket.number}] Tafel flackert")
        self.assertEqual(receipt["headers"].get("Auto-Submitted"), "auto-generated")
        # the customer's own link, not the shared token (see test_trust_links)
        self.assertIn(ticket._stueber_link_url(ticket.partner_id), receipt["body"].replace("&amp;", "&"))
        self.assertNotIn(ticket.access_token, receipt["body"])
        self.assertIn(ticket.number, receipt["body"])
        self.assertIn(self.support_email, receipt["reply_to"])
        return receipt

    def test_portal_ticket_sends_one_receipt_in_customer_language(self):
        ticket = self.create_ticket(self.teacher_a)
        self.assertEqual(ticket.channel, "portal")
        self.assertOneReceipt(ticket)
        template = self.env.ref("stueber_helpdesk.mail_template_ticket_receipt")
        self.assertEqual(template._render_lang(ticket.ids)[ticket.id], "de_DE")

    def test_staff_ticket_for_customer_sends_one_receipt(self):
        ticket = self.create_ticket(self.agent, partner_id=self.teacher_a.partner_id.id)
        self.assertOneReceipt(ticket)
        self.assertIn(self.teacher_a.partner_id, ticket.message_partner_ids, "the customer follows the ticket")

    def test_ticket_without_customer_sends_no_receipt(self):
        self.create_ticket(self.agent)
        self.assertFalse([mail for mail in self._mails if "[Ticket#" in mail["subject"]])

    def test_stage_change_mails_customer_and_portal_followers_once(self):
        ticket = self.create_ticket(self.agent, partner_id=self.teacher_a.partner_id.id)
        ticket.message_subscribe(partner_ids=self.secretary_a.partner_id.ids)
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).stage_id = self.stage_in_progress
            self.send_queue()
        for partner in (self.teacher_a.partner_id, self.secretary_a.partner_id):
            mails = self.sent_to(partner)
            self.assertEqual(len(mails), 1, partner.name)
            status = self.stage_in_progress.with_context(lang="de_DE").customer_status  # the customer's language
            self.assertEqual(mails[0]["subject"], f"[Ticket#{ticket.number}] Tafel flackert: {status}")
            self.assertEqual(mails[0]["headers"].get("Auto-Submitted"), "auto-generated")

    def test_assignment_change_sends_nothing_to_customer(self):
        ticket = self.create_ticket(self.agent, partner_id=self.teacher_a.partner_id.id)
        with self.mock_mail_gateway():
            ticket.with_user(self.manager).user_id = self.agent
            self.send_queue()
        self.assertFalse(self.sent_to(self.teacher_a.partner_id))
        notices = self.sent_to(self.agent.partner_id)
        self.assertEqual(len(notices), 1, "the agent learns of the assignment")
        self.assertEqual(notices[0]["headers"].get("Auto-Submitted"), "auto-generated")

    def test_staff_message_reaches_customer_with_token_subject_and_attachments(self):
        ticket = self.create_ticket(self.agent, partner_id=self.teacher_a.partner_id.id)
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Bitte starten Sie die Tafel neu.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachments=[("anleitung.txt", b"Neustart: Knopf 5 Sekunden halten")],
            )
            self.send_queue()
        mails = self.sent_to(self.teacher_a.partner_id)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails[0]["subject"], f"[Ticket#{ticket.number}] Tafel flackert")
        self.assertEqual([attachment[0] for attachment in mails[0]["attachments"]], ["anleitung.txt"])
        self.assertIn(self.support_email, mails[0]["reply_to"])
        self.assertNotIn("Auto-Submitted", mails[0]["headers"], "a person wrote it")

    def test_internal_note_never_reaches_customer(self):
        ticket = self.create_ticket(self.agent, partner_id=self.teacher_a.partner_id.id)
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Kunde ist ungeduldig.", message_type="comment", subtype_xmlid="mail.mt_note"
            )
            self.send_queue()
        self.assertFalse(self.sent_to(self.teacher_a.partner_id))


@tagged("post_install", "-at_install")
class TestMailLoop(TransactionCase):
    """``mail_loop.is_automatic_message``: which mail no automatic mail may answer."""

    HEAD = "From: Anna <anna@school.example>\nTo: support@vendor.example\nSubject: Hallo\n"

    def parse(self, headers="", sender=None):
        head = self.HEAD.replace("anna@school.example", sender) if sender else self.HEAD
        return email.message_from_string(f"{head}{headers}\nText\n", policy=email.policy.SMTP)

    def test_mail_of_a_person_is_not_automatic(self):
        self.assertFalse(is_automatic_message(self.parse()))
        self.assertFalse(is_automatic_message(self.parse("Auto-Submitted: no\n")))
        self.assertFalse(is_automatic_message(self.parse("Precedence: first-class\n")))

    def test_robot_headers_are_automatic(self):
        for headers in (
            "Auto-Submitted: auto-replied\n",
            "Auto-Submitted: auto-generated; owner-email=x@y\n",
            "Precedence: bulk\n",
            "Precedence: junk\n",
            "Precedence: list\n",
            "X-Autoreply: yes\n",
            "X-Autorespond: Out of office\n",
            "X-Auto-Response-Suppress: All\n",
            "List-Id: <staff.school.example>\n",
            "Return-Path: <>\n",
            "X-Odoo-Objects: stueber.helpdesk.ticket-1\n",
            "X-Stueber-Helpdesk-Auto: 1\n",
        ):
            with self.subTest(headers=headers):
                self.assertTrue(is_automatic_message(self.parse(headers)))

    def test_robot_senders_are_automatic(self):
        for sender in ("MAILER-DAEMON@mx.example", "postmaster@school.example", "no-reply@x.example", "noreply@x.de"):
            with self.subTest(sender=sender):
                self.assertTrue(is_automatic_message(self.parse(sender=sender)))
                self.assertTrue(is_automatic_message({"email_from": sender}))

    def test_our_own_addresses_are_automatic(self):
        message = self.parse(sender="support@vendor.example")
        self.assertTrue(is_automatic_message(message, own_addresses={"support@vendor.example"}))
        self.assertFalse(is_automatic_message(message))
        self.assertTrue(self.env["mail.thread"]._stueber_is_automatic_message(self.parse(sender="MAILER-DAEMON@x")))
