from odoo import api, models

from .mail_thread import routing_memo_get


class MailAliasDomain(models.Model):
    _inherit = "mail.alias.domain"

    @api.model
    def _find_aliases(self, email_list):
        """Odoo looks up the same addresses up to four times while parsing
        and routing one mail (two queries each): once is enough."""
        return list(
            routing_memo_get(
                self.env, ("aliases", tuple(email_list)), lambda: super(MailAliasDomain, self)._find_aliases(email_list)
            )
        )
