# A room of its own for one concept of the ticket (STYLE: "add rooms, do not grow the ticket").
# pylint: disable=consider-merging-classes-inherited
from odoo import fields, models


class StueberHelpdeskTicket(models.Model):
    """Customer ratings with core ``rating``: when a ticket is solved, the
    customer's status mail carries the smileys (one mail, not two); one click
    rates, the portal page takes an optional comment. Ratings name the agent
    (``rated_partner_id``) and the institution (the rating's parent)."""

    _name = "stueber.helpdesk.ticket"
    _inherit = ["stueber.helpdesk.ticket", "rating.mixin"]

    # A new ticket has no rating: 0 in its INSERT, so computing it after writes no UPDATE (not
    # precomputed: the field is for employees, and portal users create tickets too).
    rating_last_value = fields.Float(default=0.0)

    def _rating_get_parent_field_name(self):
        return "institution_id"

    def _rating_request_wanted(self):
        """Whether entering the current stage asks the customer for a rating:
        ratings are on (the setting, and the ticket's team unless it has
        none), the ticket is solved (the first closing stage, which the
        customer's "Problem solved" uses too; never Cancelled or Merged), it
        has a customer with an address and is not merged."""
        self.ensure_one()
        if not self.env["ir.config_parameter"].sudo().get_param("stueber_helpdesk.rating_request"):
            return False
        if self.team_id and not self.sudo().team_id.rating_request:
            return False
        solved = self.env["stueber.helpdesk.stage"].sudo().search([("is_closed", "=", True)], limit=1)
        return self.stage_id == solved and not self.merged_into_id and bool(self.partner_id.email)

    def _stage_mail_template(self):
        """A solved ticket's status mail becomes the rating request (one mail, not two)."""
        if self._rating_request_wanted():
            rating = self.env.ref("stueber_helpdesk.mail_template_ticket_rating", raise_if_not_found=False)
            if rating:
                return rating
        return super()._stage_mail_template()

    def _portal_rating(self):
        """The customer's last rating, for the portal page."""
        self.ensure_one()
        return self.sudo().rating_ids.filtered("consumed").sorted("rated_on", reverse=True)[:1]
