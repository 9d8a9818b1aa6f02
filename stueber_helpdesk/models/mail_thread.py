import logging
import traceback

from odoo import api, models
from odoo.tools.mail import email_normalize

from .mail_loop import AUTOMATIC_MAIL_HEADERS, is_automatic_message

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_process(
        self, model, message, custom_values=None, save_original=False, strip_attachments=False, thread_id=None
    ):
        """Never lose a mail: one that fails to parse or to process is kept in
        Unassigned Mail with the error.

        Each mail runs in its own savepoint, so a failure undoes only that
        mail's changes and the record of it survives; the fetchmail loop (which
        commits after each mail) and the mailgate script then go on with the
        next mail instead of dropping this one.
        """
        # The original bytes, for the .eml of a mail kept in Unassigned Mail.
        thread = self.with_context(stueber_mail_raw=message)
        try:
            with self.env.cr.savepoint():
                return super(MailThread, thread).message_process(
                    model,
                    message,
                    custom_values=custom_values,
                    save_original=save_original,
                    strip_attachments=strip_attachments,
                    thread_id=thread_id,
                )
        except Exception:  # any failure: keep the mail with the error instead of losing it
            _logger.warning("Incoming mail could not be processed; kept in Unassigned Mail", exc_info=True)
            self.env["stueber.helpdesk.unassigned.mail"]._keep_failed_message(message, traceback.format_exc())
            return False

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """Tickets decide about the routes Odoo found for them: the subject
        token, who may write to a ticket, and unknown senders (see
        ``stueber.helpdesk.ticket._mail_route``)."""
        routes = super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )
        return self.env["stueber.helpdesk.ticket"]._mail_route(message, message_dict, routes)

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Flag the processing of automatic mail in the context: no receipt
        answers it and it reopens no ticket."""
        if self._stueber_is_automatic_message(message):
            automatic = self.with_context(stueber_mail_automatic=True)
            return super(MailThread, automatic)._message_route_process(message, message_dict, routes)
        return super()._message_route_process(message, message_dict, routes)

    @api.model
    def _stueber_is_automatic_message(self, message):
        """``mail_loop.is_automatic_message`` knowing our own sender addresses."""
        return is_automatic_message(message, own_addresses=self._stueber_own_addresses())

    @api.model
    def _stueber_own_addresses(self):
        """Addresses our own mail comes from: catchall, bounce and default
        senders of the alias domains, and the support alias."""
        domains = self.env["mail.alias.domain"].sudo().search([])
        addresses = domains.mapped("catchall_email") + domains.mapped("bounce_email")
        addresses += domains.mapped("default_from_email")
        alias = self.env.ref("stueber_helpdesk.mail_alias_support", raise_if_not_found=False)
        if alias and alias.sudo().alias_domain_id:
            addresses.append(alias.sudo().alias_full_name)
        return {email_normalize(address) for address in addresses if address}

    @api.model
    def _stueber_automatic_mail_headers(self):
        """Headers for every automatic mail (RFC 3834), see ``mail_loop``."""
        return dict(AUTOMATIC_MAIL_HEADERS)
