from odoo import api, models


class MailCannedResponse(models.Model):
    _inherit = "mail.canned.response"

    @api.model
    def stueber_placeholder_values(self, ticket_id):
        """What the placeholders of a canned response stand for on a ticket,
        in English and German: {customer}/{kunde}, {ticket}/{ticketnummer},
        {institution}/{einrichtung}. Read as the agent: no ticket they may
        not read gives anything away."""
        ticket = self.env["stueber.helpdesk.ticket"].browse(int(ticket_id)).exists()
        if not ticket:
            return {}
        ticket.check_access("read")
        customer = ticket.partner_id.name or ""
        number = f"#{ticket.number}" if ticket.number else ""
        institution = ticket.institution_id.name or ""
        return {
            "customer": customer,
            "kunde": customer,
            "ticket": number,
            "ticketnummer": number,
            "institution": institution,
            "einrichtung": institution,
        }
