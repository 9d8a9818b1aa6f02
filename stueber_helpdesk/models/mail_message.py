from odoo import models

TICKET = "stueber.helpdesk.ticket"


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _get_forbidden_access(self, operation):
        """Two holes of Odoo's message rules, closed for portal users on tickets.

        - Read: Odoo forbids portal users only internal messages of type
          *comment*; an internal note that came in by e-mail (an agent
          answering a note notification from the mail client) or a
          notification with an internal subtype stays readable by id over RPC.
          Searches already hide them (``_get_search_domain_share``); direct
          reads must agree.
        - Write: Odoo lets every recipient of a message write it, so a
          customer notified of an agent's answer could rewrite its body for
          colleagues and staff. On tickets, portal users write only their own
          messages.
        """
        forbidden = super()._get_forbidden_access(operation)
        if operation not in ("read", "write") or self.env.user._is_internal():
            return forbidden
        candidates = (self - forbidden).sudo().filtered(lambda message: message.model == TICKET)
        if operation == "read":
            candidates = candidates.filtered(_is_internal_message)
        else:
            candidates = candidates.filtered(lambda message: message.author_id != self.env.user.partner_id)
        return forbidden + self.browse(candidates.ids)


def _is_internal_message(message):
    return message.is_internal or not message.subtype_id or message.subtype_id.internal
