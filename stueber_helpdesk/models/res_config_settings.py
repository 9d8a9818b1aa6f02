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

    # ---- Sender authentication (readme/SECURITY.md) ----
    stueber_helpdesk_mail_auth_policy = fields.Selection(
        [
            ("off", "Off: believe the From address (unsafe)"),
            ("staff", "Staff: mail from staff addresses must be authenticated"),
            ("everyone", "Everyone: every mail must be authenticated"),
        ],
        string="Sender Authentication",
        config_parameter="stueber_helpdesk.mail_auth_policy",
        default="staff",
        help="Which mails must prove their sender (DMARC pass, or a DKIM pass aligned with the From domain, "
        "as your mail server reports in Authentication-Results) before they are posted on a ticket. "
        "A mail that fails is kept in Unassigned Mail.",
    )
    stueber_helpdesk_mail_auth_servers = fields.Char(
        string="Trusted Mail Servers",
        config_parameter="stueber_helpdesk.mail_auth_servers",
        help="The authserv-id(s) your receiving mail server writes into Authentication-Results, "
        "comma-separated (e.g. mx.example.com). Headers of any other server are ignored: a sender can write them.",
    )
    # On by default through data/mail_template_rating_data.xml (see above).
    stueber_helpdesk_rating_request = fields.Boolean(
        string="Customer Ratings",
        config_parameter="stueber_helpdesk.rating_request",
        help="The mail of a solved ticket asks the customer for a rating (smileys, one click).",
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

    # ---- Data protection (retention) ----
    stueber_helpdesk_retention_months = fields.Integer(
        string="Keep Closed Tickets (Months)",
        config_parameter="stueber_helpdesk.retention_months",
        default=24,
        help="Closed tickets are anonymised this many months after closing; an institution may override it.",
    )
    stueber_helpdesk_unassigned_retention_days = fields.Integer(
        string="Keep Unassigned Mail (Days)",
        config_parameter="stueber_helpdesk.unassigned_retention_days",
        default=30,
        help="Unassigned mail is deleted this many days after it arrived.",
    )
    stueber_helpdesk_retention_due_count = fields.Integer(
        string="Due for Anonymisation", compute="_compute_stueber_helpdesk_retention_due_count"
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

    # ---- Service levels ----
    stueber_helpdesk_sla_warning_hours = fields.Float(
        string="SLA Warning (Hours before)",
        config_parameter="stueber_helpdesk.sla_warning_hours",
        default=1.0,
        help="The assignee and the team lead get an activity this long before a service level's deadline. 0: none.",
    )

    def _compute_stueber_helpdesk_retention_due_count(self):
        count = (
            self.env["stueber.helpdesk.ticket"]
            .sudo()
            .with_context(active_test=False)
            .search_count(self.env["stueber.helpdesk.retention"]._tickets_due_domain())
        )
        self.stueber_helpdesk_retention_due_count = count

    def action_stueber_helpdesk_retention_preview(self):
        return self.env["stueber.helpdesk.retention"].action_open_retention_preview()
