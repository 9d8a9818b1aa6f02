from odoo import api, models


class MailFollowers(models.Model):
    """Keeps the portal record rule on tickets in step with its followers.

    The rule lists the ticket ids a portal partner follows
    (``res.partner.stueber_followed_ticket_ids``) and Odoo caches rule domains
    per user, so a change of a portal partner's ticket subscriptions must
    clear that cache, or a removed follower would keep reading the ticket.
    """

    _inherit = "mail.followers"

    @api.model_create_multi
    def create(self, vals_list):
        followers = super().create(vals_list)
        # The customer, subscribed at creation, reads the ticket as its
        # customer anyway: new tickets do not clear the cache.
        if followers._stueber_portal_ticket_followers(skip_customers=True):
            followers._stueber_clear_portal_rule_cache()
        return followers

    def write(self, vals):
        affected = bool(self._stueber_portal_ticket_followers())
        res = super().write(vals)
        if affected or self._stueber_portal_ticket_followers():
            self._stueber_clear_portal_rule_cache()
        return res

    def unlink(self):
        # Always clear, the customer's subscription included: should the
        # ticket later go to another customer, a stale list would keep it
        # readable for the former one.
        affected = bool(self._stueber_portal_ticket_followers())
        res = super().unlink()
        if affected:
            self._stueber_clear_portal_rule_cache()
        return res

    def _stueber_portal_ticket_followers(self, skip_customers=False):
        """The followers that open a ticket to a portal partner."""
        followers = self.sudo().filtered(
            lambda f: f.res_model == "stueber.helpdesk.ticket" and f.partner_id.partner_share
        )
        if skip_customers and followers:
            tickets = self.env["stueber.helpdesk.ticket"].sudo().browse(followers.mapped("res_id")).exists()
            customers = {ticket.id: ticket.partner_id for ticket in tickets}
            followers = followers.filtered(lambda f: customers.get(f.res_id) != f.partner_id)
        return followers

    def _stueber_clear_portal_rule_cache(self):
        self.env["res.partner"].invalidate_model(["stueber_followed_ticket_ids"])
        self.env.registry.clear_cache()
