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
