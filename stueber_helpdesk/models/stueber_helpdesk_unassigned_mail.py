import datetime
import email
import email.policy
import logging
import time
import xmlrpc.client

from odoo import api, fields, models
from odoo.tools import email_normalize

from ..tools.mail_guard import RAW_MAIL, TRACED, MailLimits, MailTimeBudgetExceeded, headers_of, time_budget
from ..tools.mail_loop import is_robot_address

_logger = logging.getLogger(__name__)

REASONS = [
    ("unknown_sender", "Unknown sender"),
    ("unconfirmed_sender", "Sender's e-mail not confirmed"),
    ("foreign_token", "Ticket number of someone else's ticket"),
    ("foreign_reply", "Reply to someone else's ticket"),
    ("unauthenticated", "Sender not authenticated"),
    ("error", "Could not be processed"),
    ("too_large", "Too large"),
    ("too_complex", "Too complex"),
    ("too_slow", "Took too long"),
    ("loop", "Mail loop"),
    ("automatic_report", "Automatic report"),
]
# Reasons a person could fix by registering or confirming their address; the
# "please register" reply is sent for these only.
REPLY_REASONS = {"unknown_sender", "unconfirmed_sender", "foreign_token"}
REPLY_INTERVAL = datetime.timedelta(days=1)
# Mail a limit stopped before parsing: never tried again when fetched again.
STOPPED_REASONS = ("too_large", "too_complex", "too_slow")


def _eml_bytes(message):
    """The message as RFC 822 bytes, whatever shape the gateway left it in.

    Broken messages may refuse the strict SMTP policy; the lenient compat32
    policy writes anything the parser accepted.
    """
    if isinstance(message, bytes):
        return message
    if isinstance(message, xmlrpc.client.Binary):
        return bytes(message.data)
    if isinstance(message, str):
        return message.encode("utf-8", errors="replace")
    try:
        return message.as_bytes()
    except Exception:  # any serialisation error: the lenient policy writes what was parsed
        return message.as_bytes(policy=email.policy.compat32)


def _as_bytes(content):
    """Text parts come out of the parser as str, enclosed messages
    (message/rfc822, message/external-body) as messages, others as bytes."""
    if isinstance(content, str):
        return content.encode("utf-8", errors="replace")
    if isinstance(content, email.message.Message):
        return _eml_bytes(content)
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    return str(content).encode("utf-8", errors="replace")


