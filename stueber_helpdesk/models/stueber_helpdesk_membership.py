from odoo import api, fields, models


class StueberHelpdeskMembership(models.Model):
    """A person's membership of an institution.

    Only a *verified* membership of a partner whose e-mail is confirmed opens
    the institution's tickets to them (see ``res.partner``,
    ``stueber_verified_institution_ids``). A pending or rejected member sees
    only their own tickets.

    Access: helpdesk users read and decide, managers manage; portal users read
    their own memberships and, as institution admins, those of their institution.
    """

    _name = "stueber.helpdesk.membership"
    _description = "Institution Membership"
    _inherit = ["mail.thread"]
    _order = "state desc, create_date desc, id desc"
    _rec_name = "partner_id"

    institution_id = fields.Many2one("stueber.helpdesk.institution", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one("res.partner", string="Person", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one("res.users", compute="_compute_user_id")
    email = fields.Char(related="partner_id.email")
    phone = fields.Char(related="partner_id.phone")
    email_confirmed = fields.Boolean(related="partner_id.stueber_email_confirmed")
    state = fields.Selection(
        [("pending", "Pending"), ("verified", "Verified"), ("rejected", "Rejected")],
        required=True,
        default="pending",
        tracking=True,
        index=True,
    )
    is_institution_admin = fields.Boolean(
        string="Institution Admin",
        tracking=True,
        help="May approve, reject and remove the institution's members in the portal.",
    )
    company_id = fields.Many2one(related="institution_id.company_id", store=True)

    _partner_institution_uniq = models.Constraint(
        "UNIQUE(partner_id, institution_id)", "This person is a member of this institution already."
    )

    @api.depends("partner_id.user_ids")
    def _compute_user_id(self):
        for membership in self:
            membership.user_id = membership.partner_id.with_context(active_test=False).user_ids[:1]

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        memberships = super().create(vals_list)
        self.env.registry.clear_cache()  # record rules read the verified institutions
        return memberships

    def write(self, vals):
        res = super().write(vals)
        if {"state", "is_institution_admin", "partner_id", "institution_id"} & vals.keys():
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_approve(self):
        self.write({"state": "verified"})

    def action_reject(self):
        self.write({"state": "rejected", "is_institution_admin": False})
