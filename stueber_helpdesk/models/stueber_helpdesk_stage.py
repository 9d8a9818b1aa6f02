from odoo import fields, models


class StueberHelpdeskStage(models.Model):
    """A step of a ticket's life.

    ``customer_status`` is what customers read in the portal and in mails; the
    internal ``name`` may be more detailed. Entering a stage that has a
    ``mail_template_id`` sends that mail to the customer.
    """

    _name = "stueber.helpdesk.stage"
    _inherit = ["stueber.helpdesk.active.cache"]
    _description = "Ticket Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    customer_status = fields.Char(
        string="Status for Customers",
        translate=True,
        help="The status name customers see in the portal and in mails. Empty: the stage name.",
    )
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in Kanban")
    is_closed = fields.Boolean(
        string="Closing Stage",
        help="Tickets in this stage are done: they count as closed and get a closing date.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Status Mail",
        domain=[("model", "=", "stueber.helpdesk.ticket")],
        help="Sent to the customer when a ticket enters this stage.",
    )
    is_answered = fields.Boolean(
        string="Counts as Answered",
        help="Entering this stage reaches the 'first answer' service level.",
    )
    is_waiting = fields.Boolean(
        string="Waiting for Customer",
        help="Service level clocks pause in this stage; the team's reminder and auto-close apply.",
    )
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
