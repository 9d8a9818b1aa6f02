import logging

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import ormcache
from odoo.tools.mail import email_normalize

from ..tools.mail_guard import check_structure, raw_mail
from ..tools.mail_loop import is_automatic_message
from ..tools.routing_memo import ROUTING_MEMO, _stueber_routing_memo, routing_memo_get
from .stueber_helpdesk_mail_intake import TICKET, UNASSIGNED, IntakeRoute, decisions_of
from .stueber_helpdesk_unassigned_mail import _eml_bytes

_logger = logging.getLogger(__name__)


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

        def process(guarded):
            return super(MailThread, guarded).message_process(  # noqa: UP008 - on the guarded recordset
                model,
                raw,
                custom_values=custom_values,
                save_original=save_original,
                strip_attachments=strip_attachments,
                thread_id=thread_id,
            )

        # the original bytes, for the .eml of a mail kept in Unassigned Mail
        with _stueber_routing_memo(self.env.cr), raw_mail(self.env.cr, raw):
            return self.env["stueber.helpdesk.mail.guard"]._process(self, process, raw, model)

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
        """Routes to tickets become what the mail intake decides about the
        mail (``stueber.helpdesk.mail.intake``): each carries its decision."""
        routes = super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )
        intake = self.env["stueber.helpdesk.mail.intake"]
        return [intake._route(message, message_dict, route) if route[0] == TICKET else route for route in routes]

    @api.model
    def _mail_find_user_for_gateway(self, email_value, alias=None):
        """For mail to a ticket alias, the sender's user comes from the
        contacts the mail intake looks up anyway (``_sender_partners``, one
        query per mail), not from a search of Odoo's of its own."""
        email = email_normalize(email_value or "")
        if not self._stueber_routes_to_tickets(alias) or not email or email in self._stueber_own_addresses():
            return super()._mail_find_user_for_gateway(email_value, alias=alias)
        senders = self.env["stueber.helpdesk.mail.intake"]._sender_partners(email)
        return senders.filtered("user_ids")[:1].main_user_id

    @api.model
    def _routing_check_route(self, message, message_dict, route, raise_exception=True):
        """Odoo looks the author up for the alias' contact check; for a route
        to tickets, it is the intake's sender (the intake decides the author
        the mail is filed under anyway, ``_message_parse_post_process``)."""
        email = email_normalize(message_dict.get("email_from") or "")
        if (
            email
            and not message_dict.get("author_id")
            and route[0] == TICKET
            and self._stueber_routes_to_tickets(route[4])
        ):
            senders = self.env["stueber.helpdesk.mail.intake"]._sender_partners(email)
            if senders:
                message_dict["author_id"] = senders[0].id
        return super()._routing_check_route(message, message_dict, route, raise_exception=raise_exception)

    @api.model
    def _stueber_routes_to_tickets(self, alias):
        """Whether ``alias`` is a ticket alias of its own (no parent record) while a mail is routed."""
        return bool(
            alias
            and len(alias) == 1
            and ROUTING_MEMO in self.env.cr.cache
            and not alias.sudo().alias_parent_thread_id
            and alias.sudo().alias_model_id.model == TICKET
        )

    @api.model
    def _message_parse_post_process(self, message, message_dict, routes):
        """The mail is filed under the contact the intake decided on; Odoo
        looks the sender up again only for the routes of other apps. Its
        recipients (To, Cc) do not become the ticket message's partners:
        being in copy gives no rights on a ticket."""
        decisions = decisions_of(routes)
        if not decisions:
            return super()._message_parse_post_process(message, message_dict, routes)
        others = [route for route in routes if not isinstance(route, IntakeRoute)]
        values = super()._message_parse_post_process(message, message_dict, others) if others else {}
        return {**values, "author_id": decisions[0].author.id or values.get("author_id") or False}

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Odoo processes the routes the intake let through; after each, its
        decision's effects follow, in one place (``_apply``: the receipt after
        the customer's own message, a kept mail in Unassigned Mail).

        One route at a time, each with the mail as parsed (Odoo's loop pops
        values from ``message_dict``), so each decision knows its own thread.
        Records are created from here on: the lookups memoised while routing
        are forgotten."""
        self.env.cr.cache.pop(ROUTING_MEMO, None)
        intake = self.env["stueber.helpdesk.mail.intake"]
        thread_id = False
        for route in routes or ():
            route_thread_id = False
            if route[0] != UNASSIGNED:
                route_thread_id = thread_id = super()._message_route_process(message, dict(message_dict), [route])
            if isinstance(route, IntakeRoute):
                intake._apply(route.decision, message, message_dict, route_thread_id)
        return thread_id

    @api.model
    def _routing_reset_bounce(self, email_message, message_dict):
        """Odoo's, with the models that count bounces looked up once per
        registry instead of twice per mail (they change only with modules),
        and the sender's contacts taken from the look-up of the mail intake
        (``_sender_partners``, one query per mail) instead of a search of their own."""
        normalized_from = email_normalize(message_dict["email_from"])
        if not normalized_from:
            return
        for model in self._stueber_bounce_models():
            if model == "res.partner" and ROUTING_MEMO in self.env.cr.cache:
                senders = self.env["stueber.helpdesk.mail.intake"]._sender_partners(normalized_from)
                bounced = senders.filtered(lambda partner: partner.message_bounce > 0)
            else:
                bounced = (
                    self.env[model]
                    .sudo()
                    .search([("message_bounce", ">", 0), ("email_normalized", "=", normalized_from)])
                )
            bounced._message_reset_bounce(normalized_from)

    @ormcache()
    def _stueber_bounce_models(self):
        models = (
            self.env["ir.model"]
            .sudo()
            .search([("is_mail_blacklist", "=", True), ("model", "!=", "mail.thread.blacklist")])
        )
        return tuple(model.model for model in models if model.model in self.env)

    @api.model
    def _stueber_is_automatic_message(self, message):
        """``mail_loop.is_automatic_message`` knowing our own sender addresses
        (once per mail: the intake and the loop protection both ask)."""
        return routing_memo_get(
            self.env,
            ("automatic", id(message)),
            lambda: is_automatic_message(message, own_addresses=self._stueber_own_addresses()),
        )

    @api.model
    def _stueber_own_addresses(self):
        """Addresses our own mail comes from: catchall, bounce and default
        senders of the alias domains, and the support alias.

        The same for every mail: cached, and forgotten when an alias domain
        or the support alias changes (``mail.alias.domain``, ``mail.alias``)."""
        return self._stueber_own_addresses_cached()

    @ormcache()
    def _stueber_own_addresses_cached(self):
        domains = self.env["mail.alias.domain"].sudo().search([])
        addresses = domains.mapped("catchall_email") + domains.mapped("bounce_email")
        addresses += domains.mapped("default_from_email")
        alias = self.env.ref("stueber_helpdesk.mail_alias_support", raise_if_not_found=False)
        if alias and alias.sudo().alias_domain_id:
            addresses.append(alias.sudo().alias_full_name)
        return frozenset(email_normalize(address) for address in addresses if address)
