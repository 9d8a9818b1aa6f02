from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    stueber_helpdesk_attachment_max_mb = fields.Integer(
        string="Maximum Attachment Size (MB)",
        config_parameter="stueber_helpdesk.attachment_max_mb",
        default=25,
        help="Largest file a customer may attach to a ticket in the portal.",
    )
    stueber_helpdesk_reopen_on_reply = fields.Boolean(
        string="Reopen Closed Tickets on Reply",
        config_parameter="stueber_helpdesk.reopen_on_reply",
        default=True,
        help="A customer's reply to a closed ticket reopens it. Off: the reply opens a follow-up ticket.",
    )
