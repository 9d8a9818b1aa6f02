from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .mail_common import HelpdeskMailCase

STRANGER = "Fritz Fremd <Fritz.Fremd@Elsewhere.example>"

# An unknown sender's mail with a PDF: the kind of mail that must not be lost.
STRANGER_MAIL = """\
Return-Path: <fritz.fremd@elsewhere.example>
From: {sender}
To: support@test.mycompany.com
Subject: =?utf-8?q?Beamer_im_Raum_12_zeigt_kein_Bild?=
Date: Tue, 24 Nov 2026 09:30:00 +0100
Message-ID: <{message_id}@elsewhere.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Guten Tag,

der Beamer in Raum 12 zeigt seit gestern kein Bild mehr.

Grüße
Fritz Fremd
--b1
Content-Type: application/pdf; name="fehlerbild.pdf"
Content-Disposition: attachment; filename="fehlerbild.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCg==
--b1--
"""

# A vacation notice from an unknown address (RFC 3834 headers).
VACATION_MAIL = """\
From: Fritz Fremd <fritz.fremd@elsewhere.example>
To: support@test.mycompany.com
Subject: Abwesenheitsnotiz: Ihre Anfrage
Date: Tue, 24 Nov 2026 09:31:00 +0100
Message-ID: <vacation-1@elsewhere.example>
Auto-Submitted: auto-replied
X-Autoreply: yes
Content-Type: text/plain; charset=utf-8

Ich bin bis zum 30.11. nicht im Haus.
"""

# Declares a charset no codec knows: Odoo's parser raises LookupError on it.
UNPARSABLE_MAIL = b"""\
From: Teacher A <teacher_a@school-a.example>
To: support@test.mycompany.com
Subject: Kaputte Kodierung
Date: Tue, 24 Nov 2026 10:00:00 +0100
Message-ID: <broken-charset-1@school-a.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="x-no-such-charset"
Content-Transfer-Encoding: 8bit

Gr\xfc\xdfe aus der Schule
"""

# Addressed to no alias of this database: Odoo finds no route for it.
UNROUTABLE_MAIL = """\
From: Teacher A <teacher_a@school-a.example>
To: nobody@elsewhere.example
Subject: Irrläufer
Date: Tue, 24 Nov 2026 10:05:00 +0100
Message-ID: <unroutable-1@school-a.example>
Content-Type: text/plain; charset=utf-8

Diese Mail gehört nirgendwohin.
"""

CUSTOMER_MAIL = """\
From: teacher_a <teacher_a@school-a.example>
To: support@test.mycompany.com
Subject: Neues Passwort für die Schulverwaltung
Date: Tue, 24 Nov 2026 10:10:00 +0100
Message-ID: <after-broken-1@school-a.example>
Content-Type: text/plain; charset=utf-8

Bitte setzen Sie mein Passwort zurück.
"""


