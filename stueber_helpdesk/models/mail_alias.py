from odoo import api, models

from ..tools.routing_memo import routing_memo_get

SUPPORT_ALIAS = "stueber_helpdesk.mail_alias_support"


class MailAlias(models.Model):
    _inherit = "mail.alias"

    @api.model
    def search(self, domain, offset=0, limit=None, order=None):
        """Odoo searches the aliases among a mail's recipients twice, while
        parsing and while routing it, with the same domain: once is enough
        (as superuser, whose search no record rule or company narrows)."""
        if not self.env.su or not isinstance(domain, list) or offset or limit or order:
            return super().search(domain, offset=offset, limit=limit, order=order)
        aliases = routing_memo_get(
            self.env, ("alias_search", repr(domain)), lambda: super(MailAlias, self).search(domain)
        )
        return aliases.with_env(self.env)

    def write(self, vals):
        res = super().write(vals)
        if {"alias_name", "alias_domain_id"} & set(vals):
            support = self.env["ir.model.data"]._xmlid_to_res_id(SUPPORT_ALIAS, raise_if_not_found=False)
            if support in self.ids:
                self.env.registry.clear_cache()  # mail.thread._stueber_own_addresses
        return res
