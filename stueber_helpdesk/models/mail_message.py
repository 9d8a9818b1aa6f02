from odoo import models


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _get_forbidden_access(self, operation):
        """Keep every internal message of a ticket from portal readers.

        Odoo forbids portal users only internal messages of type *comment*;
        an internal note that came in by e-mail (an agent answering a note
        notification from the mail client) or a notification with an internal
        subtype stays readable by id over RPC. Searches already hide them
        (``_get_search_domain_share``); direct reads must agree.
        """
        forbidden = super()._get_forbidden_access(operation)
        if operation != "read" or self.env.user._is_internal():
            return forbidden
        internal = (self - forbidden).sudo().filtered(_is_internal_ticket_message)
        return forbidden + self.browse(internal.ids)


def _is_internal_ticket_message(message):
    if message.model != "stueber.helpdesk.ticket":
        return False
    return message.is_internal or not message.subtype_id or message.subtype_id.internal
