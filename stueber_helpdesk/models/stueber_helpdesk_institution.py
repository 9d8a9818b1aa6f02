import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL


class StueberHelpdeskInstitution(models.Model):
    """A customer organisation (school, authority, company).

    People join it by its customer number; what else it takes to become a
    *verified* member is the ``membership_policy``. Effective members
    (``effective_member_ids``) see all the institution's tickets.

    Access: helpdesk users read, helpdesk managers manage; portal users read
    only the institutions they are effective members of.
    """

    _name = "stueber.helpdesk.institution"
    _description = "Institution"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _rec_names_search = ["name", "customer_number"]

    name = fields.Char(required=True, tracking=True)
    customer_number = fields.Char(
        required=True,
        tracking=True,
        copy=False,
        help="The number customers give when they register. Stored without spaces, in capitals.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Company Contact",
        ondelete="restrict",
        help="The institution's address, phone and e-mail. Members are never made its child contacts.",
    )
    phone = fields.Char(related="partner_id.phone", readonly=False)
    email = fields.Char(related="partner_id.email", readonly=False)
    active = fields.Boolean(default=True, tracking=True)
    state_id = fields.Many2one(
        "res.country.state",
        domain="[('country_id.code', '=', 'DE')]",
        tracking=True,
        help="The German state (Bundesland): its public and school holidays stop the service clocks.",
    )
    tag_ids = fields.Many2many(
        "res.partner.category",
        string="Tags",
        groups="stueber_helpdesk.group_stueber_helpdesk_user",
        help="E.g. 'Premium' for a support contract: teams and service levels may select institutions by tag.",
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    # How members get in is staff's business: hidden from portal users, even verified members.
    allowed_email_domains = fields.Char(
        groups="stueber_helpdesk.group_stueber_helpdesk_user",
        help="Comma-separated e-mail domains, e.g. 'grundschule-am-see.de'. "
        "A registration with such an address is verified without approval.",
    )
    membership_policy = fields.Selection(
        [
            ("customer_number", "Customer number suffices"),
            ("approval", "Approval required"),
        ],
        required=True,
        default="approval",
        tracking=True,
        groups="stueber_helpdesk.group_stueber_helpdesk_user",
        help="Customer number suffices: everyone with a confirmed e-mail who knows the number becomes a "
        "verified member. Approval required: only addresses of an allowed domain are verified at once; "
        "others wait for staff or an institution admin.",
    )
    retention_months = fields.Integer(
        string="Keep Closed Tickets (Months)",
        tracking=True,
        groups="stueber_helpdesk.group_stueber_helpdesk_user",
        help="Override of the retention period for this institution's closed tickets, as its contract says; "
        "0 keeps the general setting.",
    )
    membership_ids = fields.One2many("stueber.helpdesk.membership", "institution_id", string="Members")
    effective_member_ids = fields.Many2many(
        "res.partner",
        string="Effective Members",
        compute="_compute_effective_member_ids",
        search="_search_effective_member_ids",
        compute_sudo=True,
        help="The people who see the institution's tickets: verified, address confirmed, account active.",
    )
    effective_admin_ids = fields.Many2many(
        "res.partner",
        string="Effective Admins",
        compute="_compute_effective_member_ids",
        search="_search_effective_admin_ids",
        compute_sudo=True,
        help="The effective members who manage the institution's members in the portal.",
    )
    ticket_ids = fields.One2many("stueber.helpdesk.ticket", "institution_id", string="Tickets")
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    open_ticket_count = fields.Integer(compute="_compute_ticket_count")
    member_count = fields.Integer(compute="_compute_member_counts")
    pending_member_count = fields.Integer(compute="_compute_member_counts")

    _customer_number_uniq = models.Constraint(
        "UNIQUE(customer_number)", "Another institution has this customer number."
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    def _compute_ticket_count(self):
        counts = self.env["stueber.helpdesk.ticket"]._read_group(
            [("institution_id", "in", self.ids)], ["institution_id", "is_closed"], ["__count"]
        )
        for institution in self:
            institution.ticket_count = sum(n for inst, _closed, n in counts if inst == institution)
            institution.open_ticket_count = sum(n for inst, closed, n in counts if inst == institution and not closed)

    @api.depends("membership_ids.is_effective", "membership_ids.is_institution_admin")
    def _compute_effective_member_ids(self):
        for institution in self:
            effective = institution.membership_ids.filtered("is_effective")
            institution.effective_member_ids = effective.partner_id
            institution.effective_admin_ids = effective.filtered("is_institution_admin").partner_id

    def _search_effective_member_ids(self, operator, value, admin=False):
        """Institutions ``value`` (partner ids) are effective members of, asked of PostgreSQL (record rules)."""
        if operator != "in" or not all(isinstance(v, int) for v in value):
            return NotImplemented
        institutions = self.env["stueber.helpdesk.access"]._effective_institutions_sql(value, admin=admin)
        return Domain.custom(
            to_sql=lambda model, alias, query: SQL("%s = ANY(%s)", SQL.identifier(alias, "id"), institutions)
        )

    def _search_effective_admin_ids(self, operator, value):
        return self._search_effective_member_ids(operator, value, admin=True)

    @api.depends("membership_ids.state")
    def _compute_member_counts(self):
        for institution in self:
            states = institution.membership_ids.mapped("state")
            institution.member_count = states.count("verified")
            institution.pending_member_count = states.count("pending")

    # ------------------------------------------------------------
    # CONSTRAINT METHODS
    # ------------------------------------------------------------

    @api.constrains("customer_number")
    def _check_customer_number(self):
        for institution in self:
            if not institution.customer_number:
                raise ValidationError(self.env._("The customer number may not be empty."))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model
    def normalize_customer_number(self, number):
        """The stored form of a customer number: no white space, capitals.

        Registration compares what a person typed after the same normalisation.
        """
        return re.sub(r"\s+", "", number or "").upper()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "customer_number" in vals:
                vals["customer_number"] = self.normalize_customer_number(vals["customer_number"])
        institutions = super().create(vals_list)
        for institution in institutions.filtered(lambda i: not i.partner_id):
            institution.partner_id = self.env["res.partner"].create(
                {"name": institution.name, "is_company": True, "company_id": False}
            )
        return institutions

    def write(self, vals):
        if "customer_number" in vals:
            vals["customer_number"] = self.normalize_customer_number(vals["customer_number"])
        if "active" not in vals:
            return super().write(vals)
        # archived, an institution opens nothing: what its members kept goes
        with self.env["stueber.helpdesk.access"]._watch(self.sudo().membership_ids.partner_id):
            return super().write(vals)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stueber_helpdesk.stueber_helpdesk_ticket_action")
        action["domain"] = [("institution_id", "=", self.id)]
        action["context"] = {"default_institution_id": self.id, "search_default_filter_open": 1}
        return action

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stueber_helpdesk.stueber_helpdesk_membership_action")
        action["domain"] = [("institution_id", "=", self.id)]
        action["context"] = {"default_institution_id": self.id}
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _email_domain_allowed(self, email):
        """Whether ``email`` belongs to one of the institution's allowed domains."""
        self.ensure_one()
        domain = (email or "").rpartition("@")[2].strip().lower()
        allowed = {d.strip().lower().lstrip("@") for d in (self.allowed_email_domains or "").split(",")}
        return bool(domain) and domain in allowed
