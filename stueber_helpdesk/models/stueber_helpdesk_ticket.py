from odoo import api, fields, models
from odoo.tools import clean_context

PRIORITIES = [("0", "Normal"), ("1", "Medium"), ("2", "High"), ("3", "Urgent")]
CHANNELS = [("portal", "Portal"), ("email", "E-mail"), ("phone", "Phone"), ("staff", "Staff")]

# What a portal user may set when creating a ticket (through the portal or
# RPC); everything else (stage, agent, institution, customer...) is decided by
# the server, so a crafted request cannot pick another institution.
PORTAL_CREATE_FIELDS = {
    "name",
    "description",
    "category_id",
    "phone",
    "callback_requested",
    "callback_time",
    "email_cc",
}


class StueberHelpdeskTicket(models.Model):
    """A customer's request: one error, question or wish.

    Access matrix:
    - Helpdesk User / Manager: read and write all tickets of their companies;
      managers also delete.
    - Portal user: reads the tickets whose customer they are, that they follow,
      or that belong to an institution they are a verified member of; creates
      tickets for themselves; changes tickets only through the portal routes.
    - Internal user without helpdesk group: no access.
    """

    _name = "stueber.helpdesk.ticket"
    _description = "Support Ticket"
    _inherit = ["portal.mixin", "mail.thread.cc", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _primary_email = "email_from"
    _mail_post_access = "read"
    _rec_names_search = ["number", "name"]

    number = fields.Char(
        string="Ticket Number",
        readonly=True,
        copy=False,
        index="trigram",
        help="Unique, never reused; given at creation. Customers quote it on the phone and in mail subjects.",
    )
    name = fields.Char(string="Subject", required=True, tracking=True, index="trigram")
    description = fields.Html(sanitize_style=True)
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True, index=True)
    partner_name = fields.Char(related="partner_id.name", string="Customer Name")
    email_from = fields.Char(
        string="E-mail",
        compute="_compute_email_from",
        store=True,
        readonly=False,
        precompute=True,
    )
    phone = fields.Char(compute="_compute_phone", store=True, readonly=False, precompute=True)
    institution_id = fields.Many2one(
        "stueber.helpdesk.institution",
        compute="_compute_institution_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        help="Taken from the customer's verified membership at creation; staff may change it. "
        "Verified members of the institution see the ticket.",
    )
    customer_number = fields.Char(related="institution_id.customer_number")
    stage_id = fields.Many2one(
        "stueber.helpdesk.stage",
        default=lambda self: self._default_stage_id(),
        group_expand="_read_group_expand_stages",
        tracking=True,
        index=True,
        ondelete="restrict",
        copy=False,
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True)
    customer_status = fields.Char(string="Status", compute="_compute_customer_status")
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        tracking=True,
        index=True,
        domain=lambda self: [("all_group_ids", "in", self.env.ref("stueber_helpdesk.group_stueber_helpdesk_user").id)],
    )
    priority = fields.Selection(PRIORITIES, default="0", required=True, tracking=True, index=True)
    category_id = fields.Many2one("stueber.helpdesk.category", tracking=True, index=True)
    channel = fields.Selection(CHANNELS, default="staff", required=True, readonly=True)
    callback_requested = fields.Boolean(tracking=True)
    callback_time = fields.Char(
        string="Preferred Callback Time", help="When the customer would like to be called, in their words."
    )
    closed_date = fields.Datetime(
        string="Closed on", compute="_compute_closed_date", store=True, readonly=True, copy=False
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, readonly=True
    )

    _number_uniq = models.Constraint("UNIQUE(number)", "Ticket numbers are unique.")
    # The portal list: a member's institution, newest first.
    _portal_list_idx = models.Index("(institution_id, id DESC) WHERE active IS TRUE")
    # The kanban and the agents' "my tickets".
    _stage_user_idx = models.Index("(stage_id, user_id) WHERE active IS TRUE")

    # ------------------------------------------------------------
    # DEFAULTS, COMPUTE METHODS
    # ------------------------------------------------------------

    @api.model
    def _default_stage_id(self):
        return self.env["stueber.helpdesk.stage"].search([], limit=1)

    @api.model
    def _read_group_expand_stages(self, stages, domain):
        return stages.search([("fold", "=", False)]) | stages

    @api.depends("partner_id")
    def _compute_email_from(self):
        for ticket in self:
            if ticket.partner_id.email:
                ticket.email_from = ticket.partner_id.email

    @api.depends("partner_id")
    def _compute_phone(self):
        for ticket in self:
            if ticket.partner_id.phone:
                ticket.phone = ticket.partner_id.phone

    @api.depends("partner_id")
    def _compute_institution_id(self):
        for ticket in self:
            institutions = ticket.partner_id.stueber_verified_institution_ids
            if len(institutions) == 1 or ticket.institution_id not in institutions:
                ticket.institution_id = institutions[:1]

    @api.depends("stage_id")
    def _compute_customer_status(self):
        for ticket in self:
            ticket.customer_status = ticket.stage_id.customer_status or ticket.stage_id.name

    @api.depends("stage_id.is_closed")
    def _compute_closed_date(self):
        for ticket in self:
            if not ticket.stage_id.is_closed:
                ticket.closed_date = False
            elif not ticket.closed_date:
                ticket.closed_date = fields.Datetime.now()

    @api.depends("number", "name")
    def _compute_display_name(self):
        for ticket in self:
            ticket.display_name = f"#{ticket.number} {ticket.name}" if ticket.number else ticket.name

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.user.share and not self.env.su:
            vals_list = [self._portal_create_vals(vals) for vals in vals_list]
            # default_* keys of an RPC context (default_institution_id, default_stage_id...)
            # would otherwise slip past the whitelist.
            self = self.with_context(clean_context(self.env.context))  # pylint: disable=context-overridden
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            vals["number"] = sequence.next_by_code("stueber.helpdesk.ticket")
        return super().create(vals_list)

    @api.model
    def _portal_create_vals(self, vals):
        """Keep only what a portal user may choose; the rest follows from who they are."""
        return {
            **{key: value for key, value in vals.items() if key in PORTAL_CREATE_FIELDS},
            "partner_id": self.env.user.partner_id.id,
            "channel": "portal",
        }

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "name" not in (default or {}):
            for ticket, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%(subject)s (copy)", subject=ticket.name)
        return vals_list

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_assign_to_me(self):
        self.write({"user_id": self.env.uid})

    def action_log_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log Call"),
            "res_model": "stueber.helpdesk.call.log",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    # ------------------------------------------------------------
    # MAIL
    # ------------------------------------------------------------

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage_id" in init_values:
            return self.env.ref("stueber_helpdesk.mt_ticket_stage")
        return super()._track_subtype(init_values)

    def _creation_subtype(self):
        return self.env.ref("stueber_helpdesk.mt_ticket_new")
