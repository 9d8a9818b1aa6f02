# A room of its own for one concept of the ticket (STYLE: "add rooms, do not grow the ticket").
# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models
from odoo.fields import Domain

from ..tools.phone import normalize_phone


class StueberHelpdeskTicket(models.Model):
    """Finding tickets by the caller's number, typed in any format."""

    _inherit = "stueber.helpdesk.ticket"

    stueber_caller_phone = fields.Char(
        string="Caller's Number",
        compute="_compute_stueber_caller_phone",
        search="_search_stueber_caller_phone",
        help="Search only: tickets of the contacts and institutions with this number, in any format.",
    )

    def _compute_stueber_caller_phone(self):
        self.stueber_caller_phone = False

    def _search_stueber_caller_phone(self, operator, value):
        if operator not in ("=", "ilike", "like") or not isinstance(value, str):
            return NotImplemented
        e164 = normalize_phone(value)
        if not e164:
            return Domain.FALSE
        partners = self.env["stueber.helpdesk.caller.lookup"]._partners_by_phone(e164)
        return (
            Domain("partner_id", "in", partners.ids)
            | Domain("institution_id.partner_id", "in", partners.ids)
            | Domain("phone", "in", [value, e164])
        )
