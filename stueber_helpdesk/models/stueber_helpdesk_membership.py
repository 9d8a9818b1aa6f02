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
        leaving = set()
        if {"state", "partner_id", "institution_id"} & vals.keys():
            leaving = self._stueber_verified_pairs()
        res = super().write(vals)
        if {"state", "is_institution_admin", "partner_id", "institution_id"} & vals.keys():
            self.env.registry.clear_cache()
        self._stueber_revoke_ticket_access(leaving - self._stueber_verified_pairs())
        return res

    def unlink(self):
        leaving = self._stueber_verified_pairs()
        for membership in self:
            self.env["stueber.helpdesk.privacy.log"]._log("membership_removal", 1, partner=membership.partner_id)
        res = super().unlink()
        self.env.registry.clear_cache()
        self._stueber_revoke_ticket_access(leaving)
        return res

    def _stueber_verified_pairs(self):
        """(partner id, institution id) of the verified memberships among these."""
        return {(m.partner_id.id, m.institution_id.id) for m in self if m.state == "verified"}

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_approve(self):
        """Verify the members and tell each of them by mail (staff or an institution admin decided)."""
        to_notify = self.filtered(lambda m: m.state != "verified")
        self.write({"state": "verified"})
        to_notify._stueber_attach_own_tickets()
        to_notify._stueber_send_mail("stueber_helpdesk.mail_template_membership_approved")

    def action_reject(self):
        """Reject the members and tell each of them by mail.

        A rejected person keeps their own tickets: the portal rule gives
        every customer their own tickets, whatever their membership.
        """
        to_notify = self.filtered(lambda m: m.state != "rejected")
        self.write({"state": "rejected", "is_institution_admin": False})
        to_notify._stueber_send_mail("stueber_helpdesk.mail_template_membership_rejected")

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _stueber_verified_by_policy(self):
        """Whether the institution lets this member in without a person's approval."""
        self.ensure_one()
        institution = self.institution_id
        return institution.membership_policy == "customer_number" or institution._email_domain_allowed(
            self.partner_id.email_normalized
        )

    def _stueber_on_email_confirmed(self):
        """The member proved their address: verify where the policy allows, attach their tickets.

        Called on the memberships of a partner right after the confirmation
        link was used; the others stay pending until someone approves them.
        """
        pending = self.filtered(lambda m: m.state == "pending" and m._stueber_verified_by_policy())
        pending.write({"state": "verified"})
        self.filtered(lambda m: m.state == "verified")._stueber_attach_own_tickets()

    def _stueber_attach_own_tickets(self):
        """Give the member's tickets without institution to the institution they now belong to.

        Only once the address is confirmed: until then the membership opens
        nothing, and neither should the tickets move.
        """
        Ticket = self.env["stueber.helpdesk.ticket"].sudo()
        for membership in self.filtered(lambda m: m.state == "verified" and m.partner_id.stueber_email_confirmed):
            tickets = Ticket.search([("partner_id", "=", membership.partner_id.id), ("institution_id", "=", False)])
            tickets.write({"institution_id": membership.institution_id.id})

    @api.model
    def _stueber_revoke_ticket_access(self, pairs):
        """Who is no longer a verified member loses the institution's tickets
        that are not their own, also by the ways that outlive a membership:
        they stop following them, and the tokens they may have kept (links in
        mails, tokens read while they were members) stop working. Archived
        tickets too: they may be restored."""
        Ticket = self.env["stueber.helpdesk.ticket"].sudo().with_context(active_test=False)
        for partner_id, institution_id in pairs:
            tickets = Ticket.search([("institution_id", "=", institution_id), ("partner_id", "!=", partner_id)])
            tickets.filtered_domain([("message_partner_ids", "in", [partner_id])]).message_unsubscribe(
                partner_ids=[partner_id]
            )
            tickets._stueber_renew_tokens()

    def _stueber_send_mail(self, template_xmlid):
        """Send ``template_xmlid`` to each member, marked as an automatic mail."""
        self.env["stueber.helpdesk.customer.mail"]._send(self.env.ref(template_xmlid), self)
