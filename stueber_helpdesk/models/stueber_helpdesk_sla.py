from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools.intervals import Intervals

from ..tools.service_calendar import public_holidays
from .stueber_helpdesk_ticket import PRIORITIES

SLA_TARGETS = [("first_answer", "First answer"), ("resolved", "Resolved")]


class StueberHelpdeskSla(models.Model):
    """A service level: the working hours within which tickets that match
    the policy must reach a target (first answer, or resolved).

    The clock runs on the policy's working-hours calendar (``resource``):
    nights, weekends, the calendar's leaves (the vendor's closing days) and
    the public holidays of the vendor's and the institution's German state
    (``holidays`` package) do not count; time in a stage that waits for the
    customer does not count either.

    Access: helpdesk users read, helpdesk managers manage.
    """

    _name = "stueber.helpdesk.sla"
    _inherit = ["stueber.helpdesk.active.cache"]
    _description = "Service Level Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    team_ids = fields.Many2many("stueber.helpdesk.team", string="Teams", help="Empty: tickets of every team.")
    priority = fields.Selection(
        PRIORITIES,
        string="Minimum Priority",
        default="0",
        required=True,
        help="Tickets of this priority or higher.",
    )
    category_ids = fields.Many2many("stueber.helpdesk.category", string="Categories", help="Empty: any category.")
    institution_ids = fields.Many2many("stueber.helpdesk.institution", string="Institutions")
    institution_tag_ids = fields.Many2many(
        "res.partner.category",
        string="Institution Tags",
        help="With institutions or tags: only tickets of those institutions or of institutions with such a tag.",
    )
    target = fields.Selection(SLA_TARGETS, required=True, default="first_answer")
    time_hours = fields.Float(
        string="Working Hours", required=True, default=8, help="Time to reach the target, in working hours."
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours Calendar",
        required=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="Working hours of the support; its leaves are the vendor's closing days.",
    )

    _time_positive = models.Constraint("CHECK(time_hours > 0)", "The time of a service level must be positive.")

    # ------------------------------------------------------------
    # MATCHING
    # ------------------------------------------------------------

    def _matches(self, ticket):
        self.ensure_one()
        if self.team_ids and ticket.team_id not in self.team_ids:
            return False
        if int(ticket.priority or 0) < int(self.priority or 0):
            return False
        if self.category_ids and ticket.category_id not in self.category_ids:
            return False
        if self.institution_ids or self.institution_tag_ids:
            institution = ticket.institution_id
            tagged = bool(institution.tag_ids & self.institution_tag_ids)
            if institution not in self.institution_ids and not tagged:
                return False
        return True

    # ------------------------------------------------------------
    # WORKING TIME
    # ------------------------------------------------------------

    @api.model
    def _closed_dates(self, ticket, start, end):
        """The public holidays that stop the clock of ``ticket`` between two
        dates: those of the vendor's state and of the institution's state."""
        years = range(start.year, end.year + 1)
        states = {ticket.company_id.partner_id.state_id.code, ticket.institution_id.state_id.code} - {False, None}
        dates = set()
        for state in states or {None}:
            dates |= set(public_holidays(state, years))
        return dates

    def _work_intervals(self, ticket, start, end):
        """Working time between two aware datetimes on the policy's calendar."""
        self.ensure_one()
        return self._calendar_work_intervals(self.resource_calendar_id, ticket, start, end)

    @api.model
    def _calendar_work_intervals(self, calendar, ticket, start, end):
        """Working time of ``ticket`` between two aware datetimes: the
        calendar's attendances minus its leaves minus the public holidays."""
        tz = pytz.timezone(calendar.tz or "UTC")
        intervals = calendar._work_intervals_batch(start, end, tz=tz)[False]
        closed = self._closed_dates(ticket, start.astimezone(tz).date(), end.astimezone(tz).date())
        leave = self.env["resource.calendar.leaves"]
        holidays = Intervals(
            [
                (
                    tz.localize(datetime.combine(day, time.min)),
                    tz.localize(datetime.combine(day + timedelta(days=1), time.min)),
                    leave,
                )
                for day in closed
            ]
        )
        return intervals - holidays

    def _plan_deadline(self, ticket, start, hours=None):
        """The moment ``hours`` (default: the policy's time) working hours after
        ``start`` (naive UTC), as naive UTC; False when the calendar has no
        working time in the next four years."""
        self.ensure_one()
        hours = self.time_hours if hours is None else hours
        start = pytz.utc.localize(start)
        window = timedelta(days=14)
        for n in range(100):
            window_start = start + window * n
            for begin, stop, _meta in self._work_intervals(ticket, window_start, window_start + window):
                interval_hours = (stop - begin).total_seconds() / 3600
                if hours <= interval_hours:
                    return (begin + timedelta(hours=hours)).astimezone(pytz.utc).replace(tzinfo=None)
                hours -= interval_hours
        return False

    def _working_hours_between(self, ticket, start, end):
        """Working hours between two naive UTC datetimes (0 when ``end`` is not later)."""
        self.ensure_one()
        return self._calendar_working_hours(self.resource_calendar_id, ticket, start, end)

    @api.model
    def _calendar_working_hours(self, calendar, ticket, start, end):
        """Working hours of ``ticket`` on ``calendar`` between two naive UTC
        datetimes (0 when ``end`` is not later)."""
        if not calendar or not start or not end or end <= start:
            return 0.0
        intervals = self._calendar_work_intervals(calendar, ticket, pytz.utc.localize(start), pytz.utc.localize(end))
        return sum((stop - begin).total_seconds() for begin, stop, _meta in intervals) / 3600
