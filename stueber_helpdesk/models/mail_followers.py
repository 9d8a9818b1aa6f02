from odoo import models


class MailFollowers(models.Model):
    """A portal follower removed from a ticket leaves it entirely.

    Following opens a ticket (the portal rule asks the follower table
    directly, nothing to refresh); what the follower may have kept, their
    address in the ticket's ``Cc`` and the ticket's shared links, is ended
    by ``stueber.helpdesk.access``.
    """

    _inherit = "mail.followers"

    def unlink(self):
        removed = self.sudo().filtered(
            lambda f: f.res_model == "stueber.helpdesk.ticket" and f.partner_id.partner_share
        )
        removed = [(follower.partner_id, follower.res_id) for follower in removed]
        res = super().unlink()
        if removed:
            self.env["stueber.helpdesk.access"]._followers_removed(removed)
        return res
