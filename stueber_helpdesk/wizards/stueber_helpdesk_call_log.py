from markupsafe import Markup

from odoo import api, fields, models


class StueberHelpdeskCallLog(models.TransientModel):
    """Records a phone call with the customer in the ticket's chatter."""

    _name = "stueber.helpdesk.call.log"
    _description = "Log a Phone Call"

    ticket_id = fields.Many2one("stueber.helpdesk.ticket", required=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner", string="Called", compute="_compute_partner_id", store=True, readonly=False
    )
    phone = fields.Char(compute="_compute_partner_id", store=True, readonly=False)
    call_date = fields.Datetime(string="Called on", required=True, default=fields.Datetime.now)
    outcome = fields.Text(required=True)
    callback_done = fields.Boolean(default=True, help="Clears the ticket's callback request.")

    @api.depends("ticket_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.ticket_id.partner_id
            wizard.phone = wizard.ticket_id.phone

    def action_log(self):
        self.ensure_one()
        ticket = self.ticket_id
        body = Markup("<p><strong>%s</strong></p><p>%s</p>") % (
            self.env._(
                "Phone call with %(partner)s (%(phone)s) on %(date)s by %(agent)s",
                partner=self.partner_id.display_name or "-",
                phone=self.phone or "-",
                date=fields.Datetime.context_timestamp(self, self.call_date).strftime("%Y-%m-%d %H:%M"),
                agent=self.env.user.name,
            ),
            self.outcome,
        )
        # a chatter entry of its own kind: internal (never mailed to the
        # customer), and findable as a call (first answer, reports)
        ticket.message_post(body=body, subtype_xmlid="stueber_helpdesk.mt_ticket_call", message_type="comment")
        # a call answers the customer: it reaches the "first answer" service level
        self.env["stueber.helpdesk.sla.status"]._reach_first_answer(ticket, min(self.call_date, fields.Datetime.now()))
        if self.callback_done and ticket.callback_requested:
            ticket.callback_requested = False
        return {"type": "ir.actions.act_window_close"}
