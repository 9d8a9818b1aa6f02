import logging
from datetime import UTC, datetime, timedelta

from odoo import api, fields, models
from odoo.tools import consteq
from odoo.tools.misc import hmac

from ..tools.cron import commit_batch
from ..tools.service_calendar import working_days_between

_logger = logging.getLogger(__name__)

CRON_BATCH = 200  # tickets per transaction (each may send a mail)
REOPEN_SCOPE = "stueber_helpdesk.reopen"


class StueberHelpdeskAutoclose(models.AbstractModel):
    """Reminders and auto-close of tickets that wait for the customer.

    A ticket in a waiting stage gets a reminder mail after the team's
    reminder days and is closed after its auto-close days more, with a mail
    whose signed link reopens it within the team's reopen days. The days are
    working days of the customer: weekends, the public holidays and the
    school holidays of the institution's state do not count, so a school is
    not closed out over the summer.
    """

    _name = "stueber.helpdesk.autoclose"
    _description = "Helpdesk Reminders and Auto-close"

    @api.model
    def _cron_remind_and_close(self):
        Ticket = self.env["stueber.helpdesk.ticket"].sudo()
        today = fields.Date.context_today(self)
        closed_dates = {}  # per state, for this run
        last_id = 0
        while True:
            tickets = Ticket.search(
                [
                    ("waiting_since", "!=", False),
                    ("is_closed", "=", False),
                    ("team_id.reminder_days", ">", 0),
                    ("id", ">", last_id),
                ],
                order="id",
                limit=CRON_BATCH,
            )
            if not tickets:
                break
            last_id = tickets[-1].id
            for ticket in tickets:
                state = ticket.institution_id.state_id
                if state not in closed_dates:
                    closed_dates[state] = self.env["stueber.helpdesk.school.holiday"]._closed_dates(
                        state, today - timedelta(days=400), today
                    )
                self._process_ticket(ticket, today, closed_dates[state])
            if commit_batch(self.env, len(tickets)):
                return

    @api.model
    def _process_ticket(self, ticket, today, closed):
        team = ticket.team_id
        if not ticket.stueber_reminder_date:
            waited = working_days_between(ticket.waiting_since.date(), today, closed)
            if waited >= team.reminder_days:
                self._send_reminder(ticket)
        elif team.autoclose_days:
            waited = working_days_between(ticket.stueber_reminder_date.date(), today, closed)
            if waited >= team.autoclose_days:
                self._close(ticket)

    @api.model
    def _post_automatic_mail(self, ticket, template_xmlid):
        """Post a template as an automatic mail to the customer, the one way
        every such mail goes (headers, language, the recipient's own link)."""
        self.env["stueber.helpdesk.customer.mail"]._post(self.env.ref(template_xmlid), ticket)

    @api.model
    def _send_reminder(self, ticket):
        self._post_automatic_mail(ticket, "stueber_helpdesk.mail_template_ticket_reminder")
        ticket.stueber_reminder_date = fields.Datetime.now()

    @api.model
    def _close(self, ticket):
        stage = self.env["stueber.helpdesk.stage"].search([("is_closed", "=", True)], limit=1)
        # the closing mail below replaces the stage's status mail
        ticket.with_context(stueber_skip_status_mail=True).write({"stage_id": stage.id})
        ticket.flush_recordset(["closed_date"])
        self._post_automatic_mail(ticket, "stueber_helpdesk.mail_template_ticket_autoclosed")

    # ------------------------------------------------------------
    # ONE-CLICK REOPEN
    # ------------------------------------------------------------

    @api.model
    def _reopen_token(self, ticket):
        """The closing time and a signature of the ticket and that time:
        valid for this closing only (a later closing signs another time).
        The time travels in the link so that the signature can be checked
        before the ticket is read at all. An open ticket has no link."""
        if not ticket.closed_date:
            return ""
        closed_at = int(ticket.closed_date.replace(tzinfo=UTC).timestamp())
        return f"{closed_at}-{self._reopen_signature(ticket.id, closed_at)}"

    @api.model
    def _reopen_signature(self, ticket_id, closed_at):
        return hmac(self.env(su=True), REOPEN_SCOPE, (ticket_id, closed_at))

    @api.model
    def _reopen_url(self, ticket):
        return f"{ticket.get_base_url()}/helpdesk/reopen/{ticket.id}/{self._reopen_token(ticket)}"

    @api.model
    def _reopen_link_ticket(self, ticket_id, token):
        """The ticket (as superuser) that the link ``ticket_id``/``token``
        reopens, or an empty recordset: the signature is checked first, from
        the link alone, so a forged link never reads a ticket; then the link
        must be of the ticket's current closing, within the team's reopen days."""
        tickets = self.env["stueber.helpdesk.ticket"]
        closed_at, _sep, signature = str(token or "").partition("-")
        if not closed_at.isdigit() or not consteq(signature, self._reopen_signature(ticket_id, int(closed_at))):
            return tickets
        ticket = tickets.sudo().browse(ticket_id).exists()
        if not ticket.is_closed or not ticket.closed_date:
            return tickets
        if ticket.closed_date != datetime.fromtimestamp(int(closed_at), UTC).replace(tzinfo=None):
            return tickets
        days = ticket.team_id.reopen_days if ticket.team_id else 14
        return ticket if fields.Datetime.now() <= ticket.closed_date + timedelta(days=days) else tickets

    @api.model
    def _reopen(self, ticket):
        ticket.write({"stage_id": ticket._reopen_stage().id})
        ticket._message_log(body=self.env._("The customer reopened the ticket with the link of the closing mail."))
