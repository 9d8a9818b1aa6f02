import logging
from datetime import timedelta

from odoo import api, fields, models

from ..tools.cron import commit_batch

_logger = logging.getLogger(__name__)

SLA_STATUSES = [("ongoing", "Ongoing"), ("reached", "Reached"), ("failed", "Failed")]
# How many statuses one cron transaction handles.
CRON_BATCH = 1000


class StueberHelpdeskSlaStatus(models.Model):
    """One service level of one ticket: its deadline, and whether and when it
    was reached.

    The deadline is planned in working hours when the policy starts to apply.
    While the ticket waits for the customer (a stage that pauses the clock)
    the status is paused; on resume the deadline moves by the working time
    that was left. A target reached after its deadline counts as failed; a
    deadline passed unreached is marked failed by the cron.

    Access: helpdesk users read (the ticket's code writes as superuser).
    """

    _name = "stueber.helpdesk.sla.status"
    _description = "Service Level of a Ticket"
    _order = "deadline, id"
    _rec_name = "sla_id"
    _cron_batch_size = CRON_BATCH

    ticket_id = fields.Many2one("stueber.helpdesk.ticket", required=True, ondelete="cascade", index=True)
    sla_id = fields.Many2one("stueber.helpdesk.sla", string="Service Level", required=True, ondelete="cascade")
    target = fields.Selection(related="sla_id.target", store=True)
    deadline = fields.Datetime(readonly=True)
    reached_datetime = fields.Datetime(string="Reached on", readonly=True)
    paused_since = fields.Datetime(readonly=True, help="Set while the ticket waits for the customer.")
    status = fields.Selection(SLA_STATUSES, required=True, default="ongoing", readonly=True)
    warned = fields.Boolean(readonly=True, help="The agent and the team lead got an activity before the deadline.")
    color = fields.Integer(compute="_compute_color")

    _ticket_sla_uniq = models.Constraint("UNIQUE(ticket_id, sla_id)", "A ticket has each service level once.")
    # The cron: unreached deadlines in order.
    _ongoing_deadline_idx = models.Index("(deadline) WHERE status = 'ongoing' AND paused_since IS NULL")

    @api.depends("status")
    def _compute_color(self):
        colors = {"ongoing": 0, "reached": 10, "failed": 1}
        for status in self:
            status.color = colors[status.status]

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _apply_to_tickets(self, tickets):
        """Give tickets the statuses of the policies that match them now, and
        drop the unreached statuses of policies that no longer match."""
        self, tickets = self.sudo(), tickets.sudo()
        policies = self.env["stueber.helpdesk.sla"]._stueber_active_records()
        policies._stueber_fetch_many2many(("team_ids", "category_ids", "institution_ids", "institution_tag_ids"))
        to_create = []
        to_drop = self.browse()
        for ticket in tickets:
            if ticket.is_closed:
                continue
            current = {status.sla_id: status for status in ticket.sla_status_ids}
            matching = policies.filtered(lambda policy, ticket=ticket: policy._matches(ticket))
            start = ticket.create_date or fields.Datetime.now()
            paused = fields.Datetime.now() if ticket.stage_id.is_waiting else False
            to_create += [
                {
                    "ticket_id": ticket.id,
                    "sla_id": policy.id,
                    "deadline": policy._plan_deadline(ticket, start),
                    "paused_since": paused,
                }
                for policy in matching
                if policy not in current
            ]
            to_drop |= ticket.sla_status_ids.filtered(
                lambda status, matching=matching: status.sla_id not in matching and status.status == "ongoing"
            )
        to_drop.unlink()
        statuses = self.create(to_create)
        # a stage that already counts as answered / resolved reaches at once
        self._reach_by_stage(statuses.ticket_id)
        return statuses

    @api.model
    def _reach_by_stage(self, tickets):
        """A stage that counts as answered reaches "first answer"; a closing
        stage reaches every target."""
        for ticket in tickets.sudo():
            stage = ticket.stage_id
            if stage.is_closed:
                ticket.sla_status_ids._reach()
            elif stage.is_answered:
                ticket.sla_status_ids.filtered(lambda s: s.target == "first_answer")._reach()

    @api.model
    def _on_stage_change(self, tickets, was_closed):
        """Pause or resume the clocks, reach targets, and start or stop the
        waiting-for-customer clock of reminders and auto-close."""
        now = fields.Datetime.now()
        for ticket in tickets.sudo():
            statuses = ticket.sla_status_ids
            if was_closed.get(ticket.id) and not ticket.is_closed:
                statuses.filtered(lambda s: s.target == "resolved")._reopen()
            if ticket.stage_id.is_waiting:
                statuses._pause()
                if not ticket.waiting_since:
                    ticket.write({"waiting_since": now, "stueber_reminder_date": False})
            else:
                statuses._resume()
                if ticket.waiting_since:
                    ticket.write({"waiting_since": False, "stueber_reminder_date": False})
        self._reach_by_stage(tickets)

    @api.model
    def _on_message(self, tickets, message):
        """A public answer of staff reaches "first answer" and, in a waiting
        stage, starts the reminder clock again; an answer of the customer
        stops it (the ticket stays in its stage: it is staff's turn)."""
        if message.message_type not in ("comment", "email") or message.subtype_id.internal:
            return
        author_is_staff = any(user._is_internal() for user in message.author_id.user_ids)
        for ticket in tickets.sudo():
            if author_is_staff and message.message_type == "comment":
                ticket.sla_status_ids.filtered(lambda s: s.target == "first_answer")._reach(message.date)
                if ticket.stage_id.is_waiting:
                    ticket.write({"waiting_since": message.date, "stueber_reminder_date": False})
            elif not author_is_staff and ticket.waiting_since:
                ticket.write({"waiting_since": False, "stueber_reminder_date": False})

    @api.model
    def _reach_first_answer(self, tickets, when=None):
        """A logged phone call answers the customer too."""
        for ticket in tickets.sudo():
            ticket.sla_status_ids.filtered(lambda s: s.target == "first_answer")._reach(when)

    def _reach(self, when=None):
        """Mark these statuses reached at ``when`` (now); late ones count as failed."""
        when = when or fields.Datetime.now()
        for status in self.filtered(lambda s: not s.reached_datetime):
            late = status.deadline and when > status.deadline and not status.paused_since
            status.write({"reached_datetime": when, "status": "failed" if late else "reached", "paused_since": False})

    def _reopen(self):
        """A reopened ticket is not resolved any more: the clock runs again."""
        for status in self.filtered("reached_datetime"):
            failed = status.deadline and status.deadline < fields.Datetime.now()
            status.write({"reached_datetime": False, "status": "failed" if failed else "ongoing"})

    def _pause(self):
        self.filtered(lambda s: s.status == "ongoing" and not s.paused_since).write(
            {"paused_since": fields.Datetime.now()}
        )

    def _resume(self):
        """Move each deadline by the working time that was left when the pause began."""
        now = fields.Datetime.now()
        for status in self.filtered("paused_since"):
            left = status.sla_id._working_hours_between(status.ticket_id, status.paused_since, status.deadline)
            status.write(
                {
                    "deadline": status.sla_id._plan_deadline(status.ticket_id, now, left),
                    "paused_since": False,
                }
            )

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_check_deadlines(self):
        """Mark passed deadlines failed and warn before deadlines, in batches
        of ``CRON_BATCH`` committed one by one (bounded time and memory at
        any number of open tickets: every search is an indexed range with a
        limit)."""
        now = fields.Datetime.now()
        hours = float(self.env["ir.config_parameter"].sudo().get_param("stueber_helpdesk.sla_warning_hours", 1) or 0)
        base = [("status", "=", "ongoing"), ("paused_since", "=", False), ("deadline", "!=", False)]
        while True:
            overdue = self.search([*base, ("deadline", "<", now)], limit=self._cron_batch_size)
            if not overdue:
                break
            overdue.write({"status": "failed"})
            if commit_batch(self.env, len(overdue)):
                return
        if hours <= 0:
            return
        while True:
            soon = self.search(
                [*base, ("warned", "=", False), ("deadline", "<=", now + timedelta(hours=hours))],
                limit=self._cron_batch_size,
            )
            if not soon:
                break
            soon._warn()
            if commit_batch(self.env, len(soon)):
                return

    def _warn(self):
        """An activity for the assignee and the team lead before the deadline."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        values = []
        model_id = self.env["ir.model"]._get_id("stueber.helpdesk.ticket")
        for status in self:
            ticket = status.ticket_id
            users = (ticket.user_id | ticket.team_id.lead_id).filtered("active")
            for user in users:
                values.append(
                    {
                        "res_model_id": model_id,
                        "res_id": ticket.id,
                        "activity_type_id": activity_type.id,
                        "user_id": user.id,
                        "summary": self.env._("Service level due: %(sla)s", sla=status.sla_id.name),
                        "date_deadline": fields.Date.context_today(self, status.deadline),
                    }
                )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(values)
        self.write({"warned": True})
