# A room of its own for one concept of the ticket (STYLE: "add rooms, do not grow the ticket").
# pylint: disable=consider-merging-classes-inherited
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

# Changing these may change which service levels apply.
SLA_FIELDS = {"team_id", "priority", "category_id", "institution_id"}
# A deadline this close counts as "at risk".
SLA_AT_RISK = timedelta(hours=2)


class StueberHelpdeskTicket(models.Model):
    """Service levels of a ticket: its team, the deadlines of the service
    levels that apply (kept in ``stueber.helpdesk.sla.status``), the badge
    staff see, and the waiting clock of reminders and auto-close."""

    _inherit = "stueber.helpdesk.ticket"

    team_id = fields.Many2one("stueber.helpdesk.team", tracking=True, index=True, ondelete="restrict")
    sla_status_ids = fields.One2many("stueber.helpdesk.sla.status", "ticket_id", string="Service Levels")
    sla_deadline = fields.Datetime(
        string="SLA Deadline",
        compute="_compute_sla",
        store=True,
        precompute=True,  # in the INSERT of a new ticket, not an UPDATE after it
        index="btree_not_null",
        help="The nearest deadline of a service level not yet reached.",
    )
    sla_failed = fields.Boolean(string="SLA Failed", compute="_compute_sla", store=True, precompute=True)
    sla_state = fields.Selection(
        [("ok", "On time"), ("at_risk", "At risk"), ("failed", "Failed")],
        string="SLA",
        compute="_compute_sla_state",
        search="_search_sla_state",
    )
    sla_remaining = fields.Char(string="SLA Time Left", compute="_compute_sla_state")
    first_answer_deadline = fields.Datetime(
        string="Answer by", compute="_compute_first_answer_deadline", compute_sudo=True
    )
    waiting_since = fields.Datetime(
        readonly=True, copy=False, index="btree_not_null", help="Since when the ticket waits for the customer."
    )
    stueber_reminder_date = fields.Datetime(string="Reminder Sent on", readonly=True, copy=False)

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("sla_status_ids.deadline", "sla_status_ids.status", "sla_status_ids.paused_since")
    def _compute_sla(self):
        for ticket in self:
            running = ticket.sla_status_ids.filtered(lambda s: s.status == "ongoing" and not s.paused_since)
            ticket.sla_deadline = min(running.filtered("deadline").mapped("deadline"), default=False)
            ticket.sla_failed = "failed" in ticket.sla_status_ids.mapped("status")

    @api.depends("sla_deadline", "sla_failed")
    def _compute_sla_state(self):
        """What the badge shows, from the stored columns only (no query per card)."""
        now = fields.Datetime.now()
        for ticket in self:
            ticket.sla_remaining = False
            if ticket.sla_failed or (ticket.sla_deadline and ticket.sla_deadline < now):
                ticket.sla_state = "failed"
            elif ticket.sla_deadline:
                left = ticket.sla_deadline - now
                ticket.sla_state = "at_risk" if left < SLA_AT_RISK else "ok"
                ticket.sla_remaining = ticket._sla_format_left(left)
            else:
                ticket.sla_state = False

    def _sla_format_left(self, left):
        hours, seconds = divmod(int(left.total_seconds()), 3600)
        if hours >= 24:
            return self.env._("%(days)s d", days=hours // 24)
        return self.env._("%(hours)s h %(minutes)s min", hours=hours, minutes=seconds // 60)

    def _search_sla_state(self, operator, value):
        """'failed' and 'at_risk' for the filters, on the indexed columns."""
        if operator != "in":
            return NotImplemented
        now = fields.Datetime.now()
        domains = []
        if "failed" in value:
            domains.append(["|", ("sla_failed", "=", True), ("sla_deadline", "<", now)])
        if "at_risk" in value:
            domains.append(
                [("sla_failed", "=", False), ("sla_deadline", ">=", now), ("sla_deadline", "<", now + SLA_AT_RISK)]
            )
        if not domains:
            return [("id", "=", False)]
        return Domain.OR(domains)

    @api.depends("sla_status_ids.deadline", "sla_status_ids.status")
    def _compute_first_answer_deadline(self):
        for ticket in self:
            pending = ticket.sla_status_ids.filtered(lambda s: s.target == "first_answer" and s.status == "ongoing")
            ticket.first_answer_deadline = min(pending.filtered("deadline").mapped("deadline"), default=False)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        """A new ticket gets its team (and agent) by the team rules first,
        then the service levels that apply to it."""
        tickets = super(StueberHelpdeskTicket, self.with_context(stueber_sla_skip=True)).create(vals_list)
        tickets = tickets.with_env(self.env)
        self.env["stueber.helpdesk.team"]._route_new_tickets(tickets.with_context(stueber_sla_skip=True))
        if self.env["stueber.helpdesk.sla"]._stueber_active_ids():  # cached: free without service levels
            self.env["stueber.helpdesk.sla.status"]._apply_to_tickets(tickets)
        if waiting := tickets.filtered("stage_id.is_waiting"):
            self.env["stueber.helpdesk.sla.status"]._on_stage_change(waiting, {})
        return tickets

    def write(self, vals):
        was_closed = {ticket.id: ticket.is_closed for ticket in self} if "stage_id" in vals else {}
        res = super().write(vals)
        if was_closed:
            self.env["stueber.helpdesk.sla.status"]._on_stage_change(self, was_closed)
        if SLA_FIELDS & vals.keys() and not self.env.context.get("stueber_sla_skip"):
            self.env["stueber.helpdesk.sla.status"]._apply_to_tickets(self)
        return res

    # ------------------------------------------------------------
    # MAIL
    # ------------------------------------------------------------

    def _message_post_after_hook(self, message, msg_vals):
        """A public staff answer reaches "first answer"; a customer's answer stops the waiting clock."""
        res = super()._message_post_after_hook(message, msg_vals)
        self.env["stueber.helpdesk.sla.status"]._on_message(self, message)
        return res

    def _stueber_reopen_url(self):
        """The one-click reopen link of the auto-close mail."""
        self.ensure_one()
        return self.env["stueber.helpdesk.autoclose"]._reopen_url(self)
