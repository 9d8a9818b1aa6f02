from odoo import api, fields, models
from odoo.fields import Domain

VERIFICATIONS = [
    ("customer_number", "Customer number"),
    ("email_domain", "E-mail domain"),
    ("approval", "Approval"),
]


class StueberHelpdeskMembership(models.Model):
    """A person's membership of an institution.

    Only an *effective* membership opens the institution's tickets: verified,
    the person's address confirmed, their user account and the institution
    active (``is_effective``; ``stueber.helpdesk.access`` owns who sees
    what). A pending or rejected member sees only their own tickets.

    Access: helpdesk users read and decide, managers manage; portal users read
    their own memberships and, as institution admins, those of their institution.
    """

    _name = "stueber.helpdesk.membership"
    _description = "Institution Membership"
    _inherit = ["mail.thread"]
    _order = "state desc, create_date desc, id desc"
    _rec_name = "partner_id"

    institution_id = fields.Many2one("stueber.helpdesk.institution", required=True, ondelete="cascade", index=True)
    # what a pending or rejected member may know of the institution (they cannot read it)
    institution_name = fields.Char(related="institution_id.name", string="Institution Name")
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
    verification = fields.Selection(
        VERIFICATIONS,
        string="Verified by",
        readonly=True,
        copy=False,
        help="Why the membership is verified. One verified by its e-mail domain is checked again "
        "when the person confirms another address.",
    )
    is_effective = fields.Boolean(
        string="Effective",
        compute="_compute_is_effective",
        search="_search_is_effective",
        help="Opens the institution's tickets: verified, the person's address confirmed, "
        "their account and the institution active.",
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

    @api.depends("state", "institution_id.active", "partner_id.stueber_email_confirmed", "partner_id.user_ids.active")
    def _compute_is_effective(self):
        """The same notion as ``_search_is_effective``, for one record in Python."""
        for membership in self.sudo():
            partner = membership.partner_id
            membership.is_effective = (
                membership.state == "verified"
                and membership.institution_id.active
                and partner.stueber_email_confirmed
                and any(user.active for user in partner.with_context(active_test=False).user_ids)
            )

    def _search_is_effective(self, operator, value):
        if operator != "in":
            return NotImplemented
        if True not in value:
            return Domain.FALSE
        return Domain.custom(
            to_sql=lambda model, alias, query: self.env["stueber.helpdesk.access"]._effective_membership_sql(alias)
        )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        partners = self.partner_id
        if "partner_id" in vals:
            partners |= self.env["res.partner"].browse(vals["partner_id"])
        with self.env["stueber.helpdesk.access"]._watch(partners):
            return super().write(vals)

    def unlink(self):
        for membership in self:
            self.env["stueber.helpdesk.privacy.log"]._log("membership_removal", 1, partner=membership.partner_id)
        with self.env["stueber.helpdesk.access"]._watch(self.partner_id):
            return super().unlink()

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_approve(self):
        """Verify the members and tell each of them by mail (staff or an institution admin decided).

        The member's earlier tickets stay where they are: moving them into
        the institution is a decision of its own (``action_attach_own_tickets``).
        """
        to_notify = self.filtered(lambda m: m.state != "verified")
        to_notify.write({"state": "verified", "verification": "approval"})
        to_notify._stueber_send_mail("stueber_helpdesk.mail_template_membership_approved")

    def action_attach_own_tickets(self):
        """Give the member's tickets without institution to this institution,
        when staff or the member say so; only for effective memberships,
        which open the institution anyway."""
        Ticket = self.env["stueber.helpdesk.ticket"].sudo()
        for membership in self.filtered("is_effective"):
            tickets = Ticket.search([("partner_id", "=", membership.partner_id.id), ("institution_id", "=", False)])
            tickets.write({"institution_id": membership.institution_id.id})

    def action_reject(self):
        """Reject the members and tell each of them by mail.

        A rejected person keeps their own tickets: the portal rule gives
        every customer their own tickets, whatever their membership.
        """
        to_notify = self.filtered(lambda m: m.state != "rejected")
        self.write({"state": "rejected", "verification": False, "is_institution_admin": False})
        to_notify._stueber_send_mail("stueber_helpdesk.mail_template_membership_rejected")

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _stueber_verification_by_policy(self):
        """Why the institution lets this member in without a person's approval, or False."""
        self.ensure_one()
        institution = self.institution_id.sudo()
        if institution._email_domain_allowed(self.partner_id.email_normalized):
            return "email_domain"
        return "customer_number" if institution.membership_policy == "customer_number" else False

    def _stueber_on_email_confirmed(self):
        """The member proved an address: re-check and verify where the policy allows.

        A membership verified because of its e-mail domain goes back to
        pending when the confirmed address is outside the allowed domains
        (unless the policy lets it in anyway); pending ones are verified
        where the policy allows, the others wait for someone's approval.
        Earlier tickets are not moved (``action_attach_own_tickets``).
        """
        for membership in self.filtered(lambda m: m.state in ("pending", "verified")):
            verification = membership._stueber_verification_by_policy()
            if membership.state == "pending" and verification:
                membership.write({"state": "verified", "verification": verification})
            elif membership.verification == "email_domain" and verification != "email_domain":
                membership.write(
                    {"state": "verified", "verification": verification}
                    if verification
                    else {"state": "pending", "verification": False}
                )

    def _stueber_send_mail(self, template_xmlid):
        """Send ``template_xmlid`` to each member, marked as an automatic mail."""
        self.env["stueber.helpdesk.customer.mail"]._send(self.env.ref(template_xmlid), self)
