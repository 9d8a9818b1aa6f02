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
    # Both hold active institutions only (effective memberships need them): the context spares
    # Odoo reading every institution again to filter out archived ones.
    stueber_access_institution_ids = fields.Many2many(
        "stueber.helpdesk.institution",
        string="Institutions with Access",
        compute="_compute_stueber_access_institution_ids",
        compute_sudo=True,
        context={"active_test": False},
        help="Institutions whose tickets this person sees: those they are an effective member of "
        "(verified, address confirmed, account and institution active).",
    )
    stueber_admin_institution_ids = fields.Many2many(
        "stueber.helpdesk.institution",
        string="Administered Institutions",
        compute="_compute_stueber_access_institution_ids",
        compute_sudo=True,
        context={"active_test": False},
        help="Institutions whose members this person manages in the portal.",
    )

    @api.depends("email_normalized", "stueber_confirmed_email")
    def _compute_stueber_email_confirmed(self):
        for partner in self:
            partner.stueber_email_confirmed = bool(
                partner.email_normalized and partner.email_normalized == partner.stueber_confirmed_email
            )

    @api.depends("stueber_membership_ids.is_effective", "stueber_membership_ids.is_institution_admin")
    def _compute_stueber_access_institution_ids(self):
        """Asked of the database for saved contacts, in one query (every new
        ticket asks it of its customer); from the memberships in memory for
        a contact not saved yet."""
        saved = self.filtered("id")
        memberships = self.env["stueber.helpdesk.access"]._effective_memberships(saved.ids) if saved else {}
        Institution = self.env["stueber.helpdesk.institution"]
        for partner in self:
            if partner.id:
                pairs = memberships.get(partner.id, [])
                partner.stueber_access_institution_ids = Institution.browse([inst for inst, _admin in pairs])
                partner.stueber_admin_institution_ids = Institution.browse([inst for inst, admin in pairs if admin])
                continue
            effective = partner.stueber_membership_ids.filtered("is_effective")
            partner.stueber_access_institution_ids = effective.institution_id
            partner.stueber_admin_institution_ids = effective.filtered("is_institution_admin").institution_id

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
        # sudo: whoever may edit a contact's e-mail ends what it opened, helpdesk rights or not
        if not {"email", "stueber_confirmed_email", "active"} & vals.keys():
            return super().write(vals)
        partners = self.sudo().filtered("stueber_membership_ids")
        if not partners:
            return super().write(vals)
        with self.env["stueber.helpdesk.access"]._watch(partners):
            res = super().write(vals)
            if "stueber_confirmed_email" in vals:
                partners.filtered("stueber_email_confirmed").stueber_membership_ids._stueber_on_email_confirmed()
        return res

    def _stueber_default_institution(self):
        """The institution a new ticket of this person belongs to when they did not choose.

        One effective membership: its institution. Several: the institution
        of the last ticket they wrote about, else the first one.
        """
        self.ensure_one()
        institutions = self.stueber_access_institution_ids
        if len(institutions) < 2:
            return institutions
        messages = (
            self.env["mail.message"]
            .sudo()
            .search_fetch(
                [
                    ("author_id", "=", self.id),
                    ("model", "=", "stueber.helpdesk.ticket"),
                    ("message_type", "in", ("email", "comment")),
                ],
                ["res_id"],
                order="id desc",
                limit=50,
            )
        )
        Ticket = self.env["stueber.helpdesk.ticket"].sudo().with_context(active_test=False)
        for message in messages:
            institution = Ticket.browse(message.res_id).exists().institution_id
            if institution in institutions:
                return institution
        return institutions[:1]
