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

    # ---- Limits of the support inbox (see stueber.helpdesk.mail.guard) ----
    stueber_helpdesk_mail_max_mb = fields.Integer(
        string="Maximum Mail Size (MB)",
        config_parameter="stueber_helpdesk.mail_max_mb",
        default=25,
        help="A larger mail is not processed but kept in Unassigned Mail. 0: no limit.",
    )
    stueber_helpdesk_mail_max_depth = fields.Integer(
        string="Maximum MIME Depth",
        config_parameter="stueber_helpdesk.mail_max_depth",
        default=20,
        help="How deep parts and enclosed messages may be nested. 0: no limit.",
    )
    stueber_helpdesk_mail_max_parts = fields.Integer(
        string="Maximum Number of Parts",
        config_parameter="stueber_helpdesk.mail_max_parts",
        default=500,
        help="How many MIME parts (texts, files, enclosed messages) a mail may have. 0: no limit.",
    )
    stueber_helpdesk_mail_max_html_mb = fields.Integer(
        string="Maximum HTML Size (MB)",
        config_parameter="stueber_helpdesk.mail_max_html_mb",
        default=5,
        help="How much HTML text all parts of a mail may hold together. 0: no limit.",
    )
    stueber_helpdesk_mail_time_budget = fields.Integer(
        string="Time Budget per Mail (seconds)",
        config_parameter="stueber_helpdesk.mail_time_budget",
        default=60,
        help="Processing of a mail is stopped after this time and the mail kept in Unassigned Mail. "
        "Keep it below the server's time limit for cron jobs. 0: no limit.",
    )
    stueber_helpdesk_report_retention_days = fields.Integer(
        string="Keep Automatic Reports (days)",
        config_parameter="stueber_helpdesk.report_retention_days",
        default=30,
        help="Bounces, read receipts and spam complaints kept in Unassigned Mail are deleted after this time. "
        "0: kept for ever.",
    )
