# A room of its own for one concept of the ticket (STYLE: "add rooms, do not grow the ticket").
# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models


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

    # The reports' default window ("created in the last 30 days") and months.
    _create_date_idx = models.Index("(create_date)")

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
