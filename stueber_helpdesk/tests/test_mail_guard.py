"""No mail blocks the inbox, nothing is lost: limits before parsing, an
enforced time budget, keeping that never fails, automatic reports and loops
kept with their reason (issue 8 §3, issue 9 §3)."""

import threading
import time

from odoo.exceptions import AccessError
from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from ..tools.mail_guard import MailTimeBudgetExceeded, time_budget
from .mail_bombs import big_mail, deep_mail, many_parts_mail, nested_mail, real_world_mail
from .mail_common import HelpdeskMailCase
from .test_portal import PortalHelpdeskCase

TICKET = "stueber.helpdesk.ticket"
QUIET = mute_logger(
    "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_mail_guard",
    "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_unassigned_mail",
    "odoo.addons.mail.models.mail_thread",
)

CUSTOMER_MAIL = """\
From: teacher_a <teacher_a@school-a.example>
To: support@test.mycompany.com
Subject: {subject}
Date: Tue, 24 Nov 2026 10:10:00 +0100
Message-ID: <{message_id}@school-a.example>
Content-Type: text/plain; charset=utf-8

Bitte prüfen Sie das.
"""

# An unknown sender forwards a mail as attachment (message/rfc822): Odoo
# hands the enclosed message over as a message object, not as bytes.
STRANGER_FORWARD = """\
From: Fritz Fremd <fritz.fremd@elsewhere.example>
To: support@test.mycompany.com
Subject: WG: Rechnung
Date: Tue, 24 Nov 2026 10:20:00 +0100
Message-ID: <forward-1@elsewhere.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/plain; charset=utf-8

Siehe die weitergeleitete Mail.
--outer
Content-Type: message/rfc822
Content-Disposition: attachment; filename="rechnung.eml"

From: Buchhaltung <buchhaltung@elsewhere.example>
To: fritz.fremd@elsewhere.example
Subject: Rechnung
Message-ID: <invoice-1@elsewhere.example>
Content-Type: text/plain; charset=utf-8

Die Rechnung liegt bei.
--outer
Content-Type: message/external-body; access-type=URL; URL="https://elsewhere.example/scan.pdf"

Content-Type: application/pdf

--outer--
"""

# A delivery report (DSN) for a mail that none of our mails is.
FOREIGN_BOUNCE = """\
From: Mail Delivery System <MAILER-DAEMON@mx.school-a.example>
To: support@test.mycompany.com
Subject: Undelivered Mail Returned to Sender
Date: Tue, 24 Nov 2026 10:30:00 +0100
Message-ID: <bounce-foreign-1@mx.school-a.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain; charset=utf-8

Your message could not be delivered to hausmeister@school-a.example.
--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.school-a.example

Final-Recipient: rfc822; hausmeister@school-a.example
Action: failed
Status: 5.1.1
--dsn
Content-Type: text/rfc822-headers

From: Someone <someone@elsewhere.example>
To: hausmeister@school-a.example
Subject: Hallo
Message-ID: <not-ours-1@elsewhere.example>
--dsn--
"""

# A read receipt (MDN, RFC 8098) for one of our notifications.
READ_RECEIPT = """\
From: teacher_a <teacher_a@school-a.example>
To: support@test.mycompany.com
Subject: Gelesen: Ihre Anfrage
Date: Tue, 24 Nov 2026 10:40:00 +0100
Message-ID: <mdn-1@school-a.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"

--mdn
Content-Type: text/plain; charset=utf-8

Ihre Nachricht wurde gelesen.
--mdn
Content-Type: message/disposition-notification

Final-Recipient: rfc822; teacher_a@school-a.example
Original-Message-ID: {original}
Disposition: manual-action/MDN-sent-manually; displayed
--mdn--
"""

AUTOMATIC_MAIL = """\
From: teacher_a <teacher_a@school-a.example>
To: support@test.mycompany.com
Subject: Automatische Antwort: {subject}
Date: Tue, 24 Nov 2026 10:50:00 +0100
Message-ID: <{message_id}@school-a.example>
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8

Ich bin nicht im Haus.
"""

