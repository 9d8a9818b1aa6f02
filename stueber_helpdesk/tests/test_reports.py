import io
import json
from datetime import timedelta

import openpyxl
from freezegun import freeze_time

from odoo import fields, http
from odoo.tests import HttpCase, tagged

from .common import HelpdeskCase
from .test_sla import SlaCase

REPORT = "stueber.helpdesk.ticket.report"


@tagged("post_install", "-at_install")
class TestReports(HelpdeskCase):
    """Ticket analysis: the measures management reads, by agent, category,
    institution, Bundesland and month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.solved = cls.env.ref("stueber_helpdesk.stage_solved")
        cls.in_progress = cls.env.ref("stueber_helpdesk.stage_in_progress")
        cls.ticket_a.user_id = cls.agent

    def report_row(self, ticket):
        return self.env[REPORT].with_user(self.agent).search([("ticket_id", "=", ticket.id)])

    def answer(self, ticket, subtype="mail.mt_comment"):
        return ticket.with_user(self.agent).message_post(body="Antwort", message_type="comment", subtype_xmlid=subtype)

    def test_staff_answer_is_the_first_response_not_a_note(self):
        self.answer(self.ticket_a, "mail.mt_note")
        self.assertFalse(self.ticket_a.first_response_date, "a note is no answer to the customer")
        message = self.answer(self.ticket_a)
        self.assertEqual(self.ticket_a.first_response_date, message.date)
        self.answer(self.ticket_a)
        self.assertEqual(self.ticket_a.first_response_date, message.date, "the first answer stays")

    def test_logged_call_is_the_first_response(self):
        self.env["stueber.helpdesk.call.log"].with_user(self.agent).create(
            {"ticket_id": self.ticket_a.id, "outcome": "Zurückgerufen"}
        ).action_log()
        self.assertTrue(self.ticket_a.first_response_date)

    def test_customer_message_is_no_first_response(self):
        self.ticket_a.sudo().message_post(
            body="Noch da?", message_type="comment", author_id=self.teacher_a.partner_id.id
        )
        self.assertFalse(self.ticket_a.first_response_date)

    def test_reopening_a_closed_ticket_is_counted(self):
        self.ticket_a.stage_id = self.solved
        self.ticket_a.stage_id = self.in_progress
        self.ticket_a.stage_id = self.solved
        self.ticket_a.with_user(self.teacher_a).action_customer_reopen()
        self.assertEqual(self.ticket_a.reopen_count, 2)
        self.assertEqual(self.report_row(self.ticket_a).reopen_count, 2)

    def test_report_row_measures_times_and_rating(self):
        created = fields.Datetime.now() - timedelta(hours=10)
        self.env.cr.execute(
            "UPDATE stueber_helpdesk_ticket SET create_date = %s WHERE id = %s", [created, self.ticket_a.id]
        )
        self.ticket_a.invalidate_recordset(["create_date"])
        self.answer(self.ticket_a)
        self.ticket_a.stage_id = self.solved
        token = self.ticket_a._rating_get_access_token()
        self.ticket_a.rating_apply(5, token=token)
        row = self.report_row(self.ticket_a)
        self.assertAlmostEqual(row.first_response_hours, 10, delta=0.1)
        self.assertAlmostEqual(row.resolution_hours, 10, delta=0.1)
        self.assertEqual(row.closed_count, 1)
        self.assertEqual(row.rating, 5)
        self.assertEqual(row.institution_id, self.school_a)
        self.assertEqual(row.user_id, self.agent)

    def test_measures_by_agent_and_institution(self):
        self.ticket_a.stage_id = self.solved
        groups = (
            self.env[REPORT]
            .with_user(self.agent)
            ._read_group(
                [("institution_id", "in", (self.school_a | self.school_b).ids)],
                ["institution_id"],
                ["__count", "closed_count:sum", "reopen_count:sum"],
            )
        )
        by_institution = {institution: (count, closed) for institution, count, closed, _reopened in groups}
        self.assertEqual(by_institution[self.school_a], (1, 1), "the pending newcomer's ticket has no institution")
        self.assertEqual(by_institution[self.school_b], (1, 0))

    def test_merged_tickets_are_counted_once(self):
        second = self.env["stueber.helpdesk.ticket"].create(
            {"name": "Drucker wieder", "partner_id": self.teacher_a.partner_id.id}
        )
        self.ticket_a._merge_from(second, notify_customer=False)
        self.assertFalse(self.report_row(second))
        self.assertTrue(self.report_row(self.ticket_a))

    def test_tickets_without_rating_do_not_lower_the_average(self):
        token = self.ticket_b._rating_get_access_token()
        self.ticket_b.rating_apply(1, token=token)
        self.ticket_a.rating_apply(5, token=self.ticket_a._rating_get_access_token())
        [(average,)] = self.env[REPORT]._read_group(
            [("ticket_id", "in", (self.ticket_a | self.ticket_b | self.ticket_newcomer).ids)], [], ["rating:avg"]
        )
        self.assertEqual(average, 3)

    def test_employee_without_helpdesk_rights_cannot_read_the_analysis(self):
        self.assertFalse(self.env[REPORT].with_user(self.employee).has_access("read"))

    def test_portal_user_cannot_read_the_analysis(self):
        self.assertFalse(self.env[REPORT].with_user(self.teacher_a).has_access("read"))


@tagged("post_install", "-at_install")
class TestReportServiceLevels(SlaCase):
    """Resolution time in working hours, SLA success rate, team and
    Bundesland (the support calendar of SlaCase: Monday to Friday 8-12 and
    13-17 in Berlin; school_a in Bayern)."""

    def report(self):
        return self.env[REPORT].with_user(self.agent)

    def close_at(self, ticket, created, closed):
        self.env.cr.execute("UPDATE stueber_helpdesk_ticket SET create_date = %s WHERE id = %s", [created, ticket.id])
        ticket.invalidate_recordset(["create_date"])
        with freeze_time(closed):
            ticket.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
            self.env.flush_all()  # the closing date is computed on flush

    def test_resolution_time_counts_working_hours_only(self):
        self.env.company.resource_calendar_id = self.calendar
        ticket = self.new_ticket()
        # Friday 6 March 2026 15:00 to Monday 9 March 10:00: two hours on Friday, two on Monday
        self.close_at(ticket, self.berlin(2026, 3, 6, 15), self.berlin(2026, 3, 9, 10))
        self.assertAlmostEqual(ticket.resolution_working_hours, 4)
        row = self.report().search([("ticket_id", "=", ticket.id)])
        self.assertAlmostEqual(row.resolution_working_hours, 4)
        self.assertAlmostEqual(row.resolution_hours, 67, msg="the calendar hours stay for comparison")

    def test_resolution_time_skips_the_public_holidays_of_the_institutions_state(self):
        self.env.company.resource_calendar_id = self.calendar
        ticket = self.new_ticket()  # school_a, Bayern: Epiphany (6 January) is a holiday there
        self.close_at(ticket, self.berlin(2026, 1, 5, 16), self.berlin(2026, 1, 7, 9))
        self.assertAlmostEqual(ticket.resolution_working_hours, 2)

    def test_resolution_time_runs_on_the_calendar_of_the_resolution_service_level(self):
        self.env.company.resource_calendar_id = False
        self.env["stueber.helpdesk.sla"].create(
            {"name": "Gelöst in 40 h", "target": "resolved", "time_hours": 40, "resource_calendar_id": self.calendar.id}
        )
        ticket = self.new_ticket()
        self.close_at(ticket, self.berlin(2026, 3, 6, 15), self.berlin(2026, 3, 9, 10))
        self.assertAlmostEqual(ticket.resolution_working_hours, 4)

    def test_reopened_ticket_is_measured_to_its_last_closing(self):
        self.env.company.resource_calendar_id = self.calendar
        ticket = self.new_ticket()
        self.close_at(ticket, self.berlin(2026, 3, 2, 8), self.berlin(2026, 3, 2, 10))
        with freeze_time(self.berlin(2026, 3, 2, 11)):
            ticket.with_user(self.teacher_a).action_customer_reopen()
            self.env.flush_all()
        self.assertFalse(self.report().search([("ticket_id", "=", ticket.id)]).resolution_working_hours)
        with freeze_time(self.berlin(2026, 3, 3, 9)):
            ticket.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
            self.env.flush_all()
        self.assertAlmostEqual(ticket.resolution_working_hours, 9)

    def test_sla_success_rate_by_team(self):
        reached, failed, running = self.new_ticket(), self.new_ticket(), self.new_ticket()
        self.assertEqual((reached | failed | running).team_id, self.team)
        reached.with_user(self.agent).message_post(
            body="Antwort", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.status(failed).deadline = fields.Datetime.now() - timedelta(minutes=1)
        self.env["stueber.helpdesk.sla.status"]._cron_check_deadlines()
        self.assertEqual(self.status(reached).status, "reached")
        self.assertEqual(self.status(failed).status, "failed")
        [(team, rate, failures, count)] = self.report()._read_group(
            [("ticket_id", "in", (reached | failed | running).ids)],
            ["team_id"],
            ["sla_success_rate:avg", "sla_failed_count:sum", "__count"],
        )
        self.assertEqual(team, self.team)
        self.assertEqual(count, 3)
        self.assertEqual(rate, 50, "one reached, one failed; the running one does not count yet")
        self.assertEqual(failures, 1)

    def test_bundesland_is_the_institutions_own_state(self):
        self.school_a.partner_id.state_id = self.env.ref("base.state_de_nw")  # the contact's address may differ
        [(state, count)] = self.report()._read_group([("ticket_id", "=", self.ticket_a.id)], ["state_id"], ["__count"])
        self.assertEqual(state, self.env.ref("base.state_de_by"))
        self.assertEqual(count, 1)


@tagged("post_install", "-at_install")
class TestReportExport(HttpCase, HelpdeskCase):
    def test_excel_export_of_10000_rows(self):
        self.env.cr.execute(
            """
            INSERT INTO stueber_helpdesk_ticket
                   (number, name, stage_id, priority, channel, company_id, active, is_closed, reopen_count,
                    create_date, write_date, create_uid, write_uid)
            SELECT 'X' || n, 'Export ' || n, %(stage)s, '0', 'email', %(company)s, TRUE, FALSE, 0,
                   now() - (n || ' minutes')::interval, now(), %(uid)s, %(uid)s
              FROM generate_series(1, 10000) n
            """,
            {
                "stage": self.env.ref("stueber_helpdesk.stage_new").id,
                "company": self.env.company.id,
                "uid": self.env.uid,
            },
        )
        self.agent.group_ids += self.env.ref("base.group_allow_export")  # core's right to export
        self.authenticate(self.agent.login, self.agent.login)
        params = {
            "model": REPORT,
            "fields": [{"name": name, "label": name} for name in ("number", "name", "create_date", "stage_id")],
            "domain": [("name", "=like", "Export %")],
            "groupby": [],
            "ids": False,
            "import_compat": False,
        }
        response = self.url_open(
            "/web/export/xlsx",
            data={"data": json.dumps(params), "csrf_token": http.Request.csrf_token(self)},
            timeout=300,
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:2], ("number", "name"))
        exported = [row for row in rows[1:] if row[0] and str(row[0]).startswith("X")]
        self.assertEqual(len(exported), 10000)
        self.assertEqual(len({row[0] for row in exported}), 10000, "every ticket once")
