import ast
import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import clean_context
from odoo.tools.mail import email_normalize

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

# Changing these may change which service levels apply.
SLA_FIELDS = {"team_id", "priority", "category_id", "institution_id"}
# A deadline this close counts as "at risk".
SLA_AT_RISK = timedelta(hours=2)

# The ticket token in mail subjects, "[Ticket#10001]", in any case and spacing.
TICKET_TOKEN = re.compile(r"\[\s*ticket\s*#\s*(\d+)\s*\]", re.IGNORECASE)


class StueberHelpdeskTicket(models.Model):
    """A customer's request: one error, question or wish.

    Access matrix:
    - Helpdesk User / Manager: read and write all tickets of their companies;
      managers also delete.
    - Portal user: reads the tickets whose customer they are, that they follow,
      or that belong to an institution they are a verified member of; creates
      tickets for themselves; changes tickets only through the portal routes.
    - Internal user without helpdesk group: no access.
    """

    _name = "stueber.helpdesk.ticket"
    _description = "Support Ticket"
    _inherit = ["portal.mixin", "mail.thread.cc", "mail.activity.mixin"]
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
        help="Taken from the customer's verified membership at creation; staff may change it. "
        "Verified members of the institution see the ticket.",
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
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True)
    customer_status = fields.Char(string="Status", compute="_compute_customer_status")
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        tracking=True,
        index=True,
        domain=lambda self: [("all_group_ids", "in", self.env.ref("stueber_helpdesk.group_stueber_helpdesk_user").id)],
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
    # ---- service levels (teams, SLA, waiting for the customer): see their own models ----
    team_id = fields.Many2one("stueber.helpdesk.team", tracking=True, index=True, ondelete="restrict")
    sla_status_ids = fields.One2many("stueber.helpdesk.sla.status", "ticket_id", string="Service Levels")
    sla_deadline = fields.Datetime(
        string="SLA Deadline",
        compute="_compute_sla",
        store=True,
        index="btree_not_null",
        help="The nearest deadline of a service level not yet reached.",
    )
    sla_failed = fields.Boolean(string="SLA Failed", compute="_compute_sla", store=True)
    sla_state = fields.Selection(
        [("ok", "On time"), ("at_risk", "At risk"), ("failed", "Failed")],
        string="SLA",
        compute="_compute_sla_state",
        search="_search_sla_state",
    )
    sla_remaining = fields.Char(string="SLA Time Left", compute="_compute_sla_state")
    first_answer_deadline = fields.Datetime(
        string="Answer by", compute="_compute_first_answer_deadline", compute_sudo=True
    )
    waiting_since = fields.Datetime(
        readonly=True, copy=False, index="btree_not_null", help="Since when the ticket waits for the customer."
    )
    stueber_reminder_date = fields.Datetime(string="Reminder Sent on", readonly=True, copy=False)

    _number_uniq = models.Constraint("UNIQUE(number)", "Ticket numbers are unique.")
    # The portal list: a member's institution, newest first.
    _portal_list_idx = models.Index("(institution_id, id DESC) WHERE active IS TRUE")
    # The kanban and the agents' "my tickets".
    _stage_user_idx = models.Index("(stage_id, user_id) WHERE active IS TRUE")
    # A kanban column: its first cards in the default order, without sorting the stage (bench_staff_kanban.py).
    _stage_order_idx = models.Index("(stage_id, priority DESC, id DESC) WHERE active IS TRUE")

    # ------------------------------------------------------------
    # DEFAULTS, COMPUTE METHODS
    # ------------------------------------------------------------

    @api.model
    def _default_stage_id(self):
        """The first stage, "New" (stages are no secret: also for portal users' checks)."""
        return self.env["stueber.helpdesk.stage"].sudo().search([], limit=1)

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
            institutions = ticket.partner_id.stueber_verified_institution_ids
            if len(institutions) == 1 or ticket.institution_id not in institutions:
                ticket.institution_id = institutions[:1]

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

    @api.depends("sla_status_ids.deadline", "sla_status_ids.status", "sla_status_ids.paused_since")
    def _compute_sla(self):
        for ticket in self:
            running = ticket.sla_status_ids.filtered(lambda s: s.status == "ongoing" and not s.paused_since)
            ticket.sla_deadline = min(running.filtered("deadline").mapped("deadline"), default=False)
            ticket.sla_failed = "failed" in ticket.sla_status_ids.mapped("status")

    @api.depends("sla_deadline", "sla_failed")
    def _compute_sla_state(self):
        """What the badge shows, from the stored columns only (no query per card)."""
        now = fields.Datetime.now()
        for ticket in self:
            ticket.sla_remaining = False
            if ticket.sla_failed or (ticket.sla_deadline and ticket.sla_deadline < now):
                ticket.sla_state = "failed"
            elif ticket.sla_deadline:
                left = ticket.sla_deadline - now
                ticket.sla_state = "at_risk" if left < SLA_AT_RISK else "ok"
                ticket.sla_remaining = ticket._sla_format_left(left)
            else:
                ticket.sla_state = False

    def _sla_format_left(self, left):
        hours, seconds = divmod(int(left.total_seconds()), 3600)
        if hours >= 24:
            return self.env._("%(days)s d", days=hours // 24)
        return self.env._("%(hours)s h %(minutes)s min", hours=hours, minutes=seconds // 60)

    def _search_sla_state(self, operator, value):
        """'failed' and 'at_risk' for the filters, on the indexed columns."""
        if operator != "in":
            return NotImplemented
        now = fields.Datetime.now()
        domains = []
        if "failed" in value:
            domains.append(["|", ("sla_failed", "=", True), ("sla_deadline", "<", now)])
        if "at_risk" in value:
            domains.append(
                [("sla_failed", "=", False), ("sla_deadline", ">=", now), ("sla_deadline", "<", now + SLA_AT_RISK)]
            )
        if not domains:
            return [("id", "=", False)]
        return Domain.OR(domains)

    @api.depends("sla_status_ids.deadline", "sla_status_ids.status")
    def _compute_first_answer_deadline(self):
        for ticket in self:
            pending = ticket.sla_status_ids.filtered(lambda s: s.target == "first_answer" and s.status == "ongoing")
            ticket.first_answer_deadline = min(pending.filtered("deadline").mapped("deadline"), default=False)

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
        if self.env.user.share and not self.env.su:
            vals_list = [self._portal_create_vals(vals) for vals in vals_list]
            # default_* keys of an RPC context (default_institution_id, default_stage_id...)
            # would otherwise slip past the whitelist.
            self = self.with_context(clean_context(self.env.context))  # pylint: disable=context-overridden
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            vals["number"] = sequence.next_by_code("stueber.helpdesk.ticket")
        tickets = super(StueberHelpdeskTicket, self.with_context(stueber_sla_skip=True)).create(vals_list)
        tickets = tickets.with_env(self.env)
        self.env["stueber.helpdesk.team"]._route_new_tickets(tickets.with_context(stueber_sla_skip=True))
        self.env["stueber.helpdesk.sla.status"]._apply_to_tickets(tickets)
        if waiting := tickets.filtered("stage_id.is_waiting"):
            self.env["stueber.helpdesk.sla.status"]._on_stage_change(waiting, {})
        tickets._mail_send_receipt()
        return tickets

    def write(self, vals):
        moved = self.browse()
        if "institution_id" in vals:
            moved = self.filtered(lambda t: t.institution_id and t.institution_id.id != vals["institution_id"])
        was_closed = {ticket.id: ticket.is_closed for ticket in self} if "stage_id" in vals else {}
        res = super().write(vals)
        if moved:
            moved._stueber_renew_tokens()  # the old institution's members may have kept them
        if was_closed:
            self.env["stueber.helpdesk.sla.status"]._on_stage_change(self, was_closed)
        if SLA_FIELDS & vals.keys() and not self.env.context.get("stueber_sla_skip"):
            self.env["stueber.helpdesk.sla.status"]._apply_to_tickets(self)
        return res

    def _stueber_renew_tokens(self):
        """Make the tokens of these tickets and their files that someone may
        have kept stop working; Odoo makes new ones when a mail or a page
        needs them, and whoever follows an old link logs in instead."""
        if not self:
            return
        tickets = self.sudo()
        tickets.write({"access_token": False})
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", tickets.ids), ("access_token", "!=", False)])
        )
        attachments.write({"access_token": False})

    @api.model
    def _portal_create_vals(self, vals):
        """Keep only what a portal user may choose; the rest follows from who they are."""
        return {
            **{key: value for key, value in vals.items() if key in PORTAL_CREATE_FIELDS},
            "partner_id": self.env.user.partner_id.id,
            "channel": "portal",
        }

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

    def _portal_is_new(self):
        """Whether the customer may still edit subject and description."""
        self.ensure_one()
        return self.stage_id == self._default_stage_id()

    def action_customer_close(self):
        """'Problem solved': the customer closes the ticket (first closing stage)."""
        self._portal_check_access()
        stage = self.env["stueber.helpdesk.stage"].sudo().search([("is_closed", "=", True)], limit=1)
        self.filtered(lambda t: not t.is_closed).sudo().write({"stage_id": stage.id})

    def action_customer_reopen(self):
        """The customer reopens a closed ticket: back to the first open stage after New, or New."""
        self._portal_check_access()
        self.filtered("is_closed").sudo().write({"stage_id": self._reopen_stage().id})

    def _portal_update_new(self, vals):
        """Subject and description, editable by the customer while the ticket is New."""
        self.ensure_one()
        self._portal_check_access()
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
            return self.env.ref("stueber_helpdesk.mt_ticket_stage")
        return super()._track_subtype(init_values)

    def _creation_subtype(self):
        return self.env.ref("stueber_helpdesk.mt_ticket_new")

    def _track_template(self, changes):
        """Entering a stage with a status mail sends it to the customer and
        the portal followers (the template picks them)."""
        res = super()._track_template(changes)
        ticket = self[0]
        template = ticket.stage_id.mail_template_id
        context = self.env.context
        skip = context.get("stueber_ticket_creation") or context.get("stueber_skip_status_mail")
        if "stage_id" in changes and template and not skip:
            res["stage_id"] = (
                template,
                {
                    "auto_delete_keep_log": False,
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                    "email_layout_xmlid": "mail.mail_notification_light",
                    "author_id": ticket.company_id.partner_id.id,
                },
            )
        return res

    def _track_post_template_finalize(self):
        """At creation the receipt is the only mail: no status mail for the first stage."""
        return super(
            StueberHelpdeskTicket, self.with_context(stueber_ticket_creation=True)
        )._track_post_template_finalize()

    def _message_post_after_hook(self, message, msg_vals):
        """A public staff answer reaches "first answer"; a customer's answer stops the waiting clock."""
        res = super()._message_post_after_hook(message, msg_vals)
        self.env["stueber.helpdesk.sla.status"]._on_message(self, message)
        return res

    def _stueber_reopen_url(self):
        """The one-click reopen link of the auto-close mail."""
        self.ensure_one()
        return self.env["stueber.helpdesk.autoclose"]._reopen_url(self)

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
        """Send the customer the receipt of each new ticket, once.

        Not for tickets without customer, nor when the ticket comes from an
        automatic mail (loop protection) or tracking is off (imports, tests).
        """
        context = self.env.context
        if context.get("tracking_disable") or context.get("stueber_mail_automatic"):
            return
        template = self.env.ref("stueber_helpdesk.mail_template_ticket_receipt", raise_if_not_found=False)
        tickets = self.sudo().filtered(lambda t: t.partner_id.email)
        if not template or not tickets:
            return
        template = template.with_env(tickets.env)
        if template.attachment_ids or template.report_template_ids:
            # attachments and reports: the composer copies and generates them
            for ticket in tickets:
                ticket.message_post_with_source(template, **ticket._mail_receipt_post_values())
            return
        render_fields = (
            "subject",
            "body_html",
            "email_cc",
            "email_to",
            "partner_to",
            "lang",
            "reply_to",
            "scheduled_date",
        )
        rendered = template._generate_template(tickets.ids, render_fields, find_or_create_partners=True)
        for ticket in tickets:
            ticket.message_post(
                **ticket._mail_receipt_post_values(),
                **ticket._mail_receipt_rendered_values(template, rendered[ticket.id]),
            )

    def _mail_receipt_post_values(self):
        """What the receipt is: an automatic note-subtype message from the
        company in the light layout."""
        self.ensure_one()
        return {
            "message_type": "auto_comment",
            "subtype_xmlid": "mail.mt_note",
            "email_layout_xmlid": "mail.mail_notification_light",
            "author_id": self.company_id.partner_id.id,
            "notify_author_mention": True,  # the customer may be the user creating the ticket
        }

    def _mail_receipt_rendered_values(self, template, values):
        """``message_post`` values from the template rendered once
        (``_generate_template``), as the mail composer derives them from the
        same template field by field (``message_post_with_source``), which
        cost a third of a new mail's time."""
        self.ensure_one()
        reply_to = values.get("reply_to")
        return {
            "subject": values.get("subject") or self._message_compute_subject(),
            "body": values.get("body_html") or "",
            "email_from": False,  # the composer kept none: the author is given
            "partner_ids": values.get("partner_ids") or [],
            "force_email_lang": values.get("lang") if template.lang else False,
            "scheduled_date": values.get("scheduled_date") or False,
            "mail_server_id": template.mail_server_id.id,
            "mail_auto_delete": template.auto_delete,
            "email_add_signature": False,  # the template is the whole body
            **({"reply_to": reply_to, "reply_to_force_new": True} if reply_to else {}),
        }

    def _mail_customer_recipient_ids(self):
        """Who gets status mails: the customer and the portal followers."""
        self.ensure_one()
        partners = self.partner_id | self.message_partner_ids.filtered("partner_share")
        return ",".join(str(partner_id) for partner_id in partners.ids)

    def _message_compute_subject(self):
        """Staff answers carry the token customers reply to: "[Ticket#10001] Subject"."""
        self.ensure_one()
        return f"[Ticket#{self.number}] {self.name}"

    def _notify_by_email_get_base_mail_values(self, message, recipients_data, additional_values=None):
        """Automatic mails say so in their headers (RFC 3834): receipt and
        status mails (``auto_comment``), tracking and assignment notices;
        not what a person wrote (``comment``, ``email``)."""
        values = super()._notify_by_email_get_base_mail_values(
            message, recipients_data, additional_values=additional_values
        )
        if message.message_type in ("auto_comment", "notification", "user_notification"):
            headers = ast.literal_eval(values.get("headers") or "{}")
            values["headers"] = repr({**headers, **self.env["mail.thread"]._stueber_automatic_mail_headers()})
        return values

    def _notify_get_reply_to(self, default=None, author_id=False):
        """Answers go to the support alias, which threads them onto the ticket."""
        alias = self.env.ref("stueber_helpdesk.mail_alias_support", raise_if_not_found=False)
        if not alias or not alias.sudo().alias_domain_id:
            return super()._notify_get_reply_to(default=default, author_id=author_id)
        reply_to = self._notify_get_reply_to_formatted_email(alias.sudo().alias_full_name, author_id=author_id)
        return dict.fromkeys(self.ids or [False], reply_to)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A ticket from a mail of a registered customer (``_mail_route`` let only those through)."""
        values = {
            "name": self._mail_clean_subject(msg_dict.get("subject")),
            "partner_id": msg_dict.get("author_id"),
            "channel": "email",
            **(custom_values or {}),
        }
        ticket = super().message_new(msg_dict, custom_values=values)
        if ticket.followup_of_id:
            ticket._mail_log_followup()
        return ticket

    def _mail_log_followup(self):
        """Both tickets name each other, so staff find the history."""
        old = self.followup_of_id
        old._message_log(
            body=self.env._("A reply to this closed ticket opened the follow-up ticket %(number)s.", number=self.number)
        )
        self._message_log(body=self.env._("Follow-up of the closed ticket %(number)s.", number=old.number))

    def message_update(self, msg_dict, update_vals=None):
        """A customer's reply reopens a closed ticket; with the setting off,
        ``_mail_route`` made the reply a follow-up ticket instead."""
        automatic = self.env.context.get("stueber_mail_automatic")
        senders = self._mail_sender_partners(msg_dict.get("email_from"))
        if self._mail_reopen_on_reply() and self._mail_reply_reopens(senders, automatic):
            update_vals = {**(update_vals or {}), "stage_id": self._reopen_stage().id}
        return super().message_update(msg_dict, update_vals=update_vals)

    def _message_receive_bounce(self, email, partner):
        """Note on the ticket that a mail to the customer did not arrive."""
        res = super()._message_receive_bounce(email, partner)
        for ticket in self:
            ticket._message_log(body=self.env._("A mail to %(email)s could not be delivered (bounce).", email=email))
        return res

    # ------------------------------------------------------------
    # MAIL ROUTING
    # ------------------------------------------------------------

    @api.model
    def _mail_route(self, message, msg_dict, routes):
        """Decide what becomes of mail Odoo routed to tickets.

        - a reply found by In-Reply-To/References stays a reply when its sender
          may write to the ticket (Message-Ids travel in forwards and copies,
          so the headers alone prove nothing);
        - a new mail whose subject holds the token of a ticket the sender may
          write to becomes a reply to that ticket;
        - a reply to a closed ticket may become a follow-up ticket;
        - any other new mail becomes a ticket when its sender is a registered
          customer with a confirmed address.

        What becomes neither goes to "Unassigned mail".
        """
        return [
            route
            for route in (
                self._mail_route_ticket(message, msg_dict, route) if route[0] == self._name else route
                for route in routes
            )
            if route
        ]

    @api.model
    def _mail_route_ticket(self, message, msg_dict, route):
        model, thread_id, custom_values, user_id, alias = route
        email = email_normalize(msg_dict.get("email_from") or "")
        senders = self._mail_sender_partners(email)
        token_ticket = self.browse()
        if thread_id and not self.browse(thread_id)._mail_accepts_sender(senders, email):
            confirmed = senders.filtered("stueber_email_confirmed")
            reason = "foreign_reply" if confirmed else self._mail_unknown_reason(senders)
            return self._mail_keep_unassigned(message, msg_dict, reason)
        if not thread_id:
            token_ticket = self._mail_ticket_from_subject(msg_dict.get("subject"))
            if token_ticket and token_ticket._mail_accepts_sender(senders, email):
                thread_id = token_ticket.id
                msg_dict["author_id"] = msg_dict.get("author_id") or senders[:1].id
        if thread_id:
            ticket = self.browse(thread_id)
            automatic = self.env["mail.thread"]._stueber_is_automatic_message(message)
            if self._mail_reopen_on_reply() or not ticket._mail_reply_reopens(senders, automatic):
                return (model, thread_id, custom_values, user_id, alias)
            # a follow-up is a new ticket: for a confirmed sender, or the old
            # ticket's customer writing themselves (e.g. a caller without account)
            customer = senders.filtered("stueber_email_confirmed")[:1] or senders & ticket.partner_id
            if not customer:
                return self._mail_keep_unassigned(message, msg_dict, self._mail_unknown_reason(senders))
            msg_dict["author_id"] = customer.id
            return (model, False, {**(custom_values or {}), "followup_of_id": ticket.id}, user_id, alias)
        customer = senders.filtered("stueber_email_confirmed")[:1]
        if not customer:
            reason = "foreign_token" if token_ticket else self._mail_unknown_reason(senders)
            return self._mail_keep_unassigned(message, msg_dict, reason)
        msg_dict["author_id"] = customer.id
        return (model, False, custom_values, user_id, alias)

    @api.model
    def _mail_keep_unassigned(self, message, msg_dict, reason):
        """Keep the mail for staff in "Unassigned mail"; no route."""
        self.env["stueber.helpdesk.unassigned.mail"].sudo()._keep_message(message, msg_dict, reason)
        return None

    @api.model
    def _detect_loop_sender_domain(self, email_from_normalized):
        """Odoo counts the sender's recent tickets by ``email_from ilike``, a
        scan of all tickets; the indexed customer column answers the same."""
        return [("partner_id", "in", self._mail_sender_partners(email_from_normalized).ids)]

    @api.model
    def _mail_sender_partners(self, email_from):
        """Contacts with the sender's address, confirmed ones first (one indexed query)."""
        email = email_normalize(email_from or "")
        if not email:
            return self.env["res.partner"]
        partners = self.env["res.partner"].sudo().search([("email_normalized", "=", email)], order="id")
        return partners.sorted(lambda p: not p.stueber_email_confirmed)

    @api.model
    def _mail_unknown_reason(self, senders):
        return "unconfirmed_sender" if senders.user_ids else "unknown_sender"

    @api.model
    def _mail_ticket_from_subject(self, subject):
        """The ticket whose token the subject holds (one query on the unique number)."""
        match = TICKET_TOKEN.search(subject or "")
        if not match:
            return self.browse()
        return self.sudo().with_context(active_test=False).search([("number", "=", match.group(1))], limit=1)

    def _mail_accepts_sender(self, senders, email=None):
        """Whether mail from ``senders`` (the contacts of the normalised
        address ``email``) may land on this ticket: the customer, a follower,
        an address in copy of the ticket's mails, a verified member of the
        ticket's institution, or staff."""
        self.ensure_one()
        if email and email in self._mail_cc_sanitized_raw_dict(self.email_cc):
            return True
        if not senders:
            return False
        if senders & (self.partner_id | self.message_partner_ids):
            return True
        if self.institution_id and self.institution_id in senders.stueber_verified_institution_ids:
            return True
        return self._mail_senders_are_staff(senders)

    def _mail_reply_reopens(self, senders, automatic):
        """A reply by mail to a closed ticket counts when a person outside
        staff sent it; automatic mail (vacation notices...) never reopens."""
        self.ensure_one()
        if not self.is_closed or automatic:
            return False
        return not self._mail_senders_are_staff(senders)

    @api.model
    def _mail_senders_are_staff(self, senders):
        """Whether the address belongs to an internal user (contacts without
        a user account are never staff)."""
        return any(user._is_internal() for user in senders.user_ids)

    @api.model
    def _mail_reopen_on_reply(self):
        return bool(self.env["ir.config_parameter"].sudo().get_param("stueber_helpdesk.reopen_on_reply"))

    @api.model
    def _reopen_stage(self):
        """Where a reopened ticket goes: the first open stage after New, else New."""
        return self.env["stueber.helpdesk.stage"].sudo().search([("is_closed", "=", False)], limit=2)[-1:]

    @api.model
    def _mail_clean_subject(self, subject):
        """A new ticket's subject: without another ticket's token."""
        return " ".join(TICKET_TOKEN.sub("", subject or "").split()) or self.env._("(no subject)")