OWN_MAIL_BACK = """\
From: Support <support@test.mycompany.com>
To: support@test.mycompany.com
Subject: Ihre Anfrage ist eingegangen
Date: Tue, 24 Nov 2026 11:00:00 +0100
Message-ID: <own-back-1@test.mycompany.com>
Content-Type: text/plain; charset=utf-8

Wir haben Ihre Anfrage erhalten.
"""

LOOP_NOTICE_REPLY = """\
From: teacher_a <teacher_a@school-a.example>
To: support@test.mycompany.com
Subject: Re: Zu viele Mails
Date: Tue, 24 Nov 2026 11:10:00 +0100
Message-ID: <loop-reply-1@school-a.example>
In-Reply-To: <1234.5678-loop-detection-bounce-email@test.mycompany.com>
References: <1234.5678-loop-detection-bounce-email@test.mycompany.com>
Content-Type: text/plain; charset=utf-8

Warum kommen meine Mails nicht an?
"""


class MailGuardCase(HelpdeskMailCase):
    def process(self, raw):
        with self.mock_mail_gateway():
            return self.env["mail.thread"].message_process(None, raw)

    def set_limit(self, key, value):
        self.env["ir.config_parameter"].set_param(f"stueber_helpdesk.{key}", value)

    def customer_mail(self, tag, subject=None):
        return CUSTOMER_MAIL.format(message_id=tag, subject=subject or f"Anfrage {tag}")

    def tickets_of(self, partner):
        return self.env[TICKET].search([("partner_id", "=", partner.id)])

    def assertNextMailGoesOn(self, tag="next"):
        ticket = self.env[TICKET].browse(self.process(self.customer_mail(tag)))
        self.assertEqual(ticket.name, f"Anfrage {tag}", "the mail behind the stopped one became a ticket")

    def assertKept(self, reason, message_id, raw=None):
        kept = self.unassigned().filtered(lambda mail: mail.message_id == message_id)
        self.assertEqual(len(kept), 1, f"{message_id} is kept once")
        self.assertEqual(kept.reason, reason)
        self.assertTrue(kept.eml_attachment_id, "the original .eml is kept")
        if raw is not None:
            self.assertEqual(kept.eml_attachment_id.raw, raw, "the original, byte for byte")
        return kept


