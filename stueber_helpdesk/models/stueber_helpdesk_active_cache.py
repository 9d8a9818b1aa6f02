from odoo import api, models
from odoo.tools import ormcache

# The fields that decide which records are active and in which order.
CACHED_FIELDS = {"active", "sequence"}


class StueberHelpdeskActiveCache(models.AbstractModel):
    """The active records of a small configuration model (teams, service
    levels, stages) in their order, cached per registry.

    Every new ticket asks for them: a cache makes that free, above all where
    there are none (no team, no service level), and Odoo tells the other
    workers when it is cleared. It is cleared when such a record is created,
    deleted, archived or reordered; other writes (e.g. round robin's last
    agent on a team) keep it.
    """

    _name = "stueber.helpdesk.active.cache"
    _description = "Cached Active Records"

    @api.model
    def _stueber_active_records(self):
        """The active records (superuser), in the model's order."""
        return self.sudo().browse(self._stueber_active_ids())

    @ormcache()
    def _stueber_active_ids(self):
        return tuple(self.sudo().with_context(active_test=True).search([]).ids)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()  # _stueber_active_ids
        return records

    def write(self, vals):
        res = super().write(vals)
        if CACHED_FIELDS & vals.keys():
            self.env.registry.clear_cache()  # _stueber_active_ids
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()  # _stueber_active_ids
        return res
