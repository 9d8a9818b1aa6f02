from odoo.tests import tagged
from odoo.tools import mute_logger

from .mail_common import HelpdeskMailCase


@tagged("post_install", "-at_install")
class TestMailGateway(HelpdeskMailCase):
    """Raw mails from real clients through ``message_process``: what becomes
    a ticket, what threads onto which ticket, what goes to Unassigned mail."""

    def new_ticket(self, fixture, replace=None):
        ticket_id = self.process_fixture(fixture, replace)
        self.assertTrue(ticket_id, f"{fixture} made no ticket")
        return self.env["stueber.helpdesk.ticket"].browse(ticket_id)

    def customer_messages(self, ticket):
        return ticket.message_ids.filtered(lambda m: m.message_type == "email")

    def assertReceipt(self, ticket):
        receipts = self.sent_to(ticket.partner_id)
        self.assertEqual(len(receipts), 1, "exactly one receipt")
        self.assertEqual(receipts[0]["subject"], f"[Ticket#{ticket.number}] {ticket.name}")
        self.assertEqual(receipts[0]["headers"].get("Auto-Submitted"), "auto-generated")
        return receipts[0]

    # ------------------------------------------------------------
    # New tickets
    # ------------------------------------------------------------

    def test_plain_text_mail_of_confirmed_customer_creates_ticket_with_receipt(self):
        ticket = self.new_ticket("plain_text.eml")
        self.assertEqual(ticket.name, "Drucker im Lehrerzimmer druckt nur leere Seiten")
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.institution_id, self.school_a)
        self.assertIn("seit heute früh druckt der Drucker", self.customer_messages(ticket).body)
        receipt = self.assertReceipt(ticket)
        self.assertIn(ticket._stueber_link_url(ticket.partner_id), receipt["body"].replace("&amp;", "&"))
        self.assertIn(self.support_email, receipt["reply_to"])
        self.assertFalse(self.unassigned())

    def test_support_address_is_set_in_the_settings(self):
        self.env["res.config.settings"].create({"stueber_helpdesk_alias_name": "hilfe"}).execute()
        self.assertEqual(self.alias.alias_full_name, f"hilfe@{self.alias_domain}")
        ticket = self.new_ticket("plain_text.eml", {self.support_email: self.alias.alias_full_name})
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)

    def test_sender_address_is_compared_normalised(self):
        ticket = self.new_ticket(
            "plain_text.eml", {"teacher_a <teacher_a@school-a.example>": '"Anna" <Teacher_A@School-A.Example>'}
        )
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)

    def test_html_only_mail_is_sanitised(self):
        ticket = self.new_ticket("html_only.eml")
        body = self.customer_messages(ticket).body
        self.assertIn("<b>Beamer</b>", body)
        self.assertIn("Grüße", body)
        self.assertNotIn("<script", body)
        self.assertNotIn("javascript:", body)
        self.assertNotIn("onclick", body)

    def test_attachments_and_inline_image_are_kept(self):
        ticket = self.new_ticket("attachments_inline.eml")
        message = self.customer_messages(ticket)
        self.assertEqual(sorted(message.attachment_ids.mapped("name")), ["protokoll.pdf", "screenshot.png"])
        image = message.attachment_ids.filtered(lambda a: a.name == "screenshot.png")
        self.assertIn(f"/web/image/{image.id}", message.body, "the inline image points to its attachment")

    def test_encoded_german_subject_is_decoded(self):
        ticket = self.new_ticket("encoded_subject.eml")
        self.assertEqual(ticket.name, "Störung: Kein Zugriff auf die Schülerdaten \u2013 dringend")
        self.assertIn("können wir die Schülerdaten nicht mehr öffnen", self.customer_messages(ticket).body)

    def test_iso_8859_1_body_is_decoded(self):
        ticket = self.new_ticket("iso_8859_1.eml")
        self.assertEqual(ticket.name, "Zeugnisse für Klasse 4b")
        self.assertIn("Außerdem fehlen die Noten", self.customer_messages(ticket).body)

    def test_windows_1252_body_is_decoded(self):
        ticket = self.new_ticket("windows_1252.eml")
        body = self.customer_messages(ticket).body
        self.assertIn("49,90 € ist doppelt gekommen \u2013 \u201ebitte prüfen\u201c", body)

    def test_forwarded_mail_of_customer_becomes_ticket(self):
        ticket = self.new_ticket("forwarded_wg.eml")
        self.assertEqual(ticket.name, "WG: Lizenz läuft ab")
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertReceipt(ticket)

    # ------------------------------------------------------------
    # Unknown senders
    # ------------------------------------------------------------

    def test_unknown_sender_creates_no_ticket_and_mail_is_kept(self):
        count = self.env["stueber.helpdesk.ticket"].search_count([])
        result = self.process_fixture("plain_text.eml", {"teacher_a@school-a.example": "someone@unknown.example"})
        self.assertFalse(result)
        self.assertEqual(self.env["stueber.helpdesk.ticket"].search_count([]), count)
        kept = self.unassigned()
        self.assertEqual(kept.reason, "unknown_sender")
        self.assertEqual(kept.subject, "Drucker im Lehrerzimmer druckt nur leere Seiten")
        self.assertFalse(any("[Ticket#" in (mail["subject"] or "") for mail in self._mails), "no receipt")

    def test_unconfirmed_sender_creates_no_ticket_and_mail_is_kept(self):
        self.teacher_a.partner_id.sudo().stueber_confirmed_email = False
        result = self.process_fixture("plain_text.eml")
        self.assertFalse(result)
        self.assertEqual(self.unassigned().reason, "unconfirmed_sender")

    # ------------------------------------------------------------
    # Threading
    # ------------------------------------------------------------

    def test_outlook_aw_reply_with_token_lands_on_ticket(self):
        result = self.process_fixture("outlook_aw_reply.eml", {"@@NUMBER@@": self.ticket_a.number})
        self.assertEqual(result, self.ticket_a.id)
        self.assertIn("nur schwarz-weiß", self.customer_messages(self.ticket_a).body)
        self.assertFalse(self.sent_to(self.teacher_a.partner_id), "a reply gets no receipt")

    def test_token_is_found_behind_any_prefix_case_and_spacing(self):
        number = self.ticket_a.number
        for index, subject in enumerate(
            [
                f"Re: [Ticket#{number}] Drucker druckt nicht",
                f"SV: WG: Fwd: [ticket # {number} ] Drucker",
                f"AW:AW: [TICKET#{number}]",
                f"re: Antwort [ Ticket#{number}]",
            ]
        ):
            with self.subTest(subject=subject):
                result = self.process_fixture(
                    "outlook_aw_reply.eml",
                    {
                        "AW: [Ticket#@@NUMBER@@] Drucker druckt nicht\nThread-Topic": f"{subject}\nThread-Topic",
                        "AM0PR01MB1234567890ABCDEF": f"AM0PR01MB{index}",
                    },
                )
                self.assertEqual(result, self.ticket_a.id)

    def test_reply_with_in_reply_to_lands_on_ticket_without_token(self):
        receipt = self.ticket_a.message_post(body="Wir kümmern uns.", message_type="comment")
        result = self.process_fixture("thunderbird_re_reply.eml", {"@@IN_REPLY_TO@@": receipt.message_id})
        self.assertEqual(result, self.ticket_a.id)
        self.assertIn("Drucker im Sekretariat", self.customer_messages(self.ticket_a).body)

    def staff_answer(self, ticket):
        return ticket.with_user(self.agent).message_post(
            body="Wir kümmern uns.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def reply_by_headers(self, answer, sender):
        """secretary_a's Thunderbird reply to ``answer`` (In-Reply-To), sent by ``sender``."""
        return self.process_fixture(
            "thunderbird_re_reply.eml",
            {"@@IN_REPLY_TO@@": answer.message_id, "secretary_a <secretary_a@school-a.example>": sender},
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_reply_by_message_id_of_other_institutions_customer_is_kept_not_posted(self):
        """A Message-Id is no key: it travels in forwards and copies."""
        answer = self.staff_answer(self.ticket_a)
        self.close(self.ticket_a)
        before = self.ticket_a.message_ids
        result = self.reply_by_headers(answer, "teacher_b <teacher_b@school-b.example>")
        self.assertFalse(result)
        self.assertEqual(self.ticket_a.message_ids, before, "nothing posted")
        self.assertTrue(self.ticket_a.is_closed, "not reopened")
        kept = self.unassigned()
        self.assertEqual(kept.reason, "foreign_reply")
        self.assertFalse(kept.reply_date, "a registered customer is not asked to register")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_reply_by_message_id_of_stranger_is_kept_and_answered_with_hint(self):
        answer = self.staff_answer(self.ticket_a)
        result = self.reply_by_headers(answer, "Max <max@stranger.example>")
        self.assertFalse(result)
        self.assertEqual(self.unassigned().reason, "unknown_sender")

    def test_reply_by_message_id_of_follower_contact_without_account_reopens_ticket(self):
        caretaker = self.env["res.partner"].create({"name": "Hausmeister", "email": "hausmeister@school-a.example"})
        self.ticket_a.message_subscribe(partner_ids=caretaker.ids)
        answer = self.staff_answer(self.ticket_a)
        self.close(self.ticket_a)
        result = self.reply_by_headers(answer, "Hausmeister <hausmeister@school-a.example>")
        self.assertEqual(result, self.ticket_a.id)
        self.assertFalse(self.ticket_a.is_closed)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_follow_up_is_never_filed_in_the_customers_name_for_an_unconfirmed_sender(self):
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.reopen_on_reply", False)
        caretaker = self.env["res.partner"].create({"name": "Hausmeister", "email": "hausmeister@school-a.example"})
        self.ticket_a.message_subscribe(partner_ids=caretaker.ids)
        answer = self.staff_answer(self.ticket_a)
        self.close(self.ticket_a)
        count = self.env["stueber.helpdesk.ticket"].search_count([])
        result = self.reply_by_headers(answer, "Hausmeister <hausmeister@school-a.example>")
        self.assertFalse(result)
        self.assertEqual(self.env["stueber.helpdesk.ticket"].search_count([]), count, "no follow-up ticket")
        self.assertEqual(self.unassigned().reason, "unknown_sender")

    def test_reply_by_message_id_of_an_address_in_copy_lands_on_ticket(self):
        """The customer put their IT provider in copy; the provider answers all."""
        self.ticket_a.email_cc = '"IT Dienstleister" <it@dienstleister.example>'
        answer = self.staff_answer(self.ticket_a)
        result = self.reply_by_headers(answer, "IT Dienstleister <it@dienstleister.example>")
        self.assertEqual(result, self.ticket_a.id)

    def test_customer_without_account_replying_to_closed_ticket_gets_follow_up(self):
        """A caller filed by staff answers a status mail; reopening is off."""
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.reopen_on_reply", False)
        caller = self.env["res.partner"].create({"name": "Hausmeister", "email": "hausmeister@school-a.example"})
        ticket = self.env["stueber.helpdesk.ticket"].create({"name": "Heizung", "partner_id": caller.id})
        answer = self.staff_answer(ticket)
        self.close(ticket)
        followup = self.env["stueber.helpdesk.ticket"].browse(
            self.reply_by_headers(answer, "Hausmeister <hausmeister@school-a.example>")
        )
        self.assertEqual(followup.followup_of_id, ticket)
        self.assertEqual(followup.partner_id, caller)

    def test_verified_member_of_institution_may_reply_by_token(self):
        raw_from = "teacher_a <teacher_a@school-a.example>"
        result = self.process_fixture(
            "outlook_aw_reply.eml",
            {"@@NUMBER@@": self.ticket_a.number, raw_from: "secretary_a <secretary_a@school-a.example>"},
        )
        self.assertEqual(result, self.ticket_a.id)

    def test_staff_may_reply_by_token(self):
        raw_from = "teacher_a <teacher_a@school-a.example>"
        # staff mail counts once the operator's mail server vouches for its sender
        authenticated = "agent <agent@vendor.example>\nAuthentication-Results: mx.vendor.example; dmarc=pass"
        result = self.process_fixture(
            "outlook_aw_reply.eml", {"@@NUMBER@@": self.ticket_a.number, raw_from: authenticated}
        )
        self.assertEqual(result, self.ticket_a.id)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_foreign_token_from_stranger_is_kept_not_posted(self):
        before = self.ticket_a.message_ids
        result = self.process_fixture("foreign_token_stranger.eml", {"@@NUMBER@@": self.ticket_a.number})
        self.assertFalse(result)
        self.assertEqual(self.ticket_a.message_ids, before, "nothing posted on the token's ticket")
        kept = self.unassigned()
        self.assertEqual(kept.reason, "foreign_token")
        self.assertEqual(kept.email_normalized, "max@stranger.example")

    def test_foreign_token_from_other_institution_opens_own_ticket(self):
        before = self.ticket_a.message_ids
        ticket = self.new_ticket("foreign_token_other_institution.eml", {"@@NUMBER@@": self.ticket_a.number})
        self.assertNotEqual(ticket, self.ticket_a)
        self.assertEqual(self.ticket_a.message_ids, before, "nothing posted on the token's ticket")
        self.assertEqual(ticket.partner_id, self.teacher_b.partner_id)
        self.assertEqual(ticket.institution_id, self.school_b)
        self.assertEqual(ticket.name, "Fwd: Drucker druckt nicht", "the other ticket's token is dropped")
        self.assertReceipt(ticket)

    def test_pending_member_cannot_reply_to_institution_ticket_by_token(self):
        raw_from = "teacher_a <teacher_a@school-a.example>"
        result = self.process_fixture(
            "outlook_aw_reply.eml",
            {"@@NUMBER@@": self.ticket_a.number, raw_from: "newcomer_a <newcomer_a@school-a.example>"},
        )
        self.assertNotEqual(result, self.ticket_a.id)

    # ------------------------------------------------------------
    # Closed tickets
    # ------------------------------------------------------------

    def close(self, ticket):
        ticket.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
        self.flush_tracking()

    def test_reply_to_closed_ticket_reopens_it(self):
        self.close(self.ticket_a)
        result = self.process_fixture("outlook_aw_reply.eml", {"@@NUMBER@@": self.ticket_a.number})
        self.assertEqual(result, self.ticket_a.id)
        self.assertFalse(self.ticket_a.is_closed)
        self.assertEqual(self.ticket_a.stage_id, self.env.ref("stueber_helpdesk.stage_in_progress"))

    def test_reply_to_closed_ticket_opens_follow_up_when_reopening_is_off(self):
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.reopen_on_reply", False)
        self.close(self.ticket_a)
        followup = self.new_ticket("outlook_aw_reply.eml", {"@@NUMBER@@": self.ticket_a.number})
        self.assertNotEqual(followup, self.ticket_a)
        self.assertEqual(followup.followup_of_id, self.ticket_a)
        self.assertIn(f"follow-up ticket {followup.number}", self.ticket_a.message_ids[0].body)
        self.assertIn(f"closed ticket {self.ticket_a.number}", "".join(followup.message_ids.mapped("body")))
        self.assertEqual(followup.partner_id, self.teacher_a.partner_id)
        self.assertTrue(self.ticket_a.is_closed)
        self.assertReceipt(followup)

    def test_vacation_reply_neither_reopens_nor_gets_a_receipt(self):
        self.close(self.ticket_a)
        result = self.process_fixture("vacation_autoreply.eml", {"@@NUMBER@@": self.ticket_a.number})
        self.assertEqual(result, self.ticket_a.id)
        self.assertTrue(self.ticket_a.is_closed)
        self.assertFalse(self._mails)

    def test_automatic_mail_of_customer_creates_ticket_without_receipt(self):
        ticket = self.new_ticket("vacation_autoreply.eml", {"[Ticket#@@NUMBER@@] ": ""})
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertFalse(self._mails)

    # ------------------------------------------------------------
    # Bounces
    # ------------------------------------------------------------

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_bounce_is_noted_on_ticket_and_contact_and_creates_nothing(self):
        with self.mock_mail_gateway():
            notice = self.ticket_a.message_post(
                body="Bitte prüfen Sie den Toner.", message_type="comment", partner_ids=self.teacher_a.partner_id.ids
            )
        count = self.env["stueber.helpdesk.ticket"].search_count([])
        result = self.process_fixture(
            "bounce_dsn.eml", {"@@NUMBER@@": self.ticket_a.number, "@@BOUNCED_MESSAGE_ID@@": notice.message_id}
        )
        self.assertFalse(result)
        self.assertEqual(self.env["stueber.helpdesk.ticket"].search_count([]), count)
        self.assertFalse(self.unassigned())
        self.assertFalse(self._mails, "a bounce is never answered")
        self.assertIn("could not be delivered", self.ticket_a.message_ids[0].body)
        self.assertEqual(self.teacher_a.partner_id.message_bounce, 1)
