from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    stueber_helpdesk_attachment_max_mb = fields.Integer(
        string="Maximum Attachment Size (MB)",
        config_parameter="stueber_helpdesk.attachment_max_mb",
        default=25,
        help="Largest file a customer may attach to a ticket in the portal.",
    )
    # On by default through data/ir_config_parameter_mail_data.xml, not
    # default=True: switching a boolean parameter off deletes it, so a default
    # here would switch it on again.
    stueber_helpdesk_reopen_on_reply = fields.Boolean(
        string="Reopen Closed Tickets on Reply",
        config_parameter="stueber_helpdesk.reopen_on_reply",
        help="A customer's reply to a closed ticket reopens it. Off: the reply opens a follow-up ticket.",
    )

    # ---- E-mail intake (support alias) ----
    stueber_helpdesk_alias_id = fields.Many2one(
        "mail.alias",
        string="Support Alias",
        default=lambda self: self.env.ref("stueber_helpdesk.mail_alias_support", raise_if_not_found=False),
    )
    stueber_helpdesk_alias_name = fields.Char(
        related="stueber_helpdesk_alias_id.alias_name",
        readonly=False,
        string="Support Address",
        help="Mail to this address becomes a ticket or a reply to one.",
    )
    stueber_helpdesk_alias_domain_id = fields.Many2one(
        related="stueber_helpdesk_alias_id.alias_domain_id", readonly=False, string="Support Address Domain"
    )

    # ---- Service levels ----
    stueber_helpdesk_sla_warning_hours = fields.Float(
        string="SLA Warning (Hours before)",
        config_parameter="stueber_helpdesk.sla_warning_hours",
        default=1.0,
        help="The assignee and the team lead get an activity this long before a service level's deadline. 0: none.",
    )
