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
    def _find_aliases(self, email_list):
        """Odoo looks up the same addresses up to four times while parsing
        and routing one mail (two queries each): once is enough."""
        return list(
            routing_memo_get(
                self.env, ("aliases", tuple(email_list)), lambda: super(MailAliasDomain, self)._find_aliases(email_list)
            )
        )
