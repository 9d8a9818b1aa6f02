from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL, ormcache

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

    def _stueber_fetch_many2many(self, fnames):
        """Read the many2many fields ``fnames`` of these records into the
        cache in one query, where the ORM takes one per field: the conditions
        of teams and service levels, which every new ticket checks. The ORM's
        reading: the active related records (order aside)."""
        ids = set(self._ids)
        fnames = [fname for fname in fnames if not ids <= self._fields[fname]._get_cache(self.env).keys()]
        if not ids or not fnames:
            return
        self.flush_model(fnames)
        selects = []
        for fname in fnames:
            field = self._fields[fname]
            comodel = self.env[field.comodel_name]
            active = SQL()
            if comodel._active_name:
                comodel.flush_model([comodel._active_name])
                active = SQL("AND c.%s", SQL.identifier(comodel._active_name))
            selects.append(
                SQL(
                    "SELECT %s, r.%s, r.%s FROM %s r JOIN %s c ON c.id = r.%s %s WHERE r.%s IN %s",
                    fname,
                    SQL.identifier(field.column1),
                    SQL.identifier(field.column2),
                    SQL.identifier(field.relation),
                    SQL.identifier(comodel._table),
                    SQL.identifier(field.column2),
                    active,
                    SQL.identifier(field.column1),
                    tuple(self.ids),
                )
            )
        values = defaultdict(list)
        related_ids = defaultdict(set)
        for fname, record_id, value_id in self.env.execute_query(SQL(" UNION ALL ").join(selects)):
            values[fname, record_id].append(value_id)
            related_ids[fname].add(value_id)
        for fname in fnames:
            field = self._fields[fname]
            field._insert_cache(self, [tuple(values[fname, record_id]) for record_id in self._ids])
            # what they hold is active (the query says so): the ORM need not read it to filter
            comodel = self.env[field.comodel_name]
            if comodel._active_name:
                related = comodel.browse(related_ids[fname])
                comodel._fields[comodel._active_name]._insert_cache(related, [True] * len(related))

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
