import datetime
import logging
import time
import traceback

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.mail import email_normalize, email_split, unfold_references

from ..tools.mail_guard import (
    MB,
    TRACED,
    MailLimits,
    MailOverLimit,
    MailTimeBudgetExceeded,
    check_size,
    headers_of,
    time_budget,
)
from ..tools.mail_loop import OWN_AUTO_HEADER

_logger = logging.getLogger(__name__)

TICKET = "stueber.helpdesk.ticket"
# Headers that name who a mail was delivered to (Delivered-To and X-Original-To
# carry the mailbox's address when the alias was in Bcc).
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Resent-To", "Resent-Cc")
# Reports a mail server or client sends about a mail, by the report-type of
# their multipart/report (RFC 6522): read receipts (RFC 8098) and spam
# complaints (ARF, RFC 5965) are no bounces, whatever Odoo assumes.
NOT_BOUNCE_REPORTS = {"disposition-notification", "feedback-report"}


class StueberHelpdeskMailGuard(models.AbstractModel):
    """The protections of the support inbox around Odoo's mail gateway.

    Mail for the support desk is processed under limits checked before
    parsing and a time budget (``tools/mail_guard.py``); whatever a protection
    stops or a failure leaves over is kept in Unassigned Mail with its reason,
    and ``message_process`` returns normally so that fetchmail marks the mail
    as handled. Loop protection stops real loops only (automatic mail, our own
    mail coming back), never a person who writes a lot.

    Mail for other apps' aliases is processed as in core: their errors are theirs.
    """

    _name = "stueber.helpdesk.mail.guard"
    _description = "Support Inbox Protection"

    # ------------------------------------------------------------
    # SETTINGS
    # ------------------------------------------------------------

    @api.model
    def _limits(self):
        """The limits set in the settings (0 switches one off)."""
        get_param = self.env["ir.config_parameter"].sudo().get_param
        default = MailLimits()

        def number(key, fallback):
            try:
                return max(float(get_param(f"stueber_helpdesk.{key}") or fallback), 0)
            except ValueError:
                return fallback

        return MailLimits(
            max_bytes=int(number("mail_max_mb", default.max_bytes / MB) * MB),
            max_depth=int(number("mail_max_depth", default.max_depth)),
            max_parts=int(number("mail_max_parts", default.max_parts)),
            max_html_bytes=int(number("mail_max_html_mb", default.max_html_bytes / MB) * MB),
            time_budget=number("mail_time_budget", default.time_budget),
        )

    # ------------------------------------------------------------
    # GATEWAY
    # ------------------------------------------------------------

    @api.model
    def _process(self, thread, process, raw, model):
        """``process(thread)`` (Odoo's ``message_process`` of ``raw``) under the guards.

        A mail stopped by a limit or the time budget, or failing otherwise, is
        kept in Unassigned Mail and the answer is ``False``: the mail is done
        with, fetchmail marks it and goes on with the next one.
        """
        try:
            headers = headers_of(raw)
        except Exception:  # headers no parser reads: not addressed to anybody, ours
            headers = None
        if headers is not None and not self._is_support_mail(headers, model):
            return process(thread)
        Unassigned = self.env["stueber.helpdesk.unassigned.mail"].sudo()
        if headers is not None and Unassigned._stopped_before(headers):
            _logger.info("Mail %s was stopped by a limit before; not tried again", headers.get("Message-Id"))
            return False
        if headers is not None and (reason := self._own_mail_reason(headers)):
            _logger.info("Our own mail %s came back; kept in Unassigned Mail", headers.get("Message-Id"))
            Unassigned._keep_raw(raw, headers, "loop", reason)
            return False
        limits = self._limits()
        deadline = time.monotonic() + limits.time_budget
        thread = thread.with_context(stueber_mail_support=True, stueber_mail_limits=limits)
        self.env.cr.cache.pop(TRACED, None)
        try:
            check_size(raw, limits)
            # the savepoint around the budget: whatever the interruption left half done is undone
            with self.env.cr.savepoint(), time_budget(limits.time_budget):
                result = process(thread)
            if not result:
                self._keep_if_vanished(raw, headers)
            return result
        except MailOverLimit as over:
            _logger.info("Incoming mail over a limit (%s); kept in Unassigned Mail", over)
            Unassigned._keep_raw(raw, headers, over.reason, self._limit_message(over))
        except MailTimeBudgetExceeded:
            _logger.warning("Incoming mail took longer than %s s; kept in Unassigned Mail", limits.time_budget)
            error = self.env._(
                "Processing took longer than the time budget of %(seconds)s seconds and was stopped "
                "(setting 'Time Budget per Mail').",
                seconds=f"{limits.time_budget:g}",
            )
            Unassigned._keep_raw(raw, headers, "too_slow", error)
        except Exception:  # any failure: keep the mail with the error instead of losing it
            _logger.warning("Incoming mail could not be processed; kept in Unassigned Mail", exc_info=True)
            Unassigned.with_context(stueber_mail_limits=limits)._keep_failed_message(
                raw, traceback.format_exc(), deadline=deadline
            )
        return False

    @api.model
    def _keep_if_vanished(self, raw, headers):
        """Keep a mail Odoo processed without leaving a trace: neither kept,
        nor a noted bounce, nor a message (a duplicate's first copy), e.g. a
        mail written to the catchall address, which Odoo only bounces."""
        if self.env.cr.cache.pop(TRACED, False):
            return
        message_id = str(headers.get("Message-Id") or "").strip() if headers is not None else ""
        if message_id:
            if self.env["mail.message"].sudo().search_count([("message_id", "=", message_id)], limit=1):
                return
            # Odoo's lock for the Message-Id: not ours means another transaction processes the same mail
            self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", message_id))
            if not self.env.cr.fetchone()[0]:
                return
        _logger.info("Mail %s left no trace; kept in Unassigned Mail", message_id)
        error = self.env._("Odoo processed this mail without result (for example written to the catchall address).")
        self.env["stueber.helpdesk.unassigned.mail"].sudo()._keep_raw(raw, headers, "error", error)

    @api.model
    def _limit_message(self, over):
        """What staff read about a mail over a limit."""
        if over.limit == "size":
            return self.env._(
                "The mail is %(size)s MB, the limit is %(limit)s MB (setting 'Maximum Mail Size').",
                size=f"{over.value / MB:.1f}",
                limit=f"{over.maximum / MB:g}",
            )
        if over.limit == "depth":
            return self.env._(
                "The mail is nested more than %(limit)s levels deep (setting 'Maximum MIME Depth').",
                limit=over.maximum,
            )
        if over.limit == "parts":
            return self.env._(
                "The mail has more than %(limit)s parts (setting 'Maximum Number of Parts').", limit=over.maximum
            )
        return self.env._(
            "The mail holds more than %(limit)s MB of HTML (setting 'Maximum HTML Size').",
            limit=f"{over.maximum / MB:g}",
        )

    @api.model
    def _is_support_mail(self, headers, model):
        """Whether the support desk answers for this mail: it is addressed to
        the support alias, or to no alias of another app, and replies to no
        other app's mail. ``model`` is the fallback model of the call (the
        incoming mail server's "create a new record" model)."""
        if model and model != TICKET:
            return False
        addresses = set()
        for name in RECIPIENT_HEADERS:
            try:
                values = headers.get_all(name) or []
            except Exception:  # a broken header names nobody
                continue
            addresses.update(email_normalize(address) for address in email_split(",".join(map(str, values))))
        addresses.discard(False)
        # without env.ref's query per mail (the xmlid's id is cached)
        alias = self.env["stueber.helpdesk.ticket"]._mail_record("mail.alias", "stueber_helpdesk.mail_alias_support")
        if alias and alias.sudo().alias_full_name in addresses:
            return True
        if addresses and self.env["mail.alias"].sudo().search_count(
            [("alias_full_name", "in", list(addresses))], limit=1
        ):
            return False
        try:
            references = unfold_references(f"{headers.get('References') or ''} {headers.get('In-Reply-To') or ''}")
        except Exception:  # references no parser reads answer nothing
            references = []
        if references:
            replied = self.env["mail.message"].sudo().search([("message_id", "in", references[-32:])], limit=1)
            if replied.model and replied.model != TICKET:
                return False
        return True

    # ------------------------------------------------------------
    # LOOPS AND REPORTS
    # ------------------------------------------------------------

    @api.model
    def _detect_loop_sender(self, message, msg_dict, routes, core_detect):
        """Odoo's loop protection, for ticket routes: only real loops count,
        and a mail it stops is kept in Unassigned Mail (without the notice
        Odoo would send, which would only feed a loop).

        ``core_detect`` is Odoo's ``_detect_loop_sender``, asked as before for
        routes to other apps.
        """
        ticket_routes = [route for route in routes or () if route[0] == TICKET]
        if not ticket_routes:
            return core_detect(message, msg_dict, routes)
        reason = self._loop_reason(message, msg_dict, ticket_routes)
        other_routes = [route for route in routes if route[0] != TICKET]
        if not reason and other_routes and core_detect(message, msg_dict, other_routes):
            reason = self.env._("Odoo's loop protection stopped this mail for another address it was sent to.")
        if reason:
            _logger.info("Mail loop from %s stopped; kept in Unassigned Mail", msg_dict.get("email_from"))
            self.env["stueber.helpdesk.unassigned.mail"].sudo()._keep_message(message, msg_dict, "loop", reason)
        return bool(reason)

    @api.model
    def _own_mail_reason(self, headers):
        """Our own mail coming back (sent from one of our addresses or with
        our header) is a loop, whoever sends it back."""
        try:
            sender = email_normalize(str(headers.get("From") or ""))
        except Exception:  # a broken sender is nobody
            sender = False
        if OWN_AUTO_HEADER in headers or (sender and sender in self.env["mail.thread"]._stueber_own_addresses()):
            return self.env._("Our own mail came back to the support address.")
        return None

    @api.model
    def _loop_reason(self, message, msg_dict, routes):
        """Why the mail is part of a loop, or None.

        (Our own mail coming back is stopped before parsing, see
        ``_own_mail_reason``.) Automatic mail (vacation notices, other robots)
        is a loop when its sender had more tickets created by mail,
        or more mails on the ticket, than Odoo's loop threshold allows in its
        period (``mail.gateway.loop.threshold`` / ``.minutes``). A person's
        mail is never a loop, however many they write; the same mail again is
        stopped by Odoo as a duplicate before this.
        """
        email = email_normalize(msg_dict.get("email_from") or "")
        if not email or not self.env["mail.thread"]._stueber_is_automatic_message(message):
            return None
        if self.env["mail.gateway.allowed"].sudo().search_count([("email_normalized", "=", email)], limit=1):
            return None
        get_param = self.env["ir.config_parameter"].sudo().get_param
        minutes = int(get_param("mail.gateway.loop.minutes", 120))
        threshold = int(get_param("mail.gateway.loop.threshold", 20))
        since = self.env.cr.now() - datetime.timedelta(minutes=minutes)
        values = {"email": email, "count": threshold, "minutes": minutes}
        Ticket = self.env[TICKET].sudo().with_context(active_test=False)
        senders = self.env["res.partner"].sudo().search([("email_normalized", "=", email)])
        if senders and any(not route[1] for route in routes):
            domain = [("partner_id", "in", senders.ids), ("channel", "=", "email"), ("create_date", ">=", since)]
            if Ticket.search_count(domain, limit=threshold) >= threshold:
                return self.env._(
                    "Automatic mail from %(email)s: %(count)s tickets were created by mail from this address "
                    "within %(minutes)s minutes.",
                    **values,
                )
        ticket_ids = [route[1] for route in routes if route[1]]
        if ticket_ids:
            domain = [
                ("model", "=", TICKET),
                ("res_id", "in", ticket_ids),
                ("message_type", "=", "email"),
                ("email_from", "ilike", email),
                ("create_date", ">=", since),
            ]
            if self.env["mail.message"].sudo().search_count(domain, limit=threshold) >= threshold:
                return self.env._(
                    "Automatic mail from %(email)s: %(count)s mails from this address on the same ticket "
                    "within %(minutes)s minutes.",
                    **values,
                )
        return None

    @api.model
    def _detect_loop_headers(self, msg_dict, loop):
        """Keep a mail Odoo stops as a reply to one of its loop notices."""
        if loop and self.env.context.get("stueber_mail_support"):
            reason = self.env._("A reply to a notice Odoo sent to stop a mail loop.")
            self.env["stueber.helpdesk.unassigned.mail"].sudo()._keep_message(None, msg_dict, "loop", reason)
        return loop

    @api.model
    def _handle_report(self, message, msg_dict, core_handle):
        """Automatic reports to the support desk that Odoo would drop are kept.

        A delivery report (bounce) that matches one of our mails is noted on
        the contact and ticket by Odoo (``core_handle``); one that matches none
        is kept. Read receipts and spam complaints are no bounces: kept, never
        counted as a bounce of the customer's address.
        """
        if not self.env.context.get("stueber_mail_support"):
            return core_handle(message, msg_dict)
        Unassigned = self.env["stueber.helpdesk.unassigned.mail"].sudo()
        report_type = (message.get_param("report-type") or "").lower()
        if report_type in NOT_BOUNCE_REPORTS:
            kind = (
                self.env._("A read receipt")
                if report_type == "disposition-notification"
                else self.env._("A spam complaint (feedback report)")
            )
            Unassigned._keep_message(message, msg_dict, "automatic_report", kind)
            return None
        result = core_handle(message, msg_dict)
        if msg_dict.get("bounced_message"):
            self.env.cr.cache[TRACED] = True  # noted on the ticket and contact
        else:
            error = self.env._(
                "A delivery report (bounce) that matches none of our mails; undeliverable address: %(email)s",
                email=msg_dict.get("bounced_email") or self.env._("unknown"),
            )
            Unassigned._keep_message(message, msg_dict, "automatic_report", error)
        return result
