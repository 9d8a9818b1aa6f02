from odoo import api, models

from ..tools.routing_memo import routing_memo_get


class MailAliasDomain(models.Model):
    _inherit = "mail.alias.domain"

    @api.model_create_multi
    def create(self, vals_list):
        domains = super().create(vals_list)
        self.env.registry.clear_cache()  # mail.thread._stueber_own_addresses
        return domains

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()  # mail.thread._stueber_own_addresses
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()  # mail.thread._stueber_own_addresses
        return res

    @api.model
    def search(self, domain, offset=0, limit=None, order=None):
        """Odoo searches all alias domains three times while parsing and
        routing one mail (aliases, bounce detection, catchall): once is enough
        (as superuser, whose search no record rule or company narrows)."""
        if not self.env.su or domain != [] or offset or limit or order:
            return super().search(domain, offset=offset, limit=limit, order=order)
        domains = routing_memo_get(self.env, ("alias_domains",), lambda: super(MailAliasDomain, self).search([]))
        return domains.with_env(self.env)

    @api.model
    def _find_aliases(self, email_list):
        """Odoo looks up the same addresses up to four times while parsing
        and routing one mail (two queries each): once is enough."""
        return list(
            routing_memo_get(
                self.env, ("aliases", tuple(email_list)), lambda: super(MailAliasDomain, self)._find_aliases(email_list)
            )
        )