def _storable(value):
    """A header value PostgreSQL accepts (no NUL byte)."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def _header(message, name):
    """A decoded header of ``message``, or "" when it is missing or undecodable."""
    if not isinstance(message, email.message.Message):
        return ""
    try:
        return str(message.get(name) or "").strip()
    except Exception:  # a broken header must not lose the mail
        return ""


class StueberHelpdeskUnassignedMail(models.Model):
    """A mail that reached the support address but became no ticket message.

    Unknown or unconfirmed senders, someone else's ticket number, or a mail the
    gateway failed to process land here instead of being lost. Staff create a
    ticket for a chosen contact, attach the mail to a ticket, or discard it.

    Access matrix:
    - Helpdesk User: read and write (process); Helpdesk Administrator: also delete.
    - Portal users and internal users without helpdesk group: no access.
    """

    _name = "stueber.helpdesk.unassigned.mail"
    _description = "Unassigned Mail"
    _order = "date desc, id desc"
    _rec_name = "subject"

    email_from = fields.Char(string="Sender", readonly=True)
    email_normalized = fields.Char(string="Sender Address", readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Known Contact",
        readonly=True,
        index="btree_not_null",
        help="The contact with the sender's address, if there is one (for example not yet confirmed).",
    )
    subject = fields.Char(readonly=True)
    date = fields.Datetime(readonly=True, required=True, default=fields.Datetime.now, index=True)
    message_id = fields.Char(string="Message-Id", readonly=True, index="btree_not_null")
    reason = fields.Selection(REASONS, required=True, readonly=True)
    error = fields.Text(readonly=True)
    auth_results = fields.Char(
        string="Authentication Results",
        readonly=True,
        help="What the trusted mail servers reported about the sender (Authentication-Results).",
    )
    body = fields.Html(readonly=True, sanitize_style=True)
    eml_attachment_id = fields.Many2one("ir.attachment", string="Original Message", readonly=True)
    eml_file = fields.Binary(related="eml_attachment_id.datas", string="Original (.eml)")
    eml_name = fields.Char(related="eml_attachment_id.name")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "stueber_helpdesk_unassigned_mail_attachment_rel",
        "unassigned_mail_id",
        "attachment_id",
        string="Attachments",
        readonly=True,
    )
    state = fields.Selection(
        [("new", "New"), ("done", "Assigned"), ("discarded", "Discarded")],
        default="new",
        required=True,
        readonly=True,
        index=True,
    )
    ticket_id = fields.Many2one("stueber.helpdesk.ticket", readonly=True, index="btree_not_null")
    reply_date = fields.Datetime(
        string="Registration Hint Sent",
        readonly=True,
        help="When the sender was sent the reply that explains how to register (at most once a day).",
    )
    lang = fields.Char(compute="_compute_lang")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company, index=True
    )

    # The rate limit asks: was this address answered in the last day?
    _reply_idx = models.Index("(email_normalized, reply_date) WHERE reply_date IS NOT NULL")

    @api.depends("partner_id.lang", "company_id.partner_id.lang")
    def _compute_lang(self):
        for mail in self:
            mail.lang = mail.partner_id.lang or mail.company_id.partner_id.lang or "de_DE"

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_assign(self):
        """Open the wizard that turns the mail into a ticket or a ticket message."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Assign Mail"),
            "res_model": "stueber.helpdesk.unassigned.mail.assign",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_unassigned_mail_id": self.id,
                "default_mode": self.env.context.get("assign_mode", "new"),
            },
        }

    def action_discard(self):
        self.filtered(lambda mail: mail.state == "new").state = "discarded"

    def action_reset(self):
        self.filtered(lambda mail: mail.state == "discarded").state = "new"

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _cron_remove_old_reports(self):
        """Automatic reports (bounces, read receipts) are kept for a while only:
        staff see that an address bounces, the list does not grow for ever."""
        days = int(self.env["ir.config_parameter"].sudo().get_param("stueber_helpdesk.report_retention_days") or 30)
        if days <= 0:
            return
        limit = fields.Datetime.now() - datetime.timedelta(days=days)
        self.sudo().search([("reason", "=", "automatic_report"), ("create_date", "<", limit)]).unlink()

    def _create_ticket(self, partner, subject):
        """A ticket for ``partner`` whose first message is this mail, as if it
        had come in through the gateway: channel e-mail, posted with the
        creation subtype so the usual new-ticket notifications follow."""
        self.ensure_one()
        Ticket = self.env["stueber.helpdesk.ticket"].with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
        ticket = Ticket.create(
            {
                "name": subject or self.subject or self.env._("(no subject)"),
                "partner_id": partner.id,
                "channel": "email",
            }
        )
        self._post_message(ticket, ticket._creation_subtype())
        ticket._mail_send_receipt()  # after the customer's mail, as for tickets from the gateway
        return ticket

    def _post_on_ticket(self, ticket):
        """Post this mail on ``ticket`` as a message from its sender."""
        self.ensure_one()
        self._post_message(ticket, self.env.ref("mail.mt_comment"))
        return ticket

    def _post_message(self, ticket, subtype):
        # The sender does not become a follower: staff decide who may read the ticket.
        ticket.with_context(mail_post_autofollow_author_skip=True).message_post(
            **self._message_values(), subtype_id=subtype.id
        )
        self.write({"state": "done", "ticket_id": ticket.id})

    def _message_values(self):
        """The mail as ``message_post`` arguments, from the original message.

        Parsed again from the .eml, so inline images and attachments come out
        as the gateway would post them; a mail Odoo cannot parse (in its time
        budget), or that a limit stopped, is posted with its original attached.
        """
        values = {
            "author_id": None,  # the sender's contact, found from email_from, if any
            "email_from": self.email_from,
            "message_type": "email",
            "date": self.date,
            "subject": self.subject,
        }
        if self.message_id:  # replies to the original mail then thread on the ticket
            values["message_id"] = self.message_id
        files = [(a.name, a.raw) for a in self.eml_attachment_id | self.attachment_ids]
        if self.reason in STOPPED_REASONS:  # parsing it would block the staff member's request
            return {**values, "body": self.body or "", "attachments": files}
        limits = self.env["stueber.helpdesk.mail.guard"]._limits()
        try:
            with self.env.cr.savepoint(), time_budget(limits.time_budget):
                message = email.message_from_bytes(self.eml_attachment_id.raw, policy=email.policy.SMTP)
                msg_dict = self.env["mail.thread"].message_parse(message)
        except (Exception, MailTimeBudgetExceeded):  # unparsable: post what was kept, with the original
            return {**values, "body": self.body or "", "attachments": files}
        attachments = [(a.fname, a.content, a.info) for a in msg_dict.get("attachments") or []]
        return {**values, "body": msg_dict.get("body") or "", "attachments": attachments}

    # ------------------------------------------------------------
    # GATEWAY
    # ------------------------------------------------------------

    @api.model
    def _stopped_before(self, headers):
        """Whether this mail (by Message-Id) was stopped by a limit before: a
        mail fetched again is not parsed again."""
        message_id = _header(headers, "Message-Id")
        if not message_id:
            return False
        domain = [("message_id", "=", message_id), ("reason", "in", STOPPED_REASONS)]
        return bool(self.sudo().search_count(domain, limit=1))

    @api.model
    def _keep_message(self, message, msg_dict, reason, error=None, automatic=None, auth_results=None):
        """Keep a mail that became no ticket message, and answer a person once a day.

        Called by the mail gateway. ``message`` is the ``email.message.Message``
        Odoo parsed (or None); ``msg_dict`` the result of ``message_parse`` (may
        be empty). A mail kept before (same Message-Id) is not kept again, so a
        re-delivered mail is not answered twice. ``automatic``: whether a robot
        sent it, when the caller knows; ``auth_results``: the sender
        authentication that failed, shown to staff. The .eml holds the bytes
        ``message_process`` received (``tools/mail_guard.raw_mail``), else the
        message written out again.
        """
        raw = _eml_bytes(self.env.cr.cache.get(RAW_MAIL) or message or b"")
        return self._keep(message, msg_dict or {}, reason, error, raw, automatic=automatic, auth_results=auth_results)

    @api.model
    def _keep(self, message, msg_dict, reason, error, raw, automatic=None, auth_results=None):
        """Keep first what cannot fail (the headers and the raw .eml), then the
        extras (body, files, the reply), each allowed to fail on its own."""
        message_id = msg_dict.get("message_id") or _header(message, "Message-Id")
        kept = self._find_kept(message_id)
        if kept:
            return kept
        vals = self._keep_vals(message, msg_dict, reason, error, message_id)
        kept = self._create_kept({**vals, "auth_results": auth_results or False}, raw)
        kept._keep_extra("body", lambda: kept.write({"body": msg_dict.get("body") or False}))
        kept._keep_extra("attachments", lambda: kept._store_attachments(msg_dict))
        kept._keep_extra(
            "reply",
            lambda: kept._should_reply(message, msg_dict, automatic=automatic) and kept._send_registration_hint(),
        )
        return kept

    @api.model
    def _keep_raw(self, raw, headers, reason, error):
        """Keep a mail that was not parsed (over a limit, out of time): its
        headers and the .eml, nothing that could take long."""
        message_id = _header(headers, "Message-Id")
        return self._find_kept(message_id) or self._create_kept(
            self._keep_vals(headers, {}, reason, error, message_id), raw
        )

    @api.model
    def _keep_failed_message(self, message, error, deadline=None):
        """Keep a mail the gateway failed on, with whatever can still be read of it.

        ``message`` is what ``message_process`` received (bytes, str or an
        XML-RPC binary). The raw mail is kept first; then the body and files
        are read, if Odoo can parse the mail before ``deadline`` (a
        ``time.monotonic()``; the rest of the mail's time budget).
        """
        raw = _eml_bytes(message)
        try:
            headers = headers_of(raw)
        except Exception:  # headers no parser reads: the .eml says it all
            headers = None
        message_id = _header(headers, "Message-Id")
        kept = self._find_kept(message_id)
        if kept:
            return kept
        kept = self._create_kept(self._keep_vals(headers, {}, "error", error, message_id), raw)
        seconds = (deadline - time.monotonic()) if deadline else MailLimits().time_budget
        if seconds <= 0:
            return kept
        try:
            with self.env.cr.savepoint(), time_budget(seconds):
                parsed = email.message_from_bytes(raw, policy=email.policy.SMTP)
                msg_dict = self.env["mail.thread"].message_parse(parsed)
        except (Exception, MailTimeBudgetExceeded):  # unparsable: the error being kept says why
            _logger.info("Kept mail cannot be parsed; keeping its raw source only", exc_info=True)
            return kept
        kept._keep_extra("body", lambda: kept.write({"body": msg_dict.get("body") or False}))
        kept._keep_extra("attachments", lambda: kept._store_attachments(msg_dict))
        return kept

    @api.model
    def _find_kept(self, message_id):
        if not message_id:
            return self.browse()
        kept = self.sudo().search([("message_id", "=", message_id)], limit=1)
        if kept:
            self.env.cr.cache[TRACED] = True
        return kept

    @api.model
    def _create_kept(self, vals, raw):
        """The record with the original .eml; with the headers only when a
        value the mail carries cannot be stored."""
        try:
            with self.env.cr.savepoint():
                kept = self.sudo().create(vals)
        except Exception:  # e.g. a NUL byte in the subject: keep the reason and the .eml
            _logger.warning("Kept mail has values that cannot be stored; keeping its raw source", exc_info=True)
            kept = self.sudo().create(
                {key: vals[key] for key in ("reason", "error", "message_id", "email_normalized") if key in vals}
            )
        kept._store_eml(raw)
        self.env.cr.cache[TRACED] = True  # the gateway's net for vanishing mail: this one is kept
        return kept

    def _keep_extra(self, what, keep):
        """Run ``keep()`` in its own savepoint: its failure loses nothing else."""
        try:
            with self.env.cr.savepoint():
                keep()
        except Exception:  # the raw mail is kept already
            _logger.warning("Could not keep the %s of mail %s", what, self.message_id, exc_info=True)

    @api.model
    def _keep_vals(self, message, msg_dict, reason, error, message_id):
        email_from = msg_dict.get("email_from") or _header(message, "From")
        normalized = email_normalize(email_from) or False
        partner = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        if not partner and normalized:
            partner = self.env["res.partner"].sudo().search([("email_normalized", "=", normalized)], limit=1)
        return {
            "email_from": _storable(email_from),
            "email_normalized": normalized,
            "partner_id": partner.id,
            "subject": _storable(msg_dict.get("subject") or _header(message, "Subject")),
            "date": msg_dict.get("date") or fields.Datetime.now(),
            "message_id": _storable(message_id),
            "reason": reason,
            "error": error or False,
        }

    def _store_eml(self, raw):
        """The original, byte for byte, as .eml attached to the record."""
        self.ensure_one()
        self.eml_attachment_id = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "res_model": self._name,
                    "res_id": self.id,
                    "name": "original.eml",
                    "raw": raw,
                    "mimetype": "message/rfc822",
                }
            )
        )

    def _store_attachments(self, msg_dict):
        """The mail's files, attached to the record."""
        self.ensure_one()
        files = [
            {
                "res_model": self._name,
                "res_id": self.id,
                "name": attachment.fname or "attachment",
                "raw": _as_bytes(attachment.content),
            }
            for attachment in msg_dict.get("attachments") or []
        ]
        if files:
            self.attachment_ids = self.env["ir.attachment"].sudo().create(files)

    def _should_reply(self, message, msg_dict, automatic=None):
        """Answer people who can fix it, never machines, at most once a day."""
        self.ensure_one()
        if self.reason not in REPLY_REASONS or not self.email_normalized:
            return False
        if is_robot_address(self.email_normalized):
            return False
        if automatic is None:
            parsed = message if isinstance(message, email.message.Message) else msg_dict
            automatic = self.env["mail.thread"]._stueber_is_automatic_message(parsed)
        if automatic:
            return False
        return not self.search_count(
            [
                ("email_normalized", "=", self.email_normalized),
                ("reply_date", ">", fields.Datetime.now() - REPLY_INTERVAL),
            ],
            limit=1,
        )

    def _send_registration_hint(self):
        """Queue the polite reply; it threads under the customer's mail in their client."""
        self.ensure_one()
        template = self.env.ref("stueber_helpdesk.mail_template_unassigned_reply", raise_if_not_found=False)
        if not template:
            return
        self.env["stueber.helpdesk.customer.mail"]._send(template, self, in_reply_to=self.message_id or None)
        self.reply_date = fields.Datetime.now()
