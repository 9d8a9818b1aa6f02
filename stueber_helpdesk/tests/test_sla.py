from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import HelpdeskCase


class SlaCase(HelpdeskCase):
    """A support calendar Monday to Friday 8-12 and 13-17 (Berlin), a first
    answer policy of 4 working hours; school_a lies in Bayern, school_b in
    Nordrhein-Westfalen; the vendor has no state (only nationwide holidays)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["stueber.helpdesk.team"].search([]).write({"active": False})
        cls.env["stueber.helpdesk.sla"].search([]).write({"active": False})
        cls.env.company.partner_id.state_id = False
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Support",
                "tz": "Europe/Berlin",
                "attendance_ids": [
                    Command.create(
                        {"name": f"{day} {start}", "dayofweek": str(day), "hour_from": start, "hour_to": end}
                    )
                    for day in range(5)
                    for start, end in ((8, 12), (13, 17))
                ],
            }
        )
        cls.school_a.state_id = cls.env.ref("base.state_de_by")
        cls.school_b.state_id = cls.env.ref("base.state_de_nw")
        cls.team = cls.env["stueber.helpdesk.team"].create(
            {"name": "Erstlösung", "is_default": True, "lead_id": cls.manager.id}
        )
        cls.first_answer = cls.env["stueber.helpdesk.sla"].create(
            {
                "name": "Antwort in 4 h",
                "target": "first_answer",
                "time_hours": 4,
                "resource_calendar_id": cls.calendar.id,
            }
        )
        cls.stage_answered = cls.env.ref("stueber_helpdesk.stage_answered")
        cls.stage_progress = cls.env.ref("stueber_helpdesk.stage_in_progress")

    def new_ticket(self, user=None, **values):
        return self.env["stueber.helpdesk.ticket"].create(
            {"name": "Beamer", "partner_id": (user or self.teacher_a).partner_id.id, **values}
        )

    def status(self, ticket, policy=None):
        return ticket.sla_status_ids.filtered(lambda s: s.sla_id == (policy or self.first_answer))

    @staticmethod
    def berlin(*args):
        """A naive UTC datetime from Berlin local time (winter: UTC+1)."""
        return datetime(*args) - timedelta(hours=1)


@tagged("post_install", "-at_install")
class TestSlaDeadlines(SlaCase):
    def plan(self, start, ticket=None):
        return self.first_answer._plan_deadline(ticket or self.ticket_b, start)

    def test_deadline_runs_over_the_night(self):
        # Monday 2 March 2026, 16:00: one hour today, three tomorrow
        self.assertEqual(self.plan(self.berlin(2026, 3, 2, 16)), self.berlin(2026, 3, 3, 11))

    def test_deadline_skips_the_lunch_break(self):
        self.assertEqual(self.plan(self.berlin(2026, 3, 2, 10)), self.berlin(2026, 3, 2, 15))

    def test_deadline_skips_the_weekend(self):
        # Friday 6 March 15:00: two hours on Friday, two on Monday
        self.assertEqual(self.plan(self.berlin(2026, 3, 6, 15)), self.berlin(2026, 3, 9, 10))

    def test_deadline_starting_on_saturday_starts_monday_morning(self):
        self.assertEqual(self.plan(self.berlin(2026, 3, 7, 11)), self.berlin(2026, 3, 9, 12))

    def test_deadline_skips_a_public_holiday_of_the_institutions_state(self):
        # Epiphany (6 January 2026, a Tuesday) is a holiday in Bayern, not in NRW
        start = self.berlin(2026, 1, 5, 16)
        self.assertEqual(self.plan(start, self.ticket_a), self.berlin(2026, 1, 7, 11))  # Bayern
        self.assertEqual(self.plan(start, self.ticket_b), self.berlin(2026, 1, 6, 11))  # NRW

    def test_deadline_skips_the_vendors_closing_day(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Betriebsausflug",
                "calendar_id": self.calendar.id,
                "date_from": self.berlin(2026, 3, 3, 0),
                "date_to": self.berlin(2026, 3, 3, 23, 59),
            }
        )
        self.assertEqual(self.plan(self.berlin(2026, 3, 2, 16)), self.berlin(2026, 3, 4, 11))

    def test_new_ticket_gets_its_deadline_from_its_creation(self):
        ticket = self.new_ticket()
        status = self.status(ticket)
        self.assertEqual(status.status, "ongoing")
        self.assertEqual(status.deadline, self.first_answer._plan_deadline(ticket, ticket.create_date))
        self.assertEqual(ticket.sla_deadline, status.deadline)

    def test_waiting_stage_pauses_the_clock_and_moves_the_deadline(self):
        ticket = self.new_ticket()
        status = self.status(ticket)
        # deadline Tuesday 11:00; waiting from Monday 16:00 to Wednesday 9:00
        status.write({"deadline": self.berlin(2026, 3, 3, 11)})
        with freeze_time(self.berlin(2026, 3, 2, 16)):
            self.stage_answered.is_answered = False  # a pure waiting stage
            ticket.stage_id = self.stage_answered
        self.assertTrue(status.paused_since)
        self.assertFalse(ticket.sla_deadline, "a paused clock has no running deadline")
        with freeze_time(self.berlin(2026, 3, 4, 9)):
            ticket.stage_id = self.stage_progress
        # four working hours were left: Wednesday 9:00 + 4 h = 14:00 (lunch break)
        self.assertEqual(status.deadline, self.berlin(2026, 3, 4, 14))
        self.assertFalse(status.paused_since)
        self.assertEqual(status.status, "ongoing")

    def test_changing_priority_adds_the_policy_that_now_matches(self):
        urgent = self.env["stueber.helpdesk.sla"].create(
            {"name": "Dringend: 1 h", "priority": "3", "time_hours": 1, "resource_calendar_id": self.calendar.id}
        )
        ticket = self.new_ticket()
        self.assertFalse(self.status(ticket, urgent))
        ticket.priority = "3"
        self.assertTrue(self.status(ticket, urgent))
        ticket.priority = "0"
        self.assertFalse(self.status(ticket, urgent), "an unreached service level that no longer applies goes")

    def test_policy_for_a_tag_applies_only_to_institutions_with_it(self):
        tag = self.env["res.partner.category"].create({"name": "Premium"})
        premium = self.env["stueber.helpdesk.sla"].create(
            {
                "name": "Premium",
                "target": "resolved",
                "time_hours": 16,
                "institution_tag_ids": [Command.set(tag.ids)],
                "resource_calendar_id": self.calendar.id,
            }
        )
        self.school_a.tag_ids = tag
        self.assertTrue(self.status(self.new_ticket(), premium))
        self.assertFalse(self.status(self.new_ticket(user=self.teacher_b), premium))


@tagged("post_install", "-at_install")
class TestSlaReached(SlaCase):
    def test_public_staff_answer_reaches_first_answer(self):
        ticket = self.new_ticket()
        ticket.with_user(self.agent).message_post(
            body="Bitte starten Sie den Beamer neu.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        status = self.status(ticket)
        self.assertEqual(status.status, "reached")
        self.assertTrue(status.reached_datetime)
        self.assertFalse(ticket.first_answer_deadline)

    def test_internal_note_does_not_reach_first_answer(self):
        ticket = self.new_ticket()
        ticket.with_user(self.agent).message_post(body="Intern", message_type="comment", subtype_xmlid="mail.mt_note")
        self.assertEqual(self.status(ticket).status, "ongoing")

    def test_customer_message_does_not_reach_first_answer(self):
        ticket = self.new_ticket()
        ticket.with_user(self.teacher_a).message_post(
            body="Noch da?", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(self.status(ticket).status, "ongoing")

    def test_logged_call_reaches_first_answer(self):
        ticket = self.new_ticket()
        wizard = (
            self.env["stueber.helpdesk.call.log"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "outcome": "Neustart empfohlen"})
        )
        wizard.action_log()
        self.assertEqual(self.status(ticket).status, "reached")

    def test_answered_stage_reaches_first_answer(self):
        ticket = self.new_ticket()
        ticket.stage_id = self.stage_answered
        self.assertEqual(self.status(ticket).status, "reached")

    def test_answer_after_the_deadline_counts_as_failed(self):
        ticket = self.new_ticket()
        self.status(ticket).deadline = fields.Datetime.now() - timedelta(hours=1)
        ticket.with_user(self.agent).message_post(body="Spät", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertEqual(self.status(ticket).status, "failed")
        self.assertTrue(ticket.sla_failed)

    def test_closing_reaches_resolved_and_reopening_runs_the_clock_again(self):
        resolved = self.env["stueber.helpdesk.sla"].create(
            {"name": "Gelöst", "target": "resolved", "time_hours": 16, "resource_calendar_id": self.calendar.id}
        )
        ticket = self.new_ticket()
        ticket.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
        self.assertEqual(self.status(ticket, resolved).status, "reached")
        ticket.stage_id = self.stage_progress
        self.assertEqual(self.status(ticket, resolved).status, "ongoing")

    def test_cron_marks_passed_deadlines_failed(self):
        ticket = self.new_ticket()
        self.status(ticket).deadline = fields.Datetime.now() - timedelta(minutes=1)
        self.env["stueber.helpdesk.sla.status"]._cron_check_deadlines()
        self.assertEqual(self.status(ticket).status, "failed")
        self.assertTrue(ticket.sla_failed)
        failed = self.env["stueber.helpdesk.ticket"].search([("sla_state", "in", ["failed"])])
        self.assertIn(ticket, failed)

    def test_ticket_near_its_deadline_is_at_risk_and_warns_assignee_and_lead(self):
        ticket = self.new_ticket(user_id=self.agent.id, team_id=self.team.id)
        self.status(ticket).deadline = fields.Datetime.now() + timedelta(minutes=30)
        at_risk = self.env["stueber.helpdesk.ticket"].search([("sla_state", "in", ["at_risk"])])
        self.assertEqual(at_risk, ticket)
        self.assertEqual(ticket.sla_state, "at_risk")
        self.env["stueber.helpdesk.sla.status"]._cron_check_deadlines()
        self.assertEqual(ticket.activity_ids.user_id, self.agent | self.manager)
        self.env["stueber.helpdesk.sla.status"]._cron_check_deadlines()
        self.assertEqual(len(ticket.activity_ids), 2, "warned once")

    def test_ticket_far_from_its_deadline_is_not_at_risk(self):
        ticket = self.new_ticket()
        self.status(ticket).deadline = fields.Datetime.now() + timedelta(hours=5)
        self.assertEqual(ticket.sla_state, "ok")
        self.assertNotIn(ticket, self.env["stueber.helpdesk.ticket"].search([("sla_state", "in", ["at_risk"])]))

    def test_cron_works_in_bounded_batches(self):
        tickets = self.env["stueber.helpdesk.ticket"].create([{"name": f"T{i}"} for i in range(5)])
        tickets.sla_status_ids.write({"deadline": fields.Datetime.now() - timedelta(minutes=5)})
        self.patch(type(self.env["stueber.helpdesk.sla.status"]), "_cron_batch_size", 2)
        self.env["stueber.helpdesk.sla.status"]._cron_check_deadlines()
        self.assertEqual(set(tickets.sla_status_ids.mapped("status")), {"failed"})


@tagged("post_install", "-at_install")
class TestSlaBrowser(HttpCase, SlaCase):
    def test_portal_shows_when_to_expect_the_first_answer(self):
        ticket = self.new_ticket()
        self.authenticate(self.teacher_a.login, self.teacher_a.login)
        page = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertIn("o_stueber_answer_by", page.text)
        ticket.with_user(self.agent).message_post(
            body="Erledigt", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        page = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertNotIn("o_stueber_answer_by", page.text, "answered: no promise shown any more")

    def test_tour_agent_sees_sla_badge_and_assigns_ticket(self):
        overdue = self.new_ticket(name="Tour-Beamer")
        at_risk = self.new_ticket(name="Tour-Tafel")
        self.status(overdue).deadline = fields.Datetime.now() - timedelta(hours=1)
        self.status(at_risk).deadline = fields.Datetime.now() + timedelta(minutes=50)
        self.start_tour("/odoo/helpdesk-tickets", "stueber_helpdesk_sla_tour", login=self.agent.login)
        self.assertEqual(overdue.user_id, self.agent)


@tagged("post_install", "-at_install")
class TestSlaAccess(SlaCase):
    def test_portal_user_cannot_read_service_levels_of_tickets(self):
        ticket = self.new_ticket()
        with self.assertRaises(AccessError):
            self.env["stueber.helpdesk.sla.status"].with_user(self.teacher_a).search([("ticket_id", "=", ticket.id)])
        with self.assertRaises(AccessError):
            self.env["stueber.helpdesk.sla"].with_user(self.teacher_a).search([])

    def test_agent_cannot_change_service_levels_or_fake_a_reached_status(self):
        ticket = self.new_ticket()
        with self.assertRaises(AccessError):
            self.first_answer.with_user(self.agent).time_hours = 100
        with self.assertRaises(AccessError):
            self.status(ticket).with_user(self.agent).write({"status": "reached"})

    def test_portal_user_cannot_choose_the_team_of_a_new_ticket(self):
        other = self.env["stueber.helpdesk.team"].create({"name": "Intern"})
        ticket = (
            self.env["stueber.helpdesk.ticket"]
            .with_user(self.teacher_a)
            .create({"name": "Team wählen", "team_id": other.id})
        )
        self.assertEqual(ticket.sudo().team_id, self.team)