@tagged("post_install", "-at_install")
class TestMailLimits(MailGuardCase):
    """Limits before parsing and the time budget: a mail that would keep the
    parser busy is kept raw with the reason, and the next mail goes on."""

    @QUIET
    def test_mail_over_the_size_limit_is_kept_raw_without_parsing(self):
        self.set_limit("mail_max_mb", 1)
        raw = big_mail("big-1@school-a.example", 2 * 1024 * 1024)
        self.assertIs(self.process(raw), False)
        kept = self.assertKept("too_large", "<big-1@school-a.example>", raw)
        self.assertIn("Maximum Mail Size", kept.error)
        self.assertEqual(kept.subject, "Großer Anhang")
        self.assertEqual(kept.partner_id, self.teacher_a.partner_id)
        self.assertFalse(self.tickets_of(self.teacher_a.partner_id) - self.ticket_a)
        self.assertNextMailGoesOn()

    @QUIET
    def test_mail_nested_deeper_than_the_limit_is_kept_before_parsing(self):
        raw = deep_mail("deep-1@school-a.example", 40)
        self.assertIs(self.process(raw), False)
        kept = self.assertKept("too_complex", "<deep-1@school-a.example>", raw)
        self.assertIn("20", kept.error)
        self.assertNextMailGoesOn()

    @QUIET
    def test_mail_with_more_parts_than_the_limit_is_kept_before_parsing(self):
        raw = many_parts_mail("parts-1@school-a.example", 600)
        self.assertIs(self.process(raw), False)
        kept = self.assertKept("too_complex", "<parts-1@school-a.example>", raw)
        self.assertIn("Maximum Number of Parts", kept.error)
        self.assertNextMailGoesOn()

    @QUIET
    def test_mail_with_more_html_than_the_limit_is_kept_before_the_sanitizer_runs(self):
        # 6 MB of HTML in forwards within forwards: days of sanitising, refused in milliseconds
        raw = nested_mail("html-1@school-a.example", depth=3, html_parts=4, html_size=500_000)
        started = time.monotonic()
        self.assertIs(self.process(raw), False)
        self.assertLess(time.monotonic() - started, 20)
        kept = self.assertKept("too_complex", "<html-1@school-a.example>", raw)
        self.assertIn("Maximum HTML Size", kept.error)
        self.assertNextMailGoesOn()

    @QUIET
    def test_mail_that_keeps_the_parser_busy_is_stopped_at_its_time_budget(self):
        # 0.5 MB of nested forwards keeps core's parser busy for 15 s and more
        self.set_limit("mail_time_budget", 1)
        raw = nested_mail("slow-1@school-a.example", depth=3, html_parts=8, html_size=20_000)
        started = time.monotonic()
        self.assertIs(self.process(raw), False, "returns normally: fetchmail marks the mail as handled")
        self.assertLess(time.monotonic() - started, 8, "stopped at the budget, not when the parser was done")
        kept = self.assertKept("too_slow", "<slow-1@school-a.example>", raw)
        self.assertIn("1 seconds", kept.error)
        self.assertFalse(self.tickets_of(self.teacher_a.partner_id) - self.ticket_a, "nothing half done stays")
        self.assertNextMailGoesOn()

    @QUIET
    def test_3_mb_of_nested_forwards_within_the_default_limits_is_stopped_at_the_time_budget(self):
        self.set_limit("mail_time_budget", 2)  # the default 60 s, shortened for the test
        raw = real_world_mail("real-1@school-a.example")
        self.assertGreater(len(raw), 3_000_000)
        started = time.monotonic()
        self.assertIs(self.process(raw), False)
        self.assertLess(time.monotonic() - started, 15, "minutes of sanitising cut at the budget")
        self.assertKept("too_slow", "<real-1@school-a.example>", raw)
        self.assertNextMailGoesOn()

    def test_time_budget_holds_in_a_thread_of_the_threaded_server_and_ends_with_its_block(self):
        """Cron and HTTP threads are no main thread, where a signal could not reach them."""
        outcome = {}

        def busy(seconds):
            started = time.monotonic()
            while time.monotonic() - started < seconds:
                pass

        def cron_thread():
            started = time.monotonic()
            with time_budget(5):
                busy(0.1)  # done in time: nothing is raised, then or later
            busy(6)
            try:
                with time_budget(0.2):
                    busy(10)
                outcome["stopped_after"] = None
            except MailTimeBudgetExceeded:
                outcome["stopped_after"] = time.monotonic() - started - 6.1

        thread = threading.Thread(target=cron_thread, name="odoo.service.cron.cron0")
        thread.start()
        thread.join(30)
        self.assertLess(outcome["stopped_after"], 2)

    @QUIET
    def test_mail_stopped_at_its_time_budget_is_not_tried_again_when_fetched_again(self):
        self.set_limit("mail_time_budget", 1)
        raw = nested_mail("slow-2@school-a.example", depth=3, html_parts=8, html_size=20_000)
        self.process(raw)
        started = time.monotonic()
        self.assertIs(self.process(raw), False)
        self.assertLess(time.monotonic() - started, 0.9, "not parsed again")
        self.assertKept("too_slow", "<slow-2@school-a.example>")

    @QUIET
    def test_staff_turns_a_mail_that_took_too_long_into_a_ticket_without_parsing_it_again(self):
        self.set_limit("mail_time_budget", 1)
        raw = nested_mail("slow-3@school-a.example", depth=3, html_parts=8, html_size=20_000)
        self.process(raw)
        kept = self.assertKept("too_slow", "<slow-3@school-a.example>")
        started = time.monotonic()
        wizard = self.env["stueber.helpdesk.unassigned.mail.assign"].with_user(self.agent)
        action = wizard.create(
            {"unassigned_mail_id": kept.id, "mode": "new", "partner_id": self.teacher_a.partner_id.id}
        ).action_confirm()
        self.assertLess(time.monotonic() - started, 5, "the agent's request is not blocked")
        ticket = self.env[TICKET].browse(action["res_id"])
        self.assertIn("original.eml", ticket.message_ids.attachment_ids.mapped("name"))

    @QUIET
    def test_stranger_forwarding_a_mail_as_attachment_is_kept_with_the_enclosed_mail(self):
        # Keeping raised TypeError on the enclosed message: the mail was neither processed nor kept.
        self.assertFalse(self.process(STRANGER_FORWARD))
        kept = self.assertKept("unknown_sender", "<forward-1@elsewhere.example>", STRANGER_FORWARD.encode())
        self.assertIn("weitergeleitete Mail", kept.body)
        enclosed = kept.attachment_ids.filtered(lambda file: b"Die Rechnung liegt bei." in (file.raw or b""))
        self.assertTrue(enclosed, "the enclosed mail is kept as a file")

    @QUIET
    def test_mail_with_a_nul_byte_in_its_subject_is_kept(self):
        # PostgreSQL refuses NUL in text: keeping failed, and the mail was lost
        raw = STRANGER_FORWARD.replace("Subject: WG: Rechnung", "Subject: =?utf-8?q?WG=3A_Rech=00nung?=")
        self.assertFalse(self.process(raw))
        kept = self.assertKept("unknown_sender", "<forward-1@elsewhere.example>", raw.encode())
        self.assertEqual(kept.subject, "WG: Rechnung")

    @QUIET
    def test_portal_user_cannot_feed_mail_into_the_gateway_from_python(self):
        portal_thread = self.env["mail.thread"].with_user(self.teacher_b)
        with self.assertRaises(AccessError):
            portal_thread.message_process(None, STRANGER_FORWARD)
        self.assertFalse(self.unassigned())


