from odoo import fields, models

from .stueber_helpdesk_ticket import CHANNELS, PRIORITIES


class StueberHelpdeskTicketReport(models.Model):
    """Ticket analysis: one row per ticket (merged tickets left out, they are
    counted in the ticket they were merged into), with the measures
    management asks for, by team, agent, category, institution, Bundesland
    (the institution's own state) and month.

    A view over the ticket table alone: the measures are kept on the ticket
    when they happen (``stueber_helpdesk_ticket_metrics``), so PostgreSQL
    answers a report from the ticket rows and their indexes.
    """

    _name = "stueber.helpdesk.ticket.report"
    _description = "Ticket Analysis"
    _auto = False
    _order = "create_date desc"
    _rec_name = "name"
    # flushed before the view is read, so a report shows what was just written
    _depends = {
        "stueber.helpdesk.ticket": [
            "number",
            "name",
            "create_date",
            "closed_date",
            "first_response_date",
            "user_id",
            "team_id",
            "category_id",
            "institution_id",
            "partner_id",
            "stage_id",
            "channel",
            "priority",
            "company_id",
            "is_closed",
            "reopen_count",
            "resolution_working_hours",
            "sla_failed",
            "sla_reached",
            "rating_last_value",
            "active",
            "merged_into_id",
        ],
        "stueber.helpdesk.institution": ["state_id"],
    }

    ticket_id = fields.Many2one("stueber.helpdesk.ticket", readonly=True)
    number = fields.Char(string="Ticket Number", readonly=True)
    name = fields.Char(string="Subject", readonly=True)
    create_date = fields.Datetime(string="Created on", readonly=True)
    closed_date = fields.Datetime(string="Closed on", readonly=True)
    first_response_date = fields.Datetime(string="First Answer on", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    team_id = fields.Many2one("stueber.helpdesk.team", readonly=True)
    category_id = fields.Many2one("stueber.helpdesk.category", readonly=True)
    institution_id = fields.Many2one("stueber.helpdesk.institution", readonly=True)
    state_id = fields.Many2one("res.country.state", string="Bundesland", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    stage_id = fields.Many2one("stueber.helpdesk.stage", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    is_closed = fields.Boolean(string="Closed", readonly=True)
    closed_count = fields.Integer(string="Tickets Closed", readonly=True, aggregator="sum")
    answered_count = fields.Integer(string="Tickets Answered", readonly=True, aggregator="sum")
    first_response_hours = fields.Float(
        string="First Answer (Hours)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Hours from creation to staff's first answer or call (calendar hours).",
    )
    resolution_hours = fields.Float(
        string="Resolution Time (Hours)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Hours from creation to closing, for closed tickets (calendar hours).",
    )
    resolution_working_hours = fields.Float(
        string="Resolution Time (Working Hours)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Working hours from creation to closing, for closed tickets: nights, weekends and public "
        "holidays do not count.",
    )
    sla_success_rate = fields.Float(
        string="SLA Success Rate (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the tickets with service levels that reached all of them in time; "
        "tickets whose service levels are still running do not count.",
    )
    sla_failed_count = fields.Integer(string="SLA Failed", readonly=True, aggregator="sum")
    reopen_count = fields.Integer(string="Reopened", readonly=True, aggregator="sum")
    rating = fields.Float(
        string="Rating Average",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="The customers' ratings (1 unhappy, 3 neutral, 5 happy); tickets without rating do not count.",
    )

    @property
    def _table_query(self):
        return """
            SELECT t.id,
                   t.id AS ticket_id,
                   t.number,
                   t.name,
                   t.create_date,
                   t.closed_date,
                   t.first_response_date,
                   t.user_id,
                   t.team_id,
                   t.category_id,
                   t.institution_id,
                   institution.state_id,
                   t.partner_id,
                   t.stage_id,
                   t.channel,
                   t.priority,
                   t.company_id,
                   t.is_closed,
                   CASE WHEN t.is_closed THEN 1 ELSE 0 END AS closed_count,
                   CASE WHEN t.first_response_date IS NOT NULL THEN 1 ELSE 0 END AS answered_count,
                   EXTRACT(EPOCH FROM (t.first_response_date - t.create_date)) / 3600.0 AS first_response_hours,
                   CASE WHEN t.is_closed
                        THEN EXTRACT(EPOCH FROM (t.closed_date - t.create_date)) / 3600.0
                   END AS resolution_hours,
                   CASE WHEN t.is_closed THEN t.resolution_working_hours END AS resolution_working_hours,
                   CASE WHEN t.sla_failed THEN 0.0 WHEN t.sla_reached THEN 100.0 END AS sla_success_rate,
                   CASE WHEN t.sla_failed THEN 1 ELSE 0 END AS sla_failed_count,
                   t.reopen_count,
                   NULLIF(t.rating_last_value, 0) AS rating
              FROM stueber_helpdesk_ticket t
         LEFT JOIN stueber_helpdesk_institution institution ON institution.id = t.institution_id
             WHERE t.active IS TRUE
               AND t.merged_into_id IS NULL
        """
