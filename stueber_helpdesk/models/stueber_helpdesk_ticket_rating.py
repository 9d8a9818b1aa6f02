# A room of its own for one concept of the ticket (STYLE: "add rooms, do not grow the ticket").
# pylint: disable=consider-merging-classes-inherited
from odoo import models


class StueberHelpdeskTicket(models.Model):
    """Customer ratings with core ``rating``: when a ticket is solved, the
    customer's status mail carries the smileys (one mail, not two); one click
    rates, the portal page takes an optional comment. Ratings name the agent
    (``rated_partner_id``) and the institution (the rating's parent)."""

    _name = "stueber.helpdesk.ticket"
    _inherit = ["stueber.helpdesk.ticket", "rating.mixin"]

    def _rating_get_parent_field_name(self):
        return "institution_id"

    def _rating_request_wanted(self):
        """Whether entering the current stage asks the customer for a rating:
        ratings are on, the ticket is solved (the first closing stage, which
        the customer's "Problem solved" uses too; never Cancelled or Merged),
        it has a customer with an address and is not merged."""
        self.ensure_one()
        if not self.env["ir.config_parameter"].sudo().get_param("stueber_helpdesk.rating_request"):
            return False
        solved = self.env["stueber.helpdesk.stage"].sudo().search([("is_closed", "=", True)], limit=1)
        return self.stage_id == solved and not self.merged_into_id and bool(self.partner_id.email)

    def _track_template(self, changes):
        """A solved ticket's status mail becomes the rating request."""
        res = super()._track_template(changes)
        ticket = self[0]
        if "stage_id" not in changes or self.env.context.get("stueber_ticket_creation"):
            return res
        template = self.env.ref("stueber_helpdesk.mail_template_ticket_rating", raise_if_not_found=False)
        if template and ticket._rating_request_wanted():
            options = res["stage_id"][1] if "stage_id" in res else ticket._rating_request_post_options()
            res["stage_id"] = (template, options)
        return res

    def _rating_request_post_options(self):
        """Posted as the status mails are: an automatic note from the company in the light layout."""
        return {
            "auto_delete_keep_log": False,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_layout_xmlid": "mail.mail_notification_light",
            "author_id": self.company_id.partner_id.id,
        }

    def _portal_rating(self):
        """The customer's last rating, for the portal page."""
        self.ensure_one()
        return self.sudo().rating_ids.filtered("consumed").sorted("rated_on", reverse=True)[:1]