@tagged("post_install", "-at_install")
class TestMailForOtherApps(MailGuardCase):
    """The catch-all is the support desk's: another app's alias errs as in core."""

    @QUIET
    def test_failing_mail_for_another_apps_alias_is_left_to_that_app(self):
        self.env["mail.alias"].create(
            {
                "alias_name": "contacts",
                "alias_domain_id": self.mail_alias_domain.id,
                "alias_model_id": self.env["ir.model"]._get_id("res.partner"),
                "alias_defaults": "{'no_such_field': 1}",
            }
        )
        raw = self.customer_mail("other-app").replace("support@", "contacts@")
        # core's error (the test's alias is invisible to the cursor core opens to mark it invalid)
        with self.assertRaises(Exception):  # noqa: B017
            self.process(raw)
        self.assertFalse(self.unassigned(), "another app's mail is not kept in the helpdesk")


@tagged("post_install", "-at_install")
class TestReportsAndLoops(MailGuardCase):
    """Nothing is lost, loops included: automatic reports and loops are kept
    with their reason; only real loops count."""

    @QUIET
    def test_bounce_matching_none_of_our_mails_is_kept_as_automatic_report(self):
        self.assertFalse(self.process(FOREIGN_BOUNCE))
        kept = self.assertKept("automatic_report", "<bounce-foreign-1@mx.school-a.example>")
        self.assertIn("hausmeister@school-a.example", kept.error)
        self.assertFalse(self._mails, "a bounce is never answered")
        action = self.env.ref("stueber_helpdesk.stueber_helpdesk_unassigned_mail_action")
        self.assertIn("search_default_filter_no_report", action.context, "hidden from the default view")

    @QUIET
    def test_read_receipt_is_kept_and_does_not_count_as_a_bounce(self):
        with self.mock_mail_gateway():
            notice = self.ticket_a.message_post(
                body="Ihr Drucker ist repariert.", message_type="comment", partner_ids=self.teacher_a.partner_id.ids
            )
        self.assertFalse(self.process(READ_RECEIPT.format(original=notice.message_id)))
        self.assertKept("automatic_report", "<mdn-1@school-a.example>")
        self.assertEqual(self.teacher_a.partner_id.message_bounce, 0, "the address does not bounce")

    def test_old_automatic_reports_are_removed_but_other_kept_mail_stays(self):
        with QUIET:
            self.process(FOREIGN_BOUNCE)
            self.process(self.customer_mail("stranger").replace("teacher_a@", "fritz@"))
        self.env.cr.execute(
            "UPDATE stueber_helpdesk_unassigned_mail SET create_date = now() - interval '31 days' WHERE id IN %s",
            [tuple(self.unassigned().ids)],
        )
        self.unassigned().invalidate_recordset()
        cron = self.env.ref("stueber_helpdesk.ir_cron_unassigned_mail_remove_old_reports")
        self.assertTrue(cron.active)
        self.env["stueber.helpdesk.unassigned.mail"]._cron_remove_old_reports()  # what the cron runs
        self.assertEqual(self.unassigned().mapped("reason"), ["unknown_sender"])

    @QUIET
    def test_mail_written_to_the_catchall_address_is_kept_not_only_bounced(self):
        raw = self.customer_mail("catchall").replace("support@", "catchall.test@")
        self.assertFalse(self.process(raw))
        kept = self.assertKept("error", "<catchall@school-a.example>")
        self.assertIn("catchall", kept.error)

    @QUIET
    def test_busy_secretary_sending_25_distinct_mails_gets_25_tickets(self):
        for index in range(25):
            self.process(self.customer_mail(f"busy-{index}", subject=f"Frage {index}"))
        self.assertEqual(len(self.tickets_of(self.teacher_a.partner_id) - self.ticket_a), 25)
        self.assertFalse(self.unassigned())

    @QUIET
    def test_tickets_staff_created_for_a_customer_do_not_make_their_mail_a_loop(self):
        self.env[TICKET].create(
            [{"name": f"Telefonat {index}", "partner_id": self.teacher_a.partner_id.id} for index in range(20)]
        )
        ticket = self.env[TICKET].browse(self.process(self.customer_mail("after-import")))
        self.assertEqual(ticket.name, "Anfrage after-import")

    @QUIET
    def test_flood_of_automatic_mail_is_stopped_and_kept_as_loop(self):
        self.env[TICKET].create(
            [
                {"name": f"Per Mail {index}", "partner_id": self.teacher_a.partner_id.id, "channel": "email"}
                for index in range(20)
            ]
        )
        count = self.env[TICKET].search_count([])
        raw = AUTOMATIC_MAIL.format(subject="Anfrage", message_id="auto-21")
        self.assertFalse(self.process(raw))
        self.assertEqual(self.env[TICKET].search_count([]), count, "no ticket for the 21st automatic mail")
        kept = self.assertKept("loop", "<auto-21@school-a.example>")
        self.assertIn("20", kept.error)
        self.assertFalse(self._mails, "no notice to a robot: that would feed the loop")

    @QUIET
    def test_our_own_mail_coming_back_is_kept_as_loop(self):
        self.assertFalse(self.process(OWN_MAIL_BACK))
        self.assertKept("loop", "<own-back-1@test.mycompany.com>")
        self.assertFalse(self._mails)

    @QUIET
    def test_reply_to_a_loop_notice_is_kept_as_loop(self):
        self.assertFalse(self.process(LOOP_NOTICE_REPLY))
        kept = self.assertKept("loop", "<loop-reply-1@school-a.example>")
        self.assertIn("Warum kommen meine Mails nicht an?", kept.body)


@tagged("post_install", "-at_install")
class TestGatewayOverRpc(PortalHelpdeskCase):
    """message_process and friends are the gateway's, not callable by a portal user."""

    def call_kw(self, model, method, args):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": {}}
        )

    @mute_logger("odoo.http")
    def test_portal_user_cannot_create_unassigned_mail_or_tickets_through_call_kw(self):
        self.login(self.teacher_b)
        count = self.env[TICKET].search_count([])
        msg_dict = {"subject": "Gefälscht", "author_id": self.teacher_a.partner_id.id, "body": "x"}
        for model, method, args in (
            ("mail.thread", "message_process", [False, STRANGER_FORWARD]),
            (TICKET, "message_process", [TICKET, STRANGER_FORWARD]),
            (TICKET, "message_new", [msg_dict]),
            (TICKET, "message_update", [[self.ticket_a.id], msg_dict]),
            ("mail.thread", "message_route", [STRANGER_FORWARD, {}]),
        ):
            with self.subTest(method=method, model=model), self.assertRaises(JsonRpcException):
                self.call_kw(model, method, args)
        self.assertFalse(self.env["stueber.helpdesk.unassigned.mail"].search([]))
        self.assertEqual(self.env[TICKET].search_count([]), count)
