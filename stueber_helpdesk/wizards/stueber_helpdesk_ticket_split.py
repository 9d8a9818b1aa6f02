from textwrap import shorten

from odoo import api, fields, models
from odoo.tools import html2plaintext


class StueberHelpdeskTicketSplit(models.TransientModel):
    """Makes one message of a ticket a new ticket (same customer and institution)."""

    _name = "stueber.helpdesk.ticket.split"
    _description = "Split Message into New Ticket"

    ticket_id = fields.Many2one("stueber.helpdesk.ticket", required=True, ondelete="cascade")
    # A selection rather than a many2one: messages have no name to pick them
    # by, the label shows date, author and the beginning of the text.
    message = fields.Selection(selection="_selection_message", required=True)
    name = fields.Char(
        string="Subject", compute="_compute_name", store=True, readonly=False, required=True, precompute=True
    )

    @api.model
    def _selection_message(self):
        ticket = self.env["stueber.helpdesk.ticket"].browse(self.env.context.get("default_ticket_id"))
        if not ticket.exists():
            return []
        messages = self.env["mail.message"].search(
            ticket._merge_split_message_domain(ticket.id), order="date desc, id desc"
        )
        return [(str(message.id), self._message_label(message)) for message in messages]

    @api.model
    def _message_label(self, message):
        date = fields.Datetime.context_timestamp(self, message.date).strftime("%d.%m.%Y %H:%M")
        text = shorten(html2plaintext(message.body or ""), 80, placeholder=" …") or message.subject or "-"
        return f"{date} - {message.author_id.name or message.email_from or '?'}: {text}"

    @api.depends("message")
    def _compute_name(self):
        for wizard in self:
            message = wizard._message_record()
            wizard.name = message.subject or wizard.name or wizard.ticket_id.name

    def _message_record(self):
        return self.env["mail.message"].browse(int(self.message)) if self.message else self.env["mail.message"]

    def action_split(self):
        self.ensure_one()
        ticket = self.ticket_id._split_message(self._message_record(), self.name)
        return ticket._get_records_action(context={})
