from odoo import api, fields, models


class StueberHelpdeskTicketMerge(models.TransientModel):
    """Merges the tickets selected in the list into one of them."""

    _name = "stueber.helpdesk.ticket.merge"
    _description = "Merge Tickets"

    ticket_ids = fields.Many2many(
        "stueber.helpdesk.ticket",
        string="Tickets",
        required=True,
        default=lambda self: self._default_ticket_ids(),
    )
    target_id = fields.Many2one(
        "stueber.helpdesk.ticket",
        string="Merge into",
        compute="_compute_target_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        domain="[('id', 'in', ticket_ids)]",
        help="The ticket that remains; the others close in the stage Merged and point to it.",
    )
    notify_customer = fields.Boolean(
        string="Notify the Customer",
        default=True,
        help="One message from the remaining ticket tells the customers the number to use from now on.",
    )

    @api.model
    def _default_ticket_ids(self):
        if self.env.context.get("active_model") != "stueber.helpdesk.ticket":
            return []
        return [(6, 0, self.env.context.get("active_ids") or [])]

    @api.depends("ticket_ids")
    def _compute_target_id(self):
        """The oldest ticket by default: its number is the one people know."""
        for wizard in self:
            if wizard.target_id not in wizard.ticket_ids._origin:
                wizard.target_id = wizard.ticket_ids._origin.sorted("id")[:1]

    def action_merge(self):
        self.ensure_one()
        self.target_id._merge_from(self.ticket_ids - self.target_id, notify_customer=self.notify_customer)
        return self.target_id._get_records_action(context={})
