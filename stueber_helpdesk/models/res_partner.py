from odoo import api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Mail intake looks partners up by normalised address; core Odoo 19 does
    # not index it, so each incoming mail would scan every contact.
    email_normalized = fields.Char(index=True)

    stueber_membership_ids = fields.One2many(
        "stueber.helpdesk.membership", "partner_id", string="Institution Memberships"
    )
    stueber_confirmed_email = fields.Char(
        string="Confirmed E-mail",
        copy=False,
        groups="base.group_system",
        help="The normalised address this person proved to own by the confirmation link.",
    )
    stueber_email_confirmed = fields.Boolean(
        string="E-mail Confirmed",
        compute="_compute_stueber_email_confirmed",
        compute_sudo=True,
    )
    stueber_verified_institution_ids = fields.Many2many(
        "stueber.helpdesk.institution",
        string="Verified Institutions",
        compute="_compute_stueber_verified_institution_ids",
        compute_sudo=True,
        help="Institutions whose tickets this person may read: verified membership and confirmed e-mail.",
    )
    stueber_admin_institution_ids = fields.Many2many(
        "stueber.helpdesk.institution",
        string="Administered Institutions",
        compute="_compute_stueber_verified_institution_ids",
        compute_sudo=True,
        help="Institutions whose members this person manages in the portal.",
    )
    stueber_followed_ticket_ids = fields.Many2many(
        "stueber.helpdesk.ticket",
        string="Followed Tickets",
        compute="_compute_stueber_followed_ticket_ids",
        compute_sudo=True,
    )

    @api.depends("email_normalized", "stueber_confirmed_email")
    def _compute_stueber_email_confirmed(self):
        for partner in self:
            partner.stueber_email_confirmed = bool(
                partner.email_normalized and partner.email_normalized == partner.stueber_confirmed_email
            )

    @api.depends(
        "stueber_membership_ids.state",
        "stueber_membership_ids.is_institution_admin",
        "stueber_membership_ids.institution_id.active",
        "stueber_email_confirmed",
    )
    def _compute_stueber_verified_institution_ids(self):
        for partner in self:
            verified = partner.stueber_membership_ids.filtered(
                lambda m: m.state == "verified" and m.institution_id.active
            )
            if not partner.stueber_email_confirmed:
                verified = verified.browse()
            partner.stueber_verified_institution_ids = verified.institution_id
            partner.stueber_admin_institution_ids = verified.filtered("is_institution_admin").institution_id

    def _compute_stueber_followed_ticket_ids(self):
        """Tickets the partner follows, read for the portal record rule.

        The rule compares ticket ids to this list instead of joining
        mail_followers, so PostgreSQL answers it from indexes; ``mail.followers``
        clears the rule cache when such a list changes.
        """
        followers = self.env["mail.followers"]._read_group(
            [("res_model", "=", "stueber.helpdesk.ticket"), ("partner_id", "in", self.ids)],
            ["partner_id"],
            ["res_id:array_agg"],
        )
        ticket_ids = {partner.id: res_ids for partner, res_ids in followers}
        for partner in self:
            partner.stueber_followed_ticket_ids = [(6, 0, ticket_ids.get(partner.id, []))]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_open_erasure_request(self):
        """Core deletes the contact of a deactivated portal account in a
        nightly job; while staff have not decided the person's erasure
        request, the contact stays, so the erasure can find what it holds."""
        if self.env.context.get("stueber_privacy_erasure"):
            return
        if self.env["stueber.helpdesk.privacy"]._open_erasure_requests(self):
            raise UserError(self.env._("This contact has an open erasure request; use the erasure wizard."))

    def write(self, vals):
        res = super().write(vals)
        # sudo: whoever may edit a contact's e-mail revokes access, helpdesk rights or not
        if {"email", "stueber_confirmed_email", "active"} & vals.keys() and self.sudo().stueber_membership_ids:
            self.env.registry.clear_cache()  # record rules read the verified institutions
        return res
