from odoo import models

SUPPORT_ALIAS = "stueber_helpdesk.mail_alias_support"


class MailAlias(models.Model):
    _inherit = "mail.alias"

    def write(self, vals):
        res = super().write(vals)
        if {"alias_name", "alias_domain_id"} & set(vals):
            support = self.env["ir.model.data"]._xmlid_to_res_id(SUPPORT_ALIAS, raise_if_not_found=False)
            if support in self.ids:
                self.env.registry.clear_cache()  # mail.thread._stueber_own_addresses
        return res
