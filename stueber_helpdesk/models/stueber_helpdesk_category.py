from odoo import fields, models


class StueberHelpdeskCategory(models.Model):
    _name = "stueber.helpdesk.category"
    _description = "Ticket Category"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
