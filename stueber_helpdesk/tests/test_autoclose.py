import re
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import HelpdeskCase
from .mail_common import HelpdeskMailCase

MONDAY = datetime(2026, 3, 2, 9, 0)


class AutocloseMixin:
    @classmethod
    def _setup_waiting(cls):
        cls.env["stueber.helpdesk.team"].search([]).write({"active": False})
        cls.env["stueber.helpdesk.sla"].search([]).write({"active": False})
        cls.team = cls.env["stueber.helpdesk.team"].create(
            {"name": "Erstlösung", "reminder_days": 2, "autoclose_days": 3, "reopen_days": 14}
        )
        cls.env["res.lang"]._activate_lang("en_US")
        cls.school_a.state_id = cls.env.ref("base.state_de_by")
        cls.stage_answered = cls.env.ref("stueber_helpdesk.stage_answered")
        cls.Autoclose = cls.env["stueber.helpdesk.autoclose"]

    def waiting_ticket(self, user):
        with freeze_time(MONDAY):
            # no receipt: the receipt cron would send it with the first reminder run
            ticket = self.env["stueber.helpdesk.ticket"].create(
                {
                    "name": "WLAN im Lehrerzimmer",
                    "partner_id": user.partner_id.id,
                    "team_id": self.team.id,
                    "receipt_pending": False,
                }
            )
            ticket.stage_id = self.stage_answered
        return ticket

    def run_cron(self, when):
        with freeze_time(when):
            self.Autoclose._cron_remind_and_close()


