from contextlib import contextmanager
from email.message import Message

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools.mail import email_normalize

from ..tools.mail_guard import check_structure
from .mail_loop import AUTOMATIC_MAIL_HEADERS, is_automatic_message
from .stueber_helpdesk_unassigned_mail import _eml_bytes

# Key in ``cr.cache`` of the memo of one mail's parsing and routing (see
# ``_stueber_routing_memo``).
ROUTING_MEMO = "stueber_mail_routing_memo"


@contextmanager
def _stueber_routing_memo(cr):
    """A memo for alias and own-address lookups, alive while Odoo parses and
    routes one mail; ``_message_route_process`` ends it before anything is
    created, so no lookup outlives the data it read."""
    previous = cr.cache.get(ROUTING_MEMO)
    cr.cache[ROUTING_MEMO] = {}
    try:
        yield
    finally:
        if previous is None:
            cr.cache.pop(ROUTING_MEMO, None)
        else:
            cr.cache[ROUTING_MEMO] = previous


def _routing_memo_get(env, key, compute):
    """``compute()``, once per key while a mail is parsed and routed."""
    memo = env.cr.cache.get(ROUTING_MEMO)
    if memo is None:
        return compute()
    key = (env.uid, env.su, *key)
    if key not in memo:
        memo[key] = compute()
    return memo[key]


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_process(
        self, model, message, custom_values=None, save_original=False, strip_attachments=False, thread_id=None
    ):
        """Never lose a mail, never let one block the inbox: mail for the
        support desk is processed under limits and a time budget, and one
        that is stopped or fails is kept in Unassigned Mail with the reason
        (see ``stueber.helpdesk.mail.guard``).

        Only the mail gateway feeds mail in: the fetchmail cron and the
        mailgate script (an internal user over XML-RPC), never a portal user
        through RPC (``message_new``/``update``/``route`` are not callable
        remotely at all).
        """
        self._stueber_check_gateway_caller()
        raw = _eml_bytes(message)
        # The original bytes, for the .eml of a mail kept in Unassigned Mail.
        thread = self.with_context(stueber_mail_raw=raw)

        def process(guarded):
            return super(MailThread, guarded).message_process(  # noqa: UP008 - on the guarded recordset
                model,
                raw,
                custom_values=custom_values,
                save_original=save_original,
                strip_attachments=strip_attachments,
                thread_id=thread_id,
            )

        with _stueber_routing_memo(self.env.cr):
            return self.env["stueber.helpdesk.mail.guard"]._process(thread, process, raw, model)

    @api.model
    def _stueber_check_gateway_caller(self):
        if self.env.su or self.env.user._is_internal():
            return
        raise AccessError(self.env._("Only the mail gateway may process incoming mail."))

    @api.model
    def message_parse(self, message, save_original=False):
        """Refuse a mail over the structure limits of the support inbox before
        Odoo decodes and sanitises it (``stueber_mail_limits`` in the context)."""
        limits = self.env.context.get("stueber_mail_limits")
        if limits:
            check_structure(message, limits)
        return super().message_parse(message, save_original=save_original)

    @api.private
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Not callable through RPC: only the gateway creates records from mail."""
        return super().message_new(msg_dict, custom_values=custom_values)

    @api.private
    def message_update(self, msg_dict, update_vals=None):
        """Not callable through RPC: only the gateway posts mail on records."""
        return super().message_update(msg_dict, update_vals=update_vals)

    @api.model
    def _detect_loop_sender(self, message, message_dict, routes):
        """Only real loops stop mail for tickets, and what is stopped is kept."""
        return self.env["stueber.helpdesk.mail.guard"]._detect_loop_sender(
            message, message_dict, routes, super()._detect_loop_sender
        )

    @api.model
    def _detect_loop_headers(self, msg_dict):
        return self.env["stueber.helpdesk.mail.guard"]._detect_loop_headers(
            msg_dict, super()._detect_loop_headers(msg_dict)
        )

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """Automatic reports for the support desk are kept, not dropped."""
        return self.env["stueber.helpdesk.mail.guard"]._handle_report(
            email_message, message_dict, super()._routing_handle_bounce
        )

    @api.private
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
        answers it and it reopens no ticket.

        Records are created from here on: the lookups memoised while routing
        are forgotten."""
        automatic = self._stueber_is_automatic_message(message)
        self.env.cr.cache.pop(ROUTING_MEMO, None)
        if automatic:
            automatic = self.with_context(stueber_mail_automatic=True)
            return super(MailThread, automatic)._message_route_process(message, message_dict, routes)
        return super()._message_route_process(message, message_dict, routes)

    @api.model
    def _stueber_is_automatic_message(self, message):
        """``mail_loop.is_automatic_message`` knowing our own sender addresses."""

        def compute():
            return is_automatic_message(message, own_addresses=self._stueber_own_addresses())

        if not isinstance(message, Message):
            return compute()
        # asked by the routing and by the processing of a reply: its headers are parsed once
        # (the key holds the message itself, so no other message can take its id)
        return _routing_memo_get(self.env, ("automatic", message), compute)

    @api.model
    def _stueber_own_addresses(self):
        """Addresses our own mail comes from: catchall, bounce and default
        senders of the alias domains, and the support alias (looked up once
        per mail while routing)."""
        return _routing_memo_get(self.env, ("own_addresses",), self._stueber_own_addresses_lookup)

    @api.model
    def _stueber_own_addresses_lookup(self):
        domains = self.env["mail.alias.domain"].sudo().search([])
        addresses = domains.mapped("catchall_email") + domains.mapped("bounce_email")
        addresses += domains.mapped("default_from_email")
        alias = self.env.ref("stueber_helpdesk.mail_alias_support", raise_if_not_found=False)
        if alias and alias.sudo().alias_domain_id:
            addresses.append(alias.sudo().alias_full_name)
        return frozenset(email_normalize(address) for address in addresses if address)

    @api.model
    def _stueber_automatic_mail_headers(self):
        """Headers for every automatic mail (RFC 3834), see ``mail_loop``."""
        return dict(AUTOMATIC_MAIL_HEADERS)


class MailAliasDomain(models.Model):
    _inherit = "mail.alias.domain"

    @api.model
    def _find_aliases(self, email_list):
        """Odoo looks up the same addresses up to four times while parsing
        and routing one mail (two queries each): once is enough."""
        return list(
            _routing_memo_get(
                self.env, ("aliases", tuple(email_list)), lambda: super(MailAliasDomain, self)._find_aliases(email_list)
            )
        )
