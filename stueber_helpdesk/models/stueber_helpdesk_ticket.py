import uuid

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import clean_context, html2plaintext
from odoo.tools.mail import email_normalize

from ..tools.ticket_token import format_token, strip_tokens

HELPDESK_USER_GROUP = "stueber_helpdesk.group_stueber_helpdesk_user"
PRIORITIES = [("0", "Normal"), ("1", "Medium"), ("2", "High"), ("3", "Urgent")]
CHANNELS = [("portal", "Portal"), ("email", "E-mail"), ("phone", "Phone"), ("staff", "Staff")]

# What a portal user may set when creating a ticket (through the portal or
# RPC); everything else (stage, agent, institution, customer...) is decided by
# the server, so a crafted request cannot pick another institution.
PORTAL_CREATE_FIELDS = {
    "name",
    "description",
    "category_id",
    "phone",
    "callback_requested",
    "callback_time",
    "email_cc",
}


class StueberHelpdeskTicket(models.Model):
    """A customer's request: one error, question or wish.

    Access matrix:
    - Helpdesk User / Manager: read and write all tickets of their companies;
      managers also delete.
    - Portal user: reads the tickets whose customer they are, that they follow,
      or that belong to an institution they are an effective member of
      (``portal_reader_ids``, owned by ``stueber.helpdesk.access``); creates
      tickets for themselves; changes tickets only through the portal routes.
    - Internal user without helpdesk group: no access.
    """

    _name = "stueber.helpdesk.ticket"
    _description = "Support Ticket"
    _inherit = ["stueber.helpdesk.portal.mixin", "mail.thread.cc", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _primary_email = "email_from"
    _mail_post_access = "read"
    _rec_names_search = ["number", "name"]

    number = fields.Char(
        string="Ticket Number",
        readonly=True,
        copy=False,
        index="trigram",
        help="Unique, never reused; given at creation. Customers quote it on the phone and in mail subjects.",
    )
    subject_token = fields.Char(
        compute="_compute_subject_token",
        help="What customers keep in the subject of their mails about the ticket, e.g. [Ticket#10001].",
    )
    name = fields.Char(string="Subject", required=True, tracking=True, index="trigram")
    description = fields.Html(sanitize_style=True)
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True, index=True)
    partner_name = fields.Char(related="partner_id.name", string="Customer Name")
    email_from = fields.Char(
        string="E-mail",
        compute="_compute_email_from",
        store=True,
        readonly=False,
        precompute=True,
    )
    phone = fields.Char(compute="_compute_phone", store=True, readonly=False, precompute=True)
    institution_id = fields.Many2one(
        "stueber.helpdesk.institution",
        compute="_compute_institution_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        help="Taken from the customer's memberships at creation (several: the one they chose, by mail the "
        "institution of their last ticket); staff may change it. Effective members of the institution see the ticket.",
    )
    customer_institution_count = fields.Integer(
        compute="_compute_customer_institution_count",
        help="Of how many institutions the customer is an effective member: staff check the institution when several.",
    )
    portal_reader_ids = fields.Many2many(
        "res.partner",
        string="Portal Readers",
        compute="_compute_portal_reader_ids",
        search="_search_portal_reader_ids",
        compute_sudo=True,
        help="Who sees the ticket in the portal: its customer, its followers and the effective members "
        "of its institution.",
    )
    # Staff only: the number lets anyone who knows it ask to join the institution.
    # Not computed as superuser, so a search on it cannot guess it either.
    customer_number = fields.Char(
        related="institution_id.customer_number",
        groups="stueber_helpdesk.group_stueber_helpdesk_user",
        compute_sudo=False,
    )
    # what the portal shows of the institution: readable by whoever reads the ticket
    institution_name = fields.Char(related="institution_id.name", string="Institution Name")
    stage_id = fields.Many2one(
        "stueber.helpdesk.stage",
        default=lambda self: self._default_stage_id(),
        group_expand="_read_group_expand_stages",
        tracking=True,
        index=True,
        ondelete="restrict",
        copy=False,
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, precompute=True)
    customer_status = fields.Char(string="Status", compute="_compute_customer_status")
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        tracking=True,
        index=True,
        # the xmlid's id is cached: Odoo asks for the domain on every fields_get (message_new too)
        domain=lambda self: [("all_group_ids", "in", self._mail_record("res.groups", HELPDESK_USER_GROUP).id)],
    )
    priority = fields.Selection(PRIORITIES, default="0", required=True, tracking=True, index=True)
    category_id = fields.Many2one("stueber.helpdesk.category", tracking=True, index=True)
    channel = fields.Selection(CHANNELS, default="staff", required=True, readonly=True)
    callback_requested = fields.Boolean(tracking=True)
    callback_time = fields.Char(
        string="Preferred Callback Time", help="When the customer would like to be called, in their words."
    )
    closed_date = fields.Datetime(
        string="Closed on", compute="_compute_closed_date", store=True, readonly=True, copy=False
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, readonly=True
    )
    followup_of_id = fields.Many2one(
        "stueber.helpdesk.ticket",
        string="Follow-up of",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The closed ticket whose reply by mail opened this one.",
    )
    privacy_anonymised_date = fields.Datetime(
        string="Anonymised on", readonly=True, copy=False, help="Set by retention or erasure (data protection)."
    )

    receipt_pending = fields.Boolean(
        readonly=True,
        copy=False,
        help="The customer's receipt of this new ticket is about to be sent.",
    )

    _number_uniq = models.Constraint("UNIQUE(number)", "Ticket numbers are unique.")
    # The portal list: a member's institution, newest first.
    _portal_list_idx = models.Index("(institution_id, id DESC) WHERE active IS TRUE")
    # The kanban and the agents' "my tickets".
    _stage_user_idx = models.Index("(stage_id, user_id) WHERE active IS TRUE")
    # The retention cron's search: closed tickets not anonymised yet, by closing date.
    _retention_idx = models.Index("(closed_date) WHERE is_closed IS TRUE AND privacy_anonymised_date IS NULL")
    # A kanban column: its first cards in the default order, without sorting the stage (bench_staff_kanban.py).
    _stage_order_idx = models.Index("(stage_id, priority DESC, id DESC) WHERE active IS TRUE")
    # The receipt cron's queue: only the few tickets waiting for their receipt.
    _receipt_pending_idx = models.Index("(id) WHERE receipt_pending IS TRUE")

    # ------------------------------------------------------------
    # DEFAULTS, COMPUTE METHODS
    # ------------------------------------------------------------

    @api.model
    def _default_stage_id(self):
        """The first stage, "New" (stages are no secret: also for portal users' checks)."""
        return self.env["stueber.helpdesk.stage"]._stueber_active_records()[:1]

    @api.model
    def _read_group_expand_stages(self, stages, domain):
        return stages.search([("fold", "=", False)]) | stages

    @api.depends("partner_id")
    def _compute_email_from(self):
        for ticket in self:
            if ticket.partner_id.email:
                ticket.email_from = ticket.partner_id.email

    @api.depends("partner_id")
    def _compute_phone(self):
        for ticket in self:
            if ticket.partner_id.phone:
                ticket.phone = ticket.partner_id.phone

    @api.depends("partner_id")
    def _compute_institution_id(self):
        for ticket in self:
            if ticket.institution_id not in ticket.partner_id.stueber_access_institution_ids:
                partner = ticket.partner_id
                ticket.institution_id = partner._stueber_default_institution() if partner else False

    @api.depends("partner_id")
    def _compute_customer_institution_count(self):
        for ticket in self:
            ticket.customer_institution_count = len(ticket.partner_id.stueber_access_institution_ids)

    @api.depends("partner_id", "institution_id", "message_partner_ids")
    def _compute_portal_reader_ids(self):
        for ticket in self:
            ticket.portal_reader_ids = (
                ticket.partner_id | ticket.message_partner_ids | ticket.institution_id.effective_member_ids
            )

    def _search_portal_reader_ids(self, operator, value):
        """Tickets ``value`` (partner ids) read in the portal, asked of the database at each search
        (the portal record rule)."""
        if operator != "in" or not all(isinstance(v, int) for v in value):
            return NotImplemented
        return self.env["stueber.helpdesk.access"]._ticket_readers_domain(value)

    @api.depends("number")
    def _compute_subject_token(self):
        for ticket in self:
            ticket.subject_token = format_token(ticket.number) if ticket.number else False

    @api.depends("stage_id")
    def _compute_customer_status(self):
        for ticket in self:
            ticket.customer_status = ticket.stage_id.customer_status or ticket.stage_id.name

    @api.depends("stage_id.is_closed")
    def _compute_closed_date(self):
        for ticket in self:
            if not ticket.stage_id.is_closed:
                ticket.closed_date = False
            elif not ticket.closed_date:
                ticket.closed_date = fields.Datetime.now()

    @api.depends("number", "name")
    def _compute_display_name(self):
        for ticket in self:
            ticket.display_name = f"#{ticket.number} {ticket.name}" if ticket.number else ticket.name

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and self.env.user.share:
            vals_list = [self._portal_create_vals(vals) for vals in vals_list]
            # default_* keys of an RPC context (default_institution_id, default_stage_id...)
            # would otherwise slip past the whitelist.
            self = self.with_context(clean_context(self.env.context))  # pylint: disable=context-overridden
        receipts = not self.env.context.get("tracking_disable")  # imports, tests: no mails
        # the receipt's link needs a token: given now, it is part of the INSERT;
        # outsiders may not write it (staff-only field), Odoo makes it for them
        token_now = self.env.su or not self.env.user.share
        for vals in vals_list:
            vals["number"] = self.env["ir.sequence"]._stueber_next_ticket_number()
            if vals.get("partner_id") and token_now:
                vals.setdefault("access_token", str(uuid.uuid4()))
            # A ticket that comes with a customer's mail gets its receipt once
            # that mail is on it: the mail intake asks for it in the values, and
            # Unassigned Mail after posting the mail (``_mail_send_receipt``).
            wants_receipt = vals.get("receipt_pending", vals.get("channel") != "email")
            vals["receipt_pending"] = bool(receipts and wants_receipt and vals.get("partner_id"))
        tickets = super().create(vals_list)
        if any(vals["receipt_pending"] for vals in vals_list):
            self.env["stueber.helpdesk.receipt"]._trigger()
        return tickets

    def write(self, vals):
        descriptions = {}
        if "description" in vals and not self.env.context.get("tracking_disable"):
            descriptions = {ticket: ticket.description for ticket in self}
        # a new customer or institution ends the roles of the former ones
        with self.env["stueber.helpdesk.access"]._watch_tickets(self, vals):
            res = super().write(vals)
        if descriptions:
            self._stueber_log_description_changes(descriptions)
        return res

    def _stueber_log_description_changes(self, old_descriptions):
        """Odoo tracks no HTML fields: a changed description is logged in
        the chatter with its text before and after, as tracking would (and,
        like tracking, not with ``tracking_disable``)."""
        for ticket, old in old_descriptions.items():
            if html2plaintext(old or "").strip() == html2plaintext(ticket.description or "").strip():
                continue
            ticket._message_log(
                body=Markup(
                    "<p>{}</p><p><b>{}</b></p><blockquote>{}</blockquote><p><b>{}</b></p><blockquote>{}</blockquote>"
                ).format(
                    self.env._("Description changed"),
                    self.env._("Before:"),
                    Markup(old or ""),
                    self.env._("After:"),
                    Markup(ticket.description or ""),
                )
            )

    @api.model
    def _portal_create_vals(self, vals):
        """Keep only what a portal user may choose; the rest follows from who they are.

        The institution may be chosen among those the user is an effective
        member of; any other is ignored like the other fields.
        """
        partner = self.env.user.partner_id
        portal_vals = {
            **{key: value for key, value in vals.items() if key in PORTAL_CREATE_FIELDS},
            "partner_id": partner.id,
            "channel": "portal",
        }
        if vals.get("institution_id") in partner.stueber_access_institution_ids.ids:
            portal_vals["institution_id"] = vals["institution_id"]
        return portal_vals

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "name" not in (default or {}):
            for ticket, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%(subject)s (copy)", subject=ticket.name)
        return vals_list

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_assign_to_me(self):
        self.write({"user_id": self.env.uid})

    def action_log_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log Call"),
            "res_model": "stueber.helpdesk.call.log",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    # ------------------------------------------------------------
    # PORTAL
    # ------------------------------------------------------------

    def _portal_check_access(self):
        """Portal users change tickets they may read, not by write rights.

        Called as the user, the record rules decide; a sudoed recordset comes
        from a caller that checked the user's rights or the access token.
        """
        if not self.env.su:
            self.check_access("read")

    def _portal_check_change_access(self):
        """Closing, reopening and editing need a login as the customer or as
        a verified member of the ticket's institution (or staff): a link from
        a mail opens the ticket read-only, whoever it was forwarded to.
        Checked as the person asking, also when called as superuser."""
        if not self._portal_may_change():
            raise AccessError(self.env._("Please log in as the ticket's customer or a member of its institution."))

    def _portal_may_change(self):
        user = self.env.user
        if user._is_internal():
            return True
        if user._is_public():
            return False
        partner = user.partner_id.sudo()
        return all(
            ticket.partner_id == partner or ticket.institution_id in partner.stueber_access_institution_ids
            for ticket in self.sudo()
        )

    def _portal_is_new(self):
        """Whether the customer may still edit subject and description."""
        self.ensure_one()
        return self.stage_id == self._default_stage_id()

    def action_customer_close(self):
        """'Problem solved': the customer closes the ticket (first closing stage)."""
        self._portal_check_change_access()
        stage = self.env["stueber.helpdesk.stage"].sudo().search([("is_closed", "=", True)], limit=1)
        self.filtered(lambda t: not t.is_closed).sudo().write({"stage_id": stage.id})

    def action_customer_reopen(self):
        """The customer reopens a closed ticket: back to the first open stage after New, or New."""
        self._portal_check_change_access()
        self.filtered("is_closed").sudo().write({"stage_id": self._reopen_stage().id})

    def _portal_update_new(self, vals):
        """Subject and description, editable by the customer while the ticket is New."""
        self.ensure_one()
        self._portal_check_change_access()
        vals = {key: value for key, value in vals.items() if key in ("name", "description")}
        if vals and self._portal_is_new():
            self.sudo().write(vals)

    def _portal_attach_files(self, files):
        """Attach the files of the portal form, given as (name, content) pairs.

        Portal users may not write tickets, which ir.attachment requires; the
        files go onto this ticket only after the user's read access is checked.
        """
        self.ensure_one()
        self._portal_check_access()
        if not files:
            return self.env["ir.attachment"]
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create([{"name": name, "raw": raw, "res_model": self._name, "res_id": self.id} for name, raw in files])
        )
        attachments.generate_access_token()
        return attachments

    def _portal_document_attachments(self):
        """The files customers attached to the ticket itself (not to a message).

        Attachments of messages are shown with their message in the chatter,
        where internal notes never appear; files staff attach to the ticket
        directly stay internal.
        """
        self.ensure_one()
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "=", self.id)], order="id")
        )
        in_messages = self.sudo().message_ids.attachment_ids
        return attachments.filtered(lambda a: a not in in_messages and a.create_uid.share)

    # ------------------------------------------------------------
    # MAIL
    # ------------------------------------------------------------

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage_id" in init_values:
            return self._mail_record("mail.message.subtype", "stueber_helpdesk.mt_ticket_stage")
        return super()._track_subtype(init_values)

    def _creation_subtype(self):
        return self._mail_record("mail.message.subtype", "stueber_helpdesk.mt_ticket_new")

    def _message_track_post_template(self, changes):
        """Entering a stage with a status mail sends it to the customer and
        the portal followers (the template picks them); at creation the
        receipt is the only mail, and auto-close sends its own instead."""
        res = super()._message_track_post_template(changes)
        context = self.env.context
        skip = context.get("stueber_ticket_creation") or context.get("stueber_skip_status_mail")
        if changes and "stage_id" in changes and not skip:
            self.env["stueber.helpdesk.customer.mail"]._post(self._stage_mail_template(), self)
        return res

    def _stage_mail_template(self):
        """The mail the customer gets when the ticket enters its stage."""
        return self.stage_id.mail_template_id

    def _track_post_template_finalize(self):
        """At creation the receipt is the only mail: no status mail for the first stage."""
        return super(
            StueberHelpdeskTicket, self.with_context(stueber_ticket_creation=True)
        )._track_post_template_finalize()

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """Portal users do not follow tickets on their own: following opens a
        ticket to its follower (portal rule), so staff decide who follows.
        Answered like Odoo answers a user who may not read the record."""
        if self.env.user.share and not self.env.su:
            return False
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    def _message_auto_subscribe_followers(self, updated_values, default_subtype_ids):
        """The customer follows their ticket, so staff answers reach them."""
        followers = super()._message_auto_subscribe_followers(updated_values, default_subtype_ids)
        if updated_values.get("partner_id"):
            followers.append((updated_values["partner_id"], default_subtype_ids, False))
        return followers

    def _mail_send_receipt(self):
        """Have the customer of each of these new tickets get its receipt,
        once, from the receipt cron (``stueber.helpdesk.receipt``).

        Not for tickets without customer, nor when tracking is off (imports,
        tests); the mail intake asks for none for automatic mail (loop protection).
        """
        tickets = self.sudo().filtered("partner_id")
        if not tickets or self.env.context.get("tracking_disable"):
            return
        tickets.write({"receipt_pending": True})
        self.env["stueber.helpdesk.receipt"]._trigger()

    def _mail_customer_recipient_ids(self):
        """Who gets status mails: the customer and the portal followers."""
        self.ensure_one()
        partners = self.partner_id | self.message_partner_ids.filtered("partner_share")
        return ",".join(str(partner_id) for partner_id in partners.ids)

    @api.model
    def _mail_record(self, model, xmlid):
        """The record of ``xmlid`` (or none), without the query of ``env.ref``:
        the mail paths ask for the same few records on every mail."""
        return self.env[model].browse(self.env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False))

    def _message_compute_subject(self):
        """Staff answers carry the token customers reply to: "[Ticket#10001] Subject"."""
        self.ensure_one()
        return f"{self.subject_token} {self.name}"

    def _notify_thread_by_email(self, message, recipients_data, *, msg_vals=False, **kwargs):
        """Automatic mails say so in their headers (RFC 3834): receipt and
        status mails (``auto_comment``), tracking and assignment notices;
        not what a person wrote (``comment``, ``email``)."""
        message_type = (msg_vals or {}).get("message_type") or message.message_type
        if message_type in ("auto_comment", "notification", "user_notification"):
            headers = self.env["stueber.helpdesk.customer.mail"]._headers()
            kwargs["mail_headers"] = {**headers, **(kwargs.get("mail_headers") or {})}
        return super()._notify_thread_by_email(message, recipients_data, msg_vals=msg_vals, **kwargs)

    def _notify_get_reply_to(self, default=None, author_id=False):
        """Answers go to the support alias, which threads them onto the ticket."""
        alias = self._mail_record("mail.alias", "stueber_helpdesk.mail_alias_support")
        if not alias or not alias.sudo().alias_domain_id:
            return super()._notify_get_reply_to(default=default, author_id=author_id)
        reply_to = self._notify_get_reply_to_formatted_email(alias.sudo().alias_full_name, author_id=author_id)
        return dict.fromkeys(self.ids or [False], reply_to)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A ticket from a mail; the mail intake gives its customer (and the
        closed ticket it follows up) in ``custom_values``. Addresses in copy
        of the mail do not join the ticket's copy (see ``message_update``)."""
        values = {
            "name": self._mail_clean_subject(msg_dict.get("subject")),
            "channel": "email",
            "email_cc": False,
            **(custom_values or {}),
        }
        return super(StueberHelpdeskTicket, self.with_context(stueber_message_new=True)).message_new(
            msg_dict, custom_values=values
        )

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Odoo's ``message_new`` asks for every attribute of every field only
        to see whether the name field exists: with our hundred fields that
        was a tenth of a new mail's time. The names (and types) suffice."""
        if self.env.context.get("stueber_message_new") and not attributes:
            attributes = ("type",)
        return super().fields_get(allfields=allfields, attributes=attributes)

    def message_update(self, msg_dict, update_vals=None):
        """Being in copy of a mail gives no rights on the ticket: Odoo would
        add the mail's Cc to the ticket's, whose addresses may answer it and
        get staff answers. Staff (or the customer in the portal) add them."""
        return super().message_update({**msg_dict, "cc": False}, update_vals=update_vals)

    def _message_get_suggested_recipients_batch(
        self, reply_discussion=False, reply_message=None, no_create=True, primary_email=False, additional_partners=None
    ):
        """Staff answers are suggested to the customer, the followers and the
        ticket's copy addresses, never to whoever merely was in To or Cc of
        an incoming mail (Odoo's "reply all")."""
        suggestions = super()._message_get_suggested_recipients_batch(
            reply_discussion=reply_discussion,
            reply_message=reply_message,
            no_create=no_create,
            primary_email=primary_email,
            additional_partners=additional_partners,
        )
        for ticket in self:
            partners = ticket.partner_id | ticket.message_partner_ids | (additional_partners or self.env["res.partner"])
            emails = set(ticket._mail_cc_sanitized_raw_dict(ticket.email_cc)) | set(partners.mapped("email_normalized"))
            emails.add(email_normalize(primary_email or "") or False)
            suggestions[ticket.id] = [
                recipient
                for recipient in suggestions[ticket.id]
                if recipient.get("partner_id") in partners.ids or recipient.get("email") in emails
            ]
        return suggestions

    def _mail_log_followup(self):
        """Both tickets name each other, so staff find the history."""
        old = self.followup_of_id
        old._message_log(
            body=self.env._("A reply to this closed ticket opened the follow-up ticket %(number)s.", number=self.number)
        )
        self._message_log(body=self.env._("Follow-up of the closed ticket %(number)s.", number=old.number))

    def _message_compute_real_author(self, author_id):
        """Odoo's, with OdooBot's contact by its cached xmlid: the gateway posts
        incoming mail as OdooBot, and ``env.ref`` asks the database whether that
        contact exists each time (up to three times per mail)."""
        if self.env.user.active or not author_id:
            return super()._message_compute_real_author(author_id)
        author = self.env["res.partner"].browse(author_id)
        if author.active and author != self._mail_record("res.partner", "base.partner_root"):
            return author
        return self.env["res.partner"]

    def _message_receive_bounce(self, email, partner):
        """Note on the ticket that a mail to the customer did not arrive."""
        res = super()._message_receive_bounce(email, partner)
        for ticket in self:
            ticket._message_log(body=self.env._("A mail to %(email)s could not be delivered (bounce).", email=email))
        return res

    @api.model
    def _detect_loop_sender_domain(self, email_from_normalized):
        """Odoo counts the sender's recent tickets by ``email_from ilike``, a
        scan of all tickets; the indexed customer column answers the same."""
        return [("partner_id.email_normalized", "=", email_from_normalized)]

    @api.model
    def _reopen_stage(self):
        """Where a reopened ticket goes: the first open stage after New, else New."""
        return self.env["stueber.helpdesk.stage"].sudo().search([("is_closed", "=", False)], limit=2)[-1:]

    @api.model
    def _mail_clean_subject(self, subject):
        """A new ticket's subject: without another ticket's token."""
        return strip_tokens(subject) or self.env._("(no subject)")