@tagged("post_install", "-at_install")
class TestUnassignedMail(HelpdeskMailCase):
    """Section 5 of the mail issue: mail from unknown or unconfirmed senders
    and mail the gateway fails on are kept, answered politely once a day,
    and staff turn them into tickets."""

    def process(self, raw, model=None):
        with self.mock_mail_gateway():
            result = self.env["mail.thread"].message_process(model, raw)
        return result

    def stranger_mail(self, message_id="stranger-1", sender=STRANGER):
        return STRANGER_MAIL.format(message_id=message_id, sender=sender)

    def mail_messages(self, ticket):
        return ticket.message_ids.filtered(lambda message: message.message_type == "email")

    def hints(self):
        """The queued "please register" replies."""
        return self.env["mail.mail"].search([("model", "=", "stueber.helpdesk.unassigned.mail")])

    # ------------------------------------------------------------
    # Keeping
    # ------------------------------------------------------------

    def test_unknown_sender_mail_is_kept_with_original_and_attachments(self):
        raw = self.stranger_mail()
        self.assertFalse(self.process(raw))
        kept = self.unassigned()
        self.assertEqual(len(kept), 1)
        self.assertEqual(kept.reason, "unknown_sender")
        self.assertEqual(kept.state, "new")
        self.assertEqual(kept.email_normalized, "fritz.fremd@elsewhere.example")
        self.assertEqual(kept.subject, "Beamer im Raum 12 zeigt kein Bild")
        self.assertEqual(kept.date, fields.Datetime.to_datetime("2026-11-24 08:30:00"))
        self.assertIn("zeigt seit gestern kein Bild", kept.body)
        self.assertEqual(kept.attachment_ids.mapped("name"), ["fehlerbild.pdf"])
        self.assertTrue(kept.attachment_ids.raw.startswith(b"%PDF-1.4"))
        self.assertEqual(kept.eml_attachment_id.mimetype, "message/rfc822")
        self.assertEqual(kept.eml_attachment_id.raw, raw.encode())

    def test_same_mail_delivered_twice_is_kept_once(self):
        self.process(self.stranger_mail())
        self.process(self.stranger_mail())
        self.assertEqual(len(self.unassigned()), 1)
        self.assertEqual(len(self.hints()), 1)

    # ------------------------------------------------------------
    # The polite reply
    # ------------------------------------------------------------

    def test_unknown_sender_gets_registration_hint_with_signup_link(self):
        self.process(self.stranger_mail())
        kept = self.unassigned()
        hint = self.hints()
        self.assertEqual(len(hint), 1)
        self.assertEqual(hint.email_to, kept.email_from)
        self.assertIn("/web/signup", hint.body_html)
        self.assertEqual(hint.references, "<stranger-1@elsewhere.example>")
        self.assertTrue(kept.reply_date)
        with self.mock_mail_gateway():
            hint.send()
        sent = self._mails[0]
        self.assertEqual(sent["email_to"], ['"Fritz Fremd" <fritz.fremd@elsewhere.example>'])
        self.assertEqual(sent["headers"]["Auto-Submitted"], "auto-replied")
        self.assertEqual(sent["headers"]["In-Reply-To"], "<stranger-1@elsewhere.example>")

    def test_sender_gets_at_most_one_hint_a_day(self):
        self.process(self.stranger_mail("stranger-1"))
        # same address, other spelling: compared normalised
        self.process(self.stranger_mail("stranger-2", sender="fritz.fremd@ELSEWHERE.example"))
        self.assertEqual(len(self.unassigned()), 2)
        self.assertEqual(len(self.hints()), 1)
        first = self.unassigned().filtered("reply_date")
        first.reply_date = fields.Datetime.now() - timedelta(hours=25)
        self.process(self.stranger_mail("stranger-3"))
        self.assertEqual(len(self.hints()), 2, "a day later the sender is answered again")

    def test_unconfirmed_sender_is_asked_to_confirm_not_to_register(self):
        self.teacher_a.partner_id.sudo().stueber_confirmed_email = False
        self.process(self.stranger_mail(sender="teacher_a <teacher_a@school-a.example>"))
        kept = self.unassigned()
        self.assertEqual(kept.reason, "unconfirmed_sender")
        self.assertEqual(kept.partner_id, self.teacher_a.partner_id)
        hint = self.hints()
        self.assertIn("/web/login", hint.body_html, "the log-in link, to have the confirmation sent again")
        self.assertNotIn("/web/signup", hint.body_html)

    def test_vacation_notice_gets_no_hint(self):
        self.process(VACATION_MAIL)
        self.assertFalse(self.hints())

    def test_no_reply_postmaster_and_our_own_addresses_get_no_hint(self):
        senders = (
            "no-reply@elsewhere.example",
            "Postmaster <postmaster@elsewhere.example>",
            self.mail_alias_domain.default_from_email,
        )
        for index, sender in enumerate(senders):
            self.process(self.stranger_mail(f"robot-{index}", sender=sender))
        self.assertEqual(len(self.unassigned()), 3, "kept all the same")
        self.assertFalse(self.hints())

    # ------------------------------------------------------------
    # Failures
    # ------------------------------------------------------------

    @mute_logger(
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_mail_guard",
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_unassigned_mail",
    )
    def test_mail_that_fails_to_parse_is_kept_with_error(self):
        self.assertFalse(self.process(UNPARSABLE_MAIL))
        kept = self.unassigned()
        self.assertEqual(kept.reason, "error")
        self.assertIn("LookupError", kept.error)
        self.assertEqual(kept.subject, "Kaputte Kodierung")
        self.assertEqual(kept.email_normalized, "teacher_a@school-a.example")
        self.assertEqual(kept.message_id, "<broken-charset-1@school-a.example>")
        self.assertEqual(kept.eml_attachment_id.raw, UNPARSABLE_MAIL, "the original, byte for byte")
        self.assertFalse(self.hints(), "an error is not the sender's fault")

    @mute_logger("odoo.addons.stueber_helpdesk.models.stueber_helpdesk_mail_guard")
    def test_mail_that_fails_to_process_is_kept_with_error(self):
        self.assertFalse(self.process(UNROUTABLE_MAIL))
        kept = self.unassigned()
        self.assertEqual(kept.reason, "error")
        self.assertIn("No possible route", kept.error)
        self.assertIn("gehört nirgendwohin", kept.body)

    @mute_logger(
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_mail_guard",
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_unassigned_mail",
    )
    def test_failing_mail_does_not_block_the_next_one(self):
        self.process(UNPARSABLE_MAIL)
        self.process(UNROUTABLE_MAIL)
        ticket_id = self.process(CUSTOMER_MAIL)
        self.assertTrue(ticket_id)
        ticket = self.env["stueber.helpdesk.ticket"].browse(ticket_id)
        self.assertEqual(ticket.name, "Neues Passwort für die Schulverwaltung")
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(sorted(self.unassigned().mapped("reason")), ["error", "error"])

    # ------------------------------------------------------------
    # Staff actions
    # ------------------------------------------------------------

    def assign(self, kept, **values):
        action = kept.with_user(self.agent).with_context(assign_mode=values.pop("mode")).action_open_assign()
        with Form(self.env[action["res_model"]].with_user(self.agent).with_context(**action["context"])) as wizard:
            for name, value in values.items():
                setattr(wizard, name, value)
        return wizard.record.action_confirm()

    def test_staff_creates_ticket_for_chosen_contact(self):
        self.process(self.stranger_mail())
        kept = self.unassigned()
        action = self.assign(kept, mode="new", partner_id=self.teacher_b.partner_id)
        ticket = self.env["stueber.helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.partner_id, self.teacher_b.partner_id)
        self.assertEqual(ticket.institution_id, self.school_b)
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.name, "Beamer im Raum 12 zeigt kein Bild")
        first = self.mail_messages(ticket)
        self.assertEqual(len(first), 1)
        self.assertEqual(first.email_from, kept.email_from)
        self.assertEqual(first.message_id, "<stranger-1@elsewhere.example>")
        self.assertIn("zeigt seit gestern kein Bild", first.body)
        self.assertEqual(first.attachment_ids.mapped("name"), ["fehlerbild.pdf"])
        self.assertEqual((kept.state, kept.ticket_id), ("done", ticket))

    def test_staff_attaches_mail_to_existing_ticket_as_message_from_sender(self):
        self.process(self.stranger_mail())
        kept = self.unassigned()
        self.assign(kept, mode="existing", ticket_id=self.ticket_a)
        message = self.mail_messages(self.ticket_a)
        self.assertEqual(message.email_from, kept.email_from)
        self.assertFalse(message.author_id, "the stranger has no contact")
        self.assertIn("zeigt seit gestern kein Bild", message.body)
        self.assertEqual(message.attachment_ids.mapped("name"), ["fehlerbild.pdf"])
        self.assertEqual((kept.state, kept.ticket_id), ("done", self.ticket_a))
        self.assertNotIn(
            "fritz.fremd@elsewhere.example",
            self.ticket_a.message_partner_ids.mapped("email_normalized"),
            "attaching a mail gives its sender no access to the ticket",
        )

    def test_reply_to_the_original_mail_lands_on_the_ticket_made_from_it(self):
        self.process(self.stranger_mail())
        action = self.assign(self.unassigned(), mode="new", partner_id=self.teacher_a.partner_id)
        reply = CUSTOMER_MAIL.replace(
            "Message-ID: <after-broken-1@school-a.example>",
            "Message-ID: <reply-2@school-a.example>\nIn-Reply-To: <stranger-1@elsewhere.example>",
        )
        self.assertEqual(self.process(reply), action["res_id"])

    @mute_logger(
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_mail_guard",
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_unassigned_mail",
    )
    def test_unparsable_mail_becomes_ticket_with_its_original_attached(self):
        self.process(UNPARSABLE_MAIL)
        action = self.assign(self.unassigned(), mode="new", partner_id=self.teacher_a.partner_id)
        ticket = self.env["stueber.helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.name, "Kaputte Kodierung")
        self.assertEqual(self.mail_messages(ticket).attachment_ids.mapped("name"), ["original.eml"])

    def test_staff_discards_and_restores_mail(self):
        self.process(self.stranger_mail())
        kept = self.unassigned().with_user(self.agent)
        kept.action_discard()
        self.assertEqual(kept.state, "discarded")
        kept.action_reset()
        self.assertEqual(kept.state, "new")

    # ------------------------------------------------------------
    # Access
    # ------------------------------------------------------------

    def test_portal_user_cannot_read_unassigned_mail(self):
        self.process(self.stranger_mail())
        kept = self.unassigned()
        with self.assertRaises(AccessError):
            kept.with_user(self.teacher_a).read(["subject"])
        with self.assertRaises(AccessError):
            kept.eml_attachment_id.with_user(self.teacher_a).read(["raw"])

    def test_internal_user_without_helpdesk_rights_cannot_read_unassigned_mail(self):
        self.process(self.stranger_mail())
        with self.assertRaises(AccessError):
            self.unassigned().with_user(self.employee).read(["subject"])

    def test_helpdesk_user_cannot_delete_but_manager_can(self):
        self.process(self.stranger_mail())
        kept = self.unassigned()
        with self.assertRaises(AccessError):
            kept.with_user(self.agent).unlink()
        kept.with_user(self.manager).unlink()
        self.assertFalse(kept.exists())
