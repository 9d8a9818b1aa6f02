from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools.phone import national_phone, normalize_phone


class StueberHelpdeskCallerLookup(models.TransientModel):
    """ "Who is calling?": the agent types or pastes the caller's number in any
    format and sees the person, their institutions and open tickets; one
    click opens a ticket for them with the call logged."""

    _name = "stueber.helpdesk.caller.lookup"
    _description = "Who Is Calling?"

    phone = fields.Char(string="Number", help="Any format: 0431 555-1200, +49 (0)431 5551200, 0049 431 5551200...")
    phone_normalized = fields.Char(string="Normalised Number", compute="_compute_partner_ids")
    partner_ids = fields.Many2many("res.partner", string="Contacts with this Number", compute="_compute_partner_ids")
    partner_id = fields.Many2one(
        "res.partner",
        string="Caller",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        help="The person the new ticket is for; the first contact with this number.",
    )
    institution_ids = fields.Many2many(
        "stueber.helpdesk.institution", string="Institutions", compute="_compute_institution_ids"
    )
    institution_id = fields.Many2one(
        "stueber.helpdesk.institution",
        compute="_compute_institution_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    open_ticket_ids = fields.Many2many(
        "stueber.helpdesk.ticket", string="Open Tickets", compute="_compute_open_ticket_ids"
    )
    ticket_id = fields.Many2one(
        "stueber.helpdesk.ticket",
        string="Call about",
        domain="[('id', 'in', open_ticket_ids)]",
        help="An open ticket the call is about: the call is logged there and its callback request cleared.",
    )
    name = fields.Char(string="Subject", help="The new ticket's subject.")
    outcome = fields.Text(string="Notes on the Call", help="What was said; logged as the call on the ticket.")

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("phone")
    def _compute_partner_ids(self):
        for wizard in self:
            e164 = normalize_phone(wizard.phone)
            wizard.phone_normalized = e164 or False
            wizard.partner_ids = self._partners_by_phone(e164) if e164 else False

    @api.model
    def _partners_by_phone(self, e164):
        """Contacts whose phone or mobile is this number, however it was
        stored: sanitised by Odoo, international, or national without country
        code (``phone_mobile_search`` compares digits, indexed)."""
        national = national_phone(e164)
        domain = Domain("phone_sanitized", "=", e164) | Domain("phone_mobile_search", "=", e164)
        if national:
            domain |= Domain("phone_mobile_search", "=", national)
        return self.env["res.partner"].search(domain, order="is_company, id", limit=20)

    def _institutions_by_partner(self):
        """Institutions whose own number (the school office) was called."""
        if not self.partner_ids:
            return self.env["stueber.helpdesk.institution"]
        return self.env["stueber.helpdesk.institution"].search([("partner_id", "in", self.partner_ids._origin.ids)])

    def _people(self):
        """The contacts with the number who are persons, not an institution's office."""
        return self.partner_ids._origin - self._institutions_by_partner().partner_id

    @api.depends("partner_ids")
    def _compute_partner_id(self):
        for wizard in self:
            if wizard.partner_id._origin not in wizard.partner_ids._origin:
                wizard.partner_id = wizard._people()[:1]

    @api.depends("partner_ids")
    def _compute_institution_ids(self):
        for wizard in self:
            wizard.institution_ids = wizard._people().stueber_access_institution_ids | wizard._institutions_by_partner()

    @api.depends("institution_ids", "partner_id")
    def _compute_institution_id(self):
        for wizard in self:
            own = wizard.partner_id._origin.stueber_access_institution_ids
            found = wizard.institution_ids._origin
            if wizard.institution_id._origin not in found:
                wizard.institution_id = (own & found)[:1] or found[:1]

    @api.depends("partner_ids", "institution_ids")
    def _compute_open_ticket_ids(self):
        Ticket = self.env["stueber.helpdesk.ticket"]
        for wizard in self:
            if not wizard.partner_ids and not wizard.institution_ids:
                wizard.open_ticket_ids = Ticket
                continue
            domain = Domain("is_closed", "=", False) & (
                Domain("partner_id", "in", wizard.partner_ids._origin.ids)
                | Domain("institution_id", "in", wizard.institution_ids._origin.ids)
            )
            wizard.open_ticket_ids = Ticket.search(domain, limit=50)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_create_ticket(self):
        """A ticket for the caller, with the call logged on it."""
        self.ensure_one()
        if not self.partner_id and not self.institution_id:
            raise UserError(self.env._("Choose the caller or their institution first."))
        ticket = self.env["stueber.helpdesk.ticket"].create(
            {
                "name": self.name
                or self.env._("Phone call of %(name)s", name=(self.partner_id or self.institution_id).name),
                "partner_id": self.partner_id.id,
                "institution_id": self.institution_id.id,
                "phone": self.phone_normalized or self.phone,
                "channel": "phone",
            }
        )
        self._log_call(ticket)
        return ticket._get_records_action(context={})

    def action_log_on_ticket(self):
        """The call was about an open ticket: log it there (clears the callback request)."""
        self.ensure_one()
        if not self.ticket_id:
            raise UserError(self.env._("Choose the ticket the call is about."))
        self._log_call(self.ticket_id)
        return self.ticket_id._get_records_action(context={})

    def _log_call(self, ticket):
        self.env["stueber.helpdesk.call.log"].create(
            {
                "ticket_id": ticket.id,
                "partner_id": (self.partner_id or ticket.partner_id).id,
                "phone": self.phone_normalized or self.phone,
                "callback_done": True,
                "outcome": self.outcome or self.env._("Ticket opened during the call."),
            }
        ).action_log()
