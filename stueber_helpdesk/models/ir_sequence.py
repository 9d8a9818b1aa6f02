from odoo import api, models
from odoo.tools import ormcache

TICKET_SEQUENCE = "stueber.helpdesk.ticket"
# Changing these may change which sequence numbers the tickets.
SEQUENCE_FIELDS = {"code", "company_id", "active"}


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    @api.model
    def _stueber_next_ticket_number(self):
        """``next_by_code`` of the ticket numbers, with the sequence (the
        company's, else the shared one) looked up once per registry instead
        of searched for every new ticket."""
        sequence = self.sudo().browse(self._stueber_ticket_sequence_id(self.env.company.id))
        return sequence._next() if sequence else False

    @ormcache("company_id")
    def _stueber_ticket_sequence_id(self, company_id):
        domain = [("code", "=", TICKET_SEQUENCE), ("company_id", "in", [company_id, False])]
        return self.sudo().search(domain, order="company_id", limit=1).id

    @api.model_create_multi
    def create(self, vals_list):
        sequences = super().create(vals_list)
        self.env.registry.clear_cache()  # _stueber_ticket_sequence_id
        return sequences

    def write(self, vals):
        res = super().write(vals)
        if SEQUENCE_FIELDS & vals.keys():
            self.env.registry.clear_cache()  # _stueber_ticket_sequence_id
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()  # _stueber_ticket_sequence_id
        return res
