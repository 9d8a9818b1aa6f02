from collections import Counter

from odoo import api, fields, models
from odoo.tools import SQL

# What the erasure handles itself; Privacy Lookup's other finds are shown to staff.
HANDLED_MODEL_PREFIXES = ("stueber.helpdesk.", "mail.", "res.partner", "res.users", "bus.", "privacy.")


class StueberHelpdeskPrivacyErasure(models.TransientModel):
    """Erase a person (DSGVO Art. 17), in two steps: staff review what will
    change, then confirm. Helpdesk Administrators only."""

    _name = "stueber.helpdesk.privacy.erasure"
    _description = "Erase Personal Data"

    partner_id = fields.Many2one("res.partner", string="Person", required=True, ondelete="cascade")
    ticket_mode = fields.Selection(
        [
            ("anonymise", "Anonymise their tickets"),
            ("keep", "Keep their tickets, show the person as former member"),
        ],
        string="Their Tickets Will Be",
        required=True,
        default="anonymise",
        help="Keep the tickets when other members of the institution still need them; names, addresses and "
        "phone numbers are replaced either way.",
    )
    state = fields.Selection([("draft", "Choose"), ("confirm", "Confirm"), ("done", "Done")], default="draft")
    contact_count = fields.Integer(string="Contacts", compute="_compute_scope")
    user_count = fields.Integer(string="Portal Accounts", compute="_compute_scope")
    ticket_count = fields.Integer(string="Their Tickets", compute="_compute_scope")
    message_count = fields.Integer(string="Their Messages on Other Tickets", compute="_compute_scope")
    membership_count = fields.Integer(string="Memberships", compute="_compute_scope")
    unassigned_count = fields.Integer(string="Unassigned Mails", compute="_compute_scope")
    other_references = fields.Text(
        string="Found in Other Apps",
        compute="_compute_scope",
        help="Records of other apps that Privacy Lookup finds for this person; the erasure does not change them.",
    )

    @api.depends("partner_id")
    def _compute_scope(self):
        Privacy = self.env["stueber.helpdesk.privacy"]
        for wizard in self:
            partners = Privacy._person_partners(wizard.partner_id)
            scope = Privacy._erasure_scope(partners)
            wizard.contact_count = len(partners)
            wizard.user_count = len(scope["users"])
            wizard.ticket_count = len(scope["tickets"])
            wizard.message_count = len(scope["messages"])
            wizard.membership_count = len(scope["memberships"])
            wizard.unassigned_count = len(scope["unassigned"])
            wizard.other_references = wizard._other_app_references()

    def _other_app_references(self):
        """What Privacy Lookup (core ``privacy_lookup``) finds in other apps, by model."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        if not (partner.name and partner.email_normalized):
            return False
        lookup = self.env["privacy.lookup.wizard"].sudo().new({"name": partner.name, "email": partner.email})
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT res_model_id, COUNT(*) FROM (%s) q GROUP BY res_model_id", lookup._get_query()))
        counts = Counter(dict(self.env.cr.fetchall()))
        models_ = self.env["ir.model"].sudo().browse(counts)
        lines = [
            f"{model.name} ({model.model}): {counts[model.id]}"
            for model in models_.sorted("name")
            if not model.model.startswith(HANDLED_MODEL_PREFIXES)
        ]
        return "\n".join(lines) or False

    def action_review(self):
        self.ensure_one()
        Privacy = self.env["stueber.helpdesk.privacy"]
        Privacy._check_erasable(Privacy._person_partners(self.partner_id))
        self.state = "confirm"
        return self._reopen()

    def action_back(self):
        self.ensure_one()
        self.state = "draft"
        return self._reopen()

    def action_erase(self):
        self.ensure_one()
        self.env["stueber.helpdesk.privacy"]._erase(self.partner_id, keep_tickets=self.ticket_mode == "keep")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The person's data has been erased; the data protection log records it."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Erase Personal Data"),
        }
