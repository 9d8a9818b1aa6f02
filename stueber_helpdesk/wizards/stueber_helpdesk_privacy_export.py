from odoo import fields, models


class StueberHelpdeskPrivacyExport(models.TransientModel):
    """A person's data for staff to hand over (DSGVO Art. 15), e.g. for a
    request that came by letter: the same ZIP the person gets in the portal."""

    _name = "stueber.helpdesk.privacy.export"
    _description = "Export Personal Data"

    partner_id = fields.Many2one("res.partner", string="Person", required=True, ondelete="cascade")
    export_file = fields.Binary(string="File", readonly=True, attachment=False)
    export_filename = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        filename, content = self.env["stueber.helpdesk.privacy"]._export_zip(self.partner_id, by_staff=True)
        self.write({"export_file": content, "export_filename": filename})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Export Personal Data"),
        }
