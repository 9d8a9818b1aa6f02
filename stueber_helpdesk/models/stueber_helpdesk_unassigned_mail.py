import datetime
import email
import email.policy
import logging
import xmlrpc.client

from odoo import api, fields, models
from odoo.tools import email_normalize

from ..tools.mail_loop import is_robot_address

_logger = logging.getLogger(__name__)

REASONS = [
    ("unknown_sender", "Unknown sender"),
    ("unconfirmed_sender", "Sender's e-mail not confirmed"),
    ("foreign_token", "Ticket number of someone else's ticket"),
    ("foreign_reply", "Reply to someone else's ticket"),
    ("unauthenticated", "Sender not authenticated"),
    ("error", "Could not be processed"),
]
# Reasons a person could fix by registering or confirming their address; the
# "please register" reply is sent for these only.
REPLY_REASONS = {"unknown_sender", "unconfirmed_sender", "foreign_token"}
REPLY_INTERVAL = datetime.timedelta(days=1)


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
    """Text parts come out of the parser as str, others as bytes."""
    return content.encode("utf-8") if isinstance(content, str) else content


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
        as the gateway would post them; a mail Odoo cannot parse is posted
        with its original attached.
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
        try:
            with self.env.cr.savepoint():
                message = email.message_from_bytes(self.eml_attachment_id.raw, policy=email.policy.SMTP)
                msg_dict = self.env["mail.thread"].message_parse(message)
        except Exception:  # unparsable: post what was kept, with the original
            files = [(a.name, a.raw) for a in self.eml_attachment_id | self.attachment_ids]
            return {**values, "body": self.body or "", "attachments": files}
        attachments = [(a.fname, a.content, a.info) for a in msg_dict.get("attachments") or []]
        return {**values, "body": msg_dict.get("body") or "", "attachments": attachments}

    # ------------------------------------------------------------
    # GATEWAY
    # ------------------------------------------------------------

    @api.model
    def _keep_message(self, message, msg_dict, reason, error=None, automatic=None, auth_results=None):
        """Keep a mail that became no ticket message, and answer a person once a day.

        Called by the mail gateway. ``message`` is the ``email.message.Message``
        Odoo parsed, or the raw bytes/str when parsing failed; ``msg_dict`` the
        result of ``message_parse`` (may be empty). A mail kept before (same
        Message-Id) is not kept again, so a re-delivered mail is not answered twice.
        ``automatic``: whether a robot sent it, when the caller knows;
        ``auth_results``: the sender authentication that failed, shown to staff.
        The .eml holds the bytes ``message_process`` received when it passed
        them on in the context, else the message written out again.
        """
        raw = _eml_bytes(self.env.context.get("stueber_mail_raw") or message)
        return self._keep(message, msg_dict or {}, reason, error, raw, automatic=automatic, auth_results=auth_results)

    @api.model
    def _keep(self, message, msg_dict, reason, error, raw, automatic=None, auth_results=None):
        message_id = msg_dict.get("message_id") or _header(message, "Message-Id")
        Mail = self.sudo()
        if message_id:
            kept = Mail.search([("message_id", "=", message_id)], limit=1)
            if kept:
                return kept
        vals = self._keep_vals(message, msg_dict, reason, error, message_id)
        kept = Mail.create({**vals, "auth_results": auth_results or False})
        kept._store_attachments(raw, msg_dict)
        if kept._should_reply(message, msg_dict, automatic=automatic):
            kept._send_registration_hint()
        return kept

    @api.model
    def _keep_failed_message(self, message, error):
        """Keep a mail the gateway failed on, with whatever can still be read of it.

        ``message`` is what ``message_process`` received (bytes, str or an
        XML-RPC binary). If Odoo cannot parse it, the headers and the .eml
        still tell staff what it was.
        """
        raw = _eml_bytes(message)
        parsed = email.message_from_bytes(raw, policy=email.policy.SMTP)
        msg_dict = {}
        try:
            with self.env.cr.savepoint():
                msg_dict = self.env["mail.thread"].message_parse(parsed)
        except Exception:  # unparsable: the error being kept says why
            _logger.info("Kept mail cannot be parsed; keeping its raw source only", exc_info=True)
        return self._keep(parsed, msg_dict, "error", error, raw)

    @api.model
    def _keep_vals(self, message, msg_dict, reason, error, message_id):
        email_from = msg_dict.get("email_from") or _header(message, "From")
        normalized = email_normalize(email_from) or False
        partner = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        if not partner and normalized:
            partner = self.env["res.partner"].sudo().search([("email_normalized", "=", normalized)], limit=1)
        return {
            "email_from": email_from,
            "email_normalized": normalized,
            "partner_id": partner.id,
            "subject": msg_dict.get("subject") or _header(message, "Subject"),
            "date": msg_dict.get("date") or fields.Datetime.now(),
            "message_id": message_id or False,
            "reason": reason,
            "error": error or False,
            "body": msg_dict.get("body") or False,
        }

    def _store_attachments(self, raw, msg_dict):
        """The original as .eml, and the mail's files, attached to the record."""
        self.ensure_one()
        Attachment = self.env["ir.attachment"].sudo()
        common = {"res_model": self._name, "res_id": self.id}
        self.eml_attachment_id = Attachment.create(
            {**common, "name": "original.eml", "raw": raw, "mimetype": "message/rfc822"}
        )
        files = [
            {**common, "name": attachment.fname or "attachment", "raw": _as_bytes(attachment.content)}
            for attachment in msg_dict.get("attachments") or []
        ]
        if files:
            self.attachment_ids = Attachment.create(files)

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
