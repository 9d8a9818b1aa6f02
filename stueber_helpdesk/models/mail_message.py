from odoo import api, models

TICKET = "stueber.helpdesk.ticket"
PORTAL_MIXIN = "stueber.helpdesk.portal.mixin"


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

    @api.model
    def _get_with_access(self, message_id, mode="read", **kwargs):
        """A link opens a document's customer-visible messages only.

        Odoo gives every message of a thread to whoever holds the thread's
        token (``/mail/message/reaction``, ``/mail/message/update_content``
        and any route that asks here), internal notes included. Outside
        staff, an internal message of a document with portal visibility is
        answered like a missing one.
        """
        message = super()._get_with_access(message_id, mode=mode, **kwargs)
        if not message or self.env.user._is_internal():
            return message
        return self.browse() if message._stueber_hidden_from_outsiders() else message

    def _stueber_hidden_from_outsiders(self):
        """Whether this message is an internal one of a document with portal
        visibility (a ticket): never shown outside staff, whatever the token."""
        message_sudo = self.sudo()
        model = self.env.get(message_sudo.model or "")
        return (
            model is not None
            and isinstance(model, self.env.registry[PORTAL_MIXIN])
            and _is_internal_message(message_sudo)
        )


def _is_internal_message(message):
    return message.is_internal or not message.subtype_id or message.subtype_id.internal
