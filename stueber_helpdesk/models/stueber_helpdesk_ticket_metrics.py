# A room of its own for one concept of the ticket (STYLE: "add rooms, do not grow the ticket").
# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models


class StueberHelpdeskTicket(models.Model):
    """What the reports measure, kept on the ticket when it happens, so a
    report reads one row per ticket instead of scanning messages."""

    _inherit = "stueber.helpdesk.ticket"

    first_response_date = fields.Datetime(
        string="First Answer on",
        readonly=True,
        copy=False,
        help="When staff first answered the customer: a message to the customer or a logged phone call.",
    )
    reopen_count = fields.Integer(
        string="Reopened",
        readonly=True,
        copy=False,
        default=0,
        aggregator="sum",
        help="How often the ticket was reopened after being closed.",
    )

    resolution_working_hours = fields.Float(
        string="Resolution Time (Working Hours)",
        compute="_compute_resolution_working_hours",
        store=True,
        readonly=True,
        copy=False,
        # a new ticket's value in its INSERT: computing it after (0 while open) then writes no UPDATE
        default=0.0,
        digits=(16, 1),
        help="Working hours from creation to closing: the calendar of the ticket's service level for "
        "resolution, else the company's working hours; weekends and public holidays do not count.",
    )
    sla_reached = fields.Boolean(
        string="SLA Reached",
        compute="_compute_sla_reached",
        store=True,
        precompute=True,  # in the INSERT of a new ticket, not an UPDATE after it
        help="The ticket has service levels and reached all of them in time.",
    )

    # The reports' default window ("created in the last 30 days") and months.
    _create_date_idx = models.Index("(create_date)")

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("closed_date")
    def _compute_resolution_working_hours(self):
        """Computed once when the ticket closes (and again if it closes after
        a reopening), so the reports read a column instead of a calendar."""
        Sla = self.env["stueber.helpdesk.sla"]
        for ticket in self:
            if not ticket.closed_date:
                ticket.resolution_working_hours = 0.0
                continue
            ticket.resolution_working_hours = Sla._calendar_working_hours(
                ticket._metrics_calendar(), ticket, ticket.create_date, ticket.closed_date
            )

    @api.depends("sla_status_ids.status")
    def _compute_sla_reached(self):
        for ticket in self:
            statuses = ticket.sla_status_ids.mapped("status")
            ticket.sla_reached = bool(statuses) and all(status == "reached" for status in statuses)

    def _metrics_calendar(self):
        """The working hours a resolution time counts in: those of the
        service level for resolution, else the company's."""
        self.ensure_one()
        resolved = self.sla_status_ids.filtered(lambda s: s.target == "resolved")
        return resolved.sla_id.resource_calendar_id[:1] or self.company_id.resource_calendar_id

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        closed = self.filtered("is_closed") if "stage_id" in vals else self.browse()
        res = super().write(vals)
        for ticket in closed.filtered(lambda t: not t.is_closed):
            ticket.reopen_count += 1
        return res

    def _message_post_after_hook(self, message, msg_vals):
        """The first staff answer to the customer (not a note) or a logged call."""
        res = super()._message_post_after_hook(message, msg_vals)
        if not self.first_response_date and self._metrics_is_first_response(message):
            self.sudo().first_response_date = message.date
        return res

    def _metrics_is_first_response(self, message):
        if message.message_type != "comment" or not message.author_id.user_ids:
            return False
        if not any(user._is_internal() for user in message.author_id.user_ids):
            return False
        answer_subtypes = (self.env.ref("mail.mt_comment"), self.env.ref("stueber_helpdesk.mt_ticket_call"))
        return message.subtype_id in answer_subtypes
