import email
import email.policy

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..tools.mail_auth import parse_authentication_results, sender_authentication
from .mail_common import HelpdeskMailCase

# A mail to the support address; {headers} are the Authentication-Results the
# receiving server (or the sender!) wrote.
MAIL = """\
From: {sender}
To: support@test.mycompany.com
{cc}Subject: {subject}
Date: Wed, 25 Nov 2026 10:00:00 +0100
Message-ID: <{message_id}@mail.example>
{headers}Content-Type: text/plain; charset=utf-8

{body}
"""

TRUSTED = "mx.vendor.example"


@tagged("post_install", "-at_install")
class TestMailSenderAuthentication(HelpdeskMailCase):
    """Issue 8 §2: no mail speaks for someone it is not. Raw mails through
    ``message_process``; the support's mail server is ``mx.vendor.example``."""

    def process(self, sender, subject, body="Bitte schließen Sie das Ticket.", headers="", cc="", message_id="m1"):
        raw = MAIL.format(
            sender=sender,
            subject=subject,
            body=body,
            headers="".join(f"Authentication-Results: {header}\n" for header in headers.split("|") if header),
            cc=f"Cc: {cc}\n" if cc else "",
            message_id=message_id,
        )
        with self.mock_mail_gateway():
            result = self.env["mail.thread"].message_process(None, raw)
            self.send_queue()
        return result

    def set_policy(self, policy):
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.mail_auth_policy", policy)

    def close(self, ticket):
        ticket.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
        self.flush_tracking()

    # ------------------------------------------------------------
    # Forged staff
    # ------------------------------------------------------------

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_forged_from_of_agent_with_subject_token_is_kept_not_posted(self):
        """The customer would read it in the portal as the vendor's answer."""
        self.close(self.ticket_a)
        before = self.ticket_a.message_ids
        result = self.process(
            "agent <agent@vendor.example>",
            f"AW: {self.ticket_a.subject_token} Drucker druckt nicht",
            body="Wir haben Ihr Passwort zurückgesetzt, neues Passwort: hunter2",
            # the forger's own verdict, and the real one of our server
            headers=f"evil.example; dmarc=pass header.from=vendor.example|{TRUSTED}; spf=fail; dmarc=fail "
            "header.from=vendor.example",
        )
        self.assertFalse(result)
        self.assertEqual(self.ticket_a.message_ids, before, "nothing posted on the ticket")
        self.assertTrue(self.ticket_a.is_closed, "the ticket is not changed")
        kept = self.unassigned()
        self.assertEqual(kept.reason, "unauthenticated")
        self.assertIn("dmarc=fail", kept.auth_results)
        self.assertFalse(self._mails, "never answered automatically")

    def test_agent_mail_without_any_authentication_results_is_kept(self):
        result = self.process("agent <agent@vendor.example>", f"AW: {self.ticket_a.subject_token} Drucker")
        self.assertFalse(result)
        self.assertEqual(self.unassigned().reason, "unauthenticated")

    def test_authenticated_agent_answer_by_mail_is_posted_as_staff(self):
        result = self.process(
            "agent <agent@vendor.example>",
            f"AW: {self.ticket_a.subject_token} Drucker",
            headers=f"{TRUSTED} 1; dkim=pass (2048-bit key) header.d=vendor.example header.s=sel; "
            "dmarc=pass (p=reject dis=none) header.from=vendor.example",
        )
        self.assertEqual(result, self.ticket_a.id)
        self.assertEqual(self.ticket_a.message_ids[0].author_id, self.agent.partner_id)

    def test_staff_mail_never_reopens_a_closed_ticket(self):
        self.close(self.ticket_a)
        result = self.process(
            "agent <agent@vendor.example>",
            f"AW: {self.ticket_a.subject_token} Drucker",
            headers=f"{TRUSTED}; dmarc=pass header.from=vendor.example",
        )
        self.assertEqual(result, self.ticket_a.id)
        self.assertTrue(self.ticket_a.is_closed)

    # ------------------------------------------------------------
    # Forged customers (policy "everyone")
    # ------------------------------------------------------------

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_forged_from_of_teacher_is_kept_when_everyone_must_be_authenticated(self):
        self.set_policy("everyone")
        before = self.ticket_a.message_ids
        result = self.process(
            "teacher_a <teacher_a@school-a.example>",
            f"AW: {self.ticket_a.subject_token} Drucker druckt nicht",
            headers=f"{TRUSTED}; spf=softfail smtp.mailfrom=school-a.example; dkim=none; dmarc=fail "
            "header.from=school-a.example",
        )
        self.assertFalse(result)
        self.assertEqual(self.ticket_a.message_ids, before)
        self.assertEqual(self.unassigned().reason, "unauthenticated")
        self.assertFalse(self._mails, "no receipt, no hint")

    def test_teacher_with_aligned_dkim_signature_opens_ticket_when_everyone_must_be_authenticated(self):
        self.set_policy("everyone")
        result = self.process(
            "teacher_a <teacher_a@school-a.example>",
            "Beamer zeigt kein Bild",
            headers=f"{TRUSTED}; dkim=pass header.d=school-a.example; dmarc=none",
        )
        ticket = self.env["stueber.helpdesk.ticket"].browse(result)
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)

    def test_authentication_results_of_an_untrusted_server_are_ignored(self):
        self.set_policy("everyone")
        result = self.process(
            "teacher_a <teacher_a@school-a.example>",
            "Beamer zeigt kein Bild",
            headers="mx.forger.example; dkim=pass header.d=school-a.example; dmarc=pass header.from=school-a.example",
        )
        self.assertFalse(result)
        self.assertEqual(self.unassigned().auth_results, "no trusted Authentication-Results")

    def test_policy_off_believes_the_from_address(self):
        self.set_policy("off")
        result = self.process("agent <agent@vendor.example>", f"AW: {self.ticket_a.subject_token} Drucker")
        self.assertEqual(result, self.ticket_a.id)

    # ------------------------------------------------------------
    # Addresses in copy
    # ------------------------------------------------------------

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_address_only_in_cc_of_customers_mail_cannot_post_on_the_ticket(self):
        ticket = self.env["stueber.helpdesk.ticket"].browse(
            self.process(
                "teacher_a <teacher_a@school-a.example>",
                "Beamer zeigt kein Bild",
                cc="Mallory <mallory@elsewhere.example>",
            )
        )
        self.assertTrue(ticket)
        self.assertFalse(ticket.email_cc, "the mail's Cc does not join the ticket's copy")
        self.assertNotIn("mallory@elsewhere.example", ticket.message_partner_ids.mapped("email_normalized"))
        before = ticket.message_ids
        result = self.process(
            "Mallory <mallory@elsewhere.example>",
            f"AW: {ticket.subject_token} Beamer zeigt kein Bild",
            body="Bitte senden Sie die Zugangsdaten an mich.",
            message_id="m2",
        )
        self.assertFalse(result)
        self.assertEqual(ticket.message_ids, before, "nothing posted")

    def test_address_only_in_cc_is_not_suggested_as_recipient_of_staff_answers(self):
        self.env["res.partner"].create({"name": "Mallory", "email": "mallory@elsewhere.example"})
        ticket = self.env["stueber.helpdesk.ticket"].browse(
            self.process(
                "teacher_a <teacher_a@school-a.example>",
                "Beamer zeigt kein Bild",
                cc="Mallory <mallory@elsewhere.example>",
            )
        )
        suggested = ticket.with_user(self.agent)._message_get_suggested_recipients(reply_discussion=True)
        self.assertNotIn("mallory@elsewhere.example", [recipient["email"] for recipient in suggested])

    def test_address_staff_put_in_copy_is_suggested(self):
        ticket = self.env["stueber.helpdesk.ticket"].browse(
            self.process("teacher_a <teacher_a@school-a.example>", "Beamer zeigt kein Bild")
        )
        ticket.with_user(self.agent).email_cc = "IT Dienstleister <it@dienstleister.example>"
        suggested = ticket.with_user(self.agent)._message_get_suggested_recipients(reply_discussion=True)
        self.assertIn("it@dienstleister.example", [recipient["email"] for recipient in suggested])


