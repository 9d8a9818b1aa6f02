from odoo import api, models


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    @api.model_create_multi
    def create(self, vals_list):
        followers = super().create(vals_list)
        followers._stueber_clear_portal_rule_cache()
        return followers

    def unlink(self):
        self._stueber_clear_portal_rule_cache()
        return super().unlink()

    def _stueber_clear_portal_rule_cache(self):
        """Portal record rules on tickets list the ticket ids a partner follows
        (``res.partner.stueber_followed_ticket_ids``) and are cached per user.

        Only a portal partner that follows a ticket of which it is not the
        customer gains or loses access by it, so only then is the cache cleared:
        the customer subscribed at creation costs nothing.
        """
        ticket_followers = self.filtered(
            lambda f: f.res_model == "stueber.helpdesk.ticket" and f.partner_id.partner_share
        )
        if not ticket_followers:
            return
        tickets = self.env["stueber.helpdesk.ticket"].sudo().browse(ticket_followers.mapped("res_id")).exists()
        customers = {ticket.id: ticket.partner_id for ticket in tickets}
        if any(customers.get(f.res_id) != f.partner_id for f in ticket_followers):
            self.env.registry.clear_cache()
