from odoo import api, fields, models
from odoo.exceptions import UserError


class StueberHelpdeskUnassignedMailAssign(models.TransientModel):
    """Turns a kept mail into a new ticket for a chosen contact, or into a
    message on an existing ticket."""

    _name = "stueber.helpdesk.unassigned.mail.assign"
    _description = "Assign Unassigned Mail"

    unassigned_mail_id = fields.Many2one("stueber.helpdesk.unassigned.mail", required=True, ondelete="cascade")
    mode = fields.Selection(
        [("new", "Create a ticket"), ("existing", "Add to an existing ticket")],
        required=True,
        default="new",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_from_mail",
        store=True,
        readonly=False,
        help="The contact the new ticket is for; the sender's own contact if there is one.",
    )
    name = fields.Char(string="Subject", compute="_compute_from_mail", store=True, readonly=False)
    ticket_id = fields.Many2one("stueber.helpdesk.ticket")

    @api.depends("unassigned_mail_id")
    def _compute_from_mail(self):
        for wizard in self:
            wizard.partner_id = wizard.unassigned_mail_id.partner_id
            wizard.name = wizard.unassigned_mail_id.subject

    def action_confirm(self):
        self.ensure_one()
        mail = self.unassigned_mail_id
        if mail.state != "new":
            raise UserError(self.env._("This mail has already been assigned or discarded."))
        if self.mode == "new":
            if not self.partner_id:
                raise UserError(self.env._("Choose the customer the ticket is for."))
            ticket = mail._create_ticket(self.partner_id, self.name)
        else:
            if not self.ticket_id:
                raise UserError(self.env._("Choose the ticket the mail belongs to."))
            ticket = mail._post_on_ticket(self.ticket_id)
        return ticket._get_records_action(context={})