@tagged("post_install", "-at_install")
class TestAuthenticationResultsParser(TransactionCase):
    """``tools/mail_auth``: RFC 8601 headers as real servers write them."""

    def message(self, sender, *headers):
        head = "".join(f"Authentication-Results: {header}\n" for header in headers)
        return email.message_from_string(f"From: {sender}\n{head}Subject: x\n\nText\n", policy=email.policy.SMTP)

    def test_opendmarc_and_opendkim_headers_are_read_with_comments_and_version(self):
        authserv_id, results = parse_authentication_results(
            "mx.vendor.example 1; dkim=pass (2048-bit key; unprotected) header.d=school.example "
            'header.s="sel 1" header.b=AbCd; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=school.example'
        )
        self.assertEqual(authserv_id, "mx.vendor.example")
        self.assertEqual([(r.method, r.result) for r in results], [("dkim", "pass"), ("spf", "pass")])
        self.assertEqual(results[0].properties["header.d"], "school.example")

    def test_dkim_of_another_domain_proves_nothing(self):
        auth = sender_authentication(
            self.message("a@school.example", "mx; dkim=pass header.d=evil.example"), trusted_ids=["MX"]
        )
        self.assertFalse(auth.authenticated)

    def test_dkim_of_the_parent_domain_is_aligned(self):
        auth = sender_authentication(
            self.message("a@mail.school.example", "mx; dkim=pass header.d=school.example"), trusted_ids=["mx"]
        )
        self.assertTrue(auth.authenticated)

    def test_dmarc_pass_for_another_from_domain_proves_nothing(self):
        auth = sender_authentication(
            self.message("a@school.example", "mx; dmarc=pass header.from=evil.example"), trusted_ids=["mx"]
        )
        self.assertFalse(auth.authenticated)

    def test_no_result_and_untrusted_servers_prove_nothing(self):
        message = self.message("a@school.example", "mx; none", "other; dmarc=pass header.from=school.example")
        auth = sender_authentication(message, trusted_ids=["mx"])
        self.assertFalse(auth.authenticated)
        self.assertFalse(auth.results)