@tagged("post_install", "-at_install")
class TestReminderAndAutoclose(AutocloseMixin, HelpdeskMailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_waiting()
        cls.teacher_a.partner_id.lang = "de_DE"
        cls.teacher_b.partner_id.lang = "en_US"

    def setUp(self):
        super().setUp()
        self.queued = self.env["mail.mail"]  # the mail.mail rows the crons created
        self.sent = []  # what left through SMTP

    def run_cron(self, when):
        with freeze_time(when), self.mock_mail_gateway():
            self.Autoclose._cron_remind_and_close()
            self.queued |= self._new_mails
            self.send_queue()
            self.sent += self._mails

    def mails_to(self, partner):
        """The mails sent to ``partner``, each queued as a mail.mail row first."""
        rows = self.queued.filtered(lambda mail: partner in mail.recipient_ids)
        sent = [mail for mail in self.sent if any(partner.email_normalized in to for to in mail["email_to"])]
        self.assertEqual(len(rows), len(sent))
        return sent

    def test_reminder_goes_out_after_the_working_days_in_the_customers_language(self):
        ticket = self.waiting_ticket(self.teacher_b)
        self.run_cron(datetime(2026, 3, 3, 12))  # one working day
        self.assertFalse(self.mails_to(self.teacher_b.partner_id))
        self.run_cron(datetime(2026, 3, 4, 12))  # two
        mails = self.mails_to(self.teacher_b.partner_id)
        self.assertEqual(len(mails), 1)
        self.assertIn("Is your problem solved?", mails[0]["subject"])
        self.assertIn(f"[Ticket#{ticket.number}]", mails[0]["subject"])
        self.assertEqual(mails[0]["headers"].get("Auto-Submitted"), "auto-generated")
        self.assertIn(f"/my/tickets/{ticket.id}", mails[0]["body"])
        self.run_cron(datetime(2026, 3, 5, 12))
        self.assertEqual(len(self.mails_to(self.teacher_b.partner_id)), 1, "one reminder")

    def test_german_customer_gets_the_german_reminder(self):
        self.waiting_ticket(self.teacher_a)
        self.run_cron(datetime(2026, 3, 4, 12))
        self.assertIn("Ist Ihr Problem gelöst?", self.mails_to(self.teacher_a.partner_id)[0]["subject"])

    def test_ticket_is_closed_after_the_reminder_with_a_mail_and_reopen_link(self):
        ticket = self.waiting_ticket(self.teacher_b)
        self.run_cron(datetime(2026, 3, 4, 12))  # reminder on Wednesday
        self.run_cron(datetime(2026, 3, 6, 12))  # Thursday, Friday: two days
        self.assertFalse(ticket.is_closed)
        self.run_cron(datetime(2026, 3, 9, 12))  # Monday: three
        self.assertTrue(ticket.is_closed)
        mails = self.mails_to(self.teacher_b.partner_id)
        self.assertEqual(len(mails), 2, "the reminder and the closing mail, no status mail")
        closing = mails[-1]
        self.assertIn("closed", closing["subject"])
        self.assertEqual(closing["headers"].get("Auto-Submitted"), "auto-generated")
        self.assertIn(f"/helpdesk/reopen/{ticket.id}/", closing["body"])

    def test_weekend_does_not_count(self):
        with freeze_time(datetime(2026, 3, 6, 9)):  # Friday
            ticket = self.env["stueber.helpdesk.ticket"].create(
                {"name": "Drucker", "partner_id": self.teacher_b.partner_id.id, "team_id": self.team.id}
            )
            ticket.stage_id = self.stage_answered
        self.run_cron(datetime(2026, 3, 9, 12))  # Monday: one working day
        self.assertFalse(ticket.stueber_reminder_date)
        self.run_cron(datetime(2026, 3, 10, 12))
        self.assertTrue(ticket.stueber_reminder_date)

    def test_school_holidays_stop_the_clock(self):
        calendar = self.env["stueber.helpdesk.school.calendar"].create(
            {"name": "Ferien", "state_id": self.school_a.state_id.id}
        )
        self.env["stueber.helpdesk.school.holiday"].create(
            {
                "calendar_id": calendar.id,
                "uid": "test",
                "name": "Faschingsferien",
                "date_from": datetime(2026, 3, 3).date(),
                "date_to": datetime(2026, 3, 13).date(),
            }
        )
        ticket = self.waiting_ticket(self.teacher_a)
        self.run_cron(datetime(2026, 3, 13, 12))  # two weeks later, all in the holidays
        self.assertFalse(ticket.stueber_reminder_date)
        self.run_cron(datetime(2026, 3, 17, 12))  # Monday and Tuesday after
        self.assertTrue(ticket.stueber_reminder_date)
        # school b (no holidays) would have had its reminder on the 4th
        other = self.waiting_ticket(self.teacher_b)
        self.run_cron(datetime(2026, 3, 4, 12))
        self.assertTrue(other.stueber_reminder_date)

    def test_customer_answer_stops_the_reminder_clock(self):
        ticket = self.waiting_ticket(self.teacher_b)
        with freeze_time(datetime(2026, 3, 3, 9)):
            ticket.with_user(self.teacher_b).message_post(
                body="Geht wieder nicht.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.run_cron(datetime(2026, 3, 10, 12))
        self.assertFalse(ticket.stueber_reminder_date)
        self.assertFalse(ticket.is_closed)

    def test_leaving_the_waiting_stage_stops_the_clock(self):
        ticket = self.waiting_ticket(self.teacher_b)
        ticket.stage_id = self.env.ref("stueber_helpdesk.stage_in_progress")
        self.assertFalse(ticket.waiting_since)
        self.run_cron(datetime(2026, 3, 10, 12))
        self.assertFalse(ticket.stueber_reminder_date)


@tagged("post_install", "-at_install")
class TestReopenLink(AutocloseMixin, HttpCase, HelpdeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_waiting()

    def closed_ticket(self):
        ticket = self.waiting_ticket(self.teacher_b)
        self.Autoclose._close(ticket)
        return ticket

    def path(self, ticket, token=None):
        return f"/helpdesk/reopen/{ticket.id}/{token or self.Autoclose._reopen_token(ticket)}"

    def confirm_page(self, path, status=200):
        # GET may redirect to the visitor's language (/en/...); it never changes the ticket
        response = self.url_open(path)
        self.assertEqual(response.status_code, status)
        return response

    def post_confirm(self, path, page):
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(path, data={"csrf_token": token}, allow_redirects=False)

    def test_opening_the_link_only_asks_and_changes_nothing(self):
        ticket = self.closed_ticket()
        page = self.confirm_page(self.path(ticket))
        self.assertIn(ticket.number, page.text)
        self.assertIn('method="post"', page.text)
        ticket.invalidate_recordset()
        self.assertTrue(ticket.is_closed)

    def test_confirming_reopens_the_ticket_and_logs_it(self):
        ticket = self.closed_ticket()
        path = self.path(ticket)
        response = self.post_confirm(path, self.confirm_page(path))
        self.assertEqual(response.status_code, 200)
        ticket.invalidate_recordset()
        self.assertFalse(ticket.is_closed)
        self.assertIn("reopened", " ".join(ticket.message_ids.mapped("body")))

    def test_post_without_csrf_token_does_not_reopen(self):
        ticket = self.closed_ticket()
        response = self.url_open(self.path(ticket), data={}, allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        ticket.invalidate_recordset()
        self.assertTrue(ticket.is_closed)

    def test_token_of_one_ticket_cannot_reopen_another(self):
        ticket = self.closed_ticket()
        other = self.closed_ticket()
        forged = self.path(other, self.Autoclose._reopen_token(ticket))
        self.confirm_page(forged, status=404)
        page = self.confirm_page(self.path(ticket))
        self.assertEqual(self.post_confirm(forged, page).status_code, 404)
        other.invalidate_recordset()
        self.assertTrue(other.is_closed)

    def test_link_expires_after_the_teams_reopen_days(self):
        ticket = self.closed_ticket()
        path = self.path(ticket)
        page = self.confirm_page(path)
        ticket.closed_date -= timedelta(days=15)
        self.env.flush_all()
        self.assertEqual(self.post_confirm(self.path(ticket), page).status_code, 404)
        ticket.invalidate_recordset()
        self.assertTrue(ticket.is_closed)

    def test_link_of_an_earlier_closing_does_not_reopen(self):
        ticket = self.closed_ticket()
        old_path = self.path(ticket)
        ticket.stage_id = self.env.ref("stueber_helpdesk.stage_in_progress")
        ticket.flush_recordset()
        ticket.closed_date = False
        self.Autoclose._close(ticket)
        ticket.closed_date += timedelta(minutes=5)
        self.env.flush_all()
        self.confirm_page(old_path, status=404)

    def test_forged_link_is_refused_before_any_ticket_is_read(self):
        """The attack: probing ticket ids with made-up links. The signature is
        checked from the link alone, so such a request never reads a ticket."""
        ticket = self.closed_ticket()
        closed_at = self.Autoclose._reopen_token(ticket).partition("-")[0]
        self.Autoclose._reopen_link_ticket(ticket.id, self.Autoclose._reopen_token(ticket))  # warm the secret's cache
        for forged in (f"{closed_at}-{'0' * 64}", "abc", "", f"{int(closed_at) + 1}-x"):
            with self.assertQueryCount(0):
                self.assertFalse(self.Autoclose._reopen_link_ticket(ticket.id, forged))
        self.confirm_page(self.path(ticket, f"{closed_at}-{'0' * 64}"), status=404)

    def test_link_signed_for_another_closing_time_does_not_reopen(self):
        """The attack: keeping the signature and changing the time in the link."""
        ticket = self.closed_ticket()
        closed_at, _sep, signature = self.Autoclose._reopen_token(ticket).partition("-")
        self.confirm_page(self.path(ticket, f"{int(closed_at) - 60}-{signature}"), status=404)
        self.confirm_page(self.path(ticket), status=200)

    def test_closing_mail_template_renders_for_an_open_ticket(self):
        """Odoo renders a template on update against any record: an open
        ticket has no reopen link and must not break that check."""
        ticket = self.waiting_ticket(self.teacher_b)
        self.assertEqual(self.Autoclose._reopen_token(ticket), "")
        template = self.env.ref("stueber_helpdesk.mail_template_ticket_autoclosed")
        self.assertIn(ticket.number, template._render_field("body_html", ticket.ids)[ticket.id])
