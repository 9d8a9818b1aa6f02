import logging
import re

from dateutil.relativedelta import relativedelta
from markupsafe import escape

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import escape_psql

from ..tools.privacy_export import build_export_zip, safe_filename

_logger = logging.getLogger(__name__)

# A person has one month to be answered (DSGVO Art. 12(3)).
ERASURE_DEADLINE = relativedelta(months=1)
# Texts shorter than this are not searched for in other people's texts:
# "Li" would replace half the words of the desk.
MIN_SCRUB_LENGTH = 4

# Where a person's name, address or phone may be quoted, table by table: the
# erasure replaces each quote by "ehemaliges Mitglied".
SCRUBBED_COLUMNS = {
    "mail_message": (
        "body",
        "subject",
        "email_from",
        "reply_to",
        "incoming_email_to",
        "incoming_email_cc",
        "outgoing_email_to",
    ),
    "mail_tracking_value": ("old_value_char", "new_value_char", "old_value_text", "new_value_text"),
    "mail_activity": ("summary", "note"),
    "stueber_helpdesk_ticket": ("name", "description", "email_from", "phone", "email_cc", "callback_time"),
}
# Contact fields that hold the person; the erased contact keeps none of them.
PERSONAL_PARTNER_FIELDS = (
    "email",
    "phone",
    "street",
    "street2",
    "zip",
    "city",
    "website",
    "comment",
    "function",
    "ref",
    "vat",
    "company_name",
    "image_1920",
    "parent_id",
    "title",
    "state_id",
    "country_id",
)


class StueberHelpdeskPrivacy(models.AbstractModel):
    """The rights of a person (DSGVO Art. 15 and 17): what the helpdesk holds
    about them, and its erasure.

    Called by the staff wizards and the portal; every action is written to
    ``stueber.helpdesk.privacy.log``. Methods work as superuser on the contact
    they are given: callers decide who may ask (staff groups, or the logged-in
    person for themselves).
    """

    _name = "stueber.helpdesk.privacy"
    _description = "Helpdesk Data Protection"

    # ------------------------------------------------------------
    # WHO AND WHAT
    # ------------------------------------------------------------

    @api.model
    def _person_partners(self, partner):
        """The contact and the other contacts of the same address (mail
        intake may have made some): one person to the helpdesk."""
        partner = partner.sudo().with_context(active_test=False)
        if not partner.email_normalized:
            return partner
        return partner | partner.search([("email_normalized", "=", partner.email_normalized)])

    @api.model
    def _person_strings(self, partners):
        """What identifies the person in free text: names, addresses, phones."""
        values = set()
        for partner in partners:
            values.update(v for v in (partner.name, partner.email, partner.email_normalized, partner.phone) if v)
            values.update(user.login for user in partner.with_context(active_test=False).user_ids if user.login)
        return sorted((v.strip() for v in values if len(v.strip()) >= MIN_SCRUB_LENGTH), key=len, reverse=True)

    @api.model
    def _erasure_scope(self, partners):
        """What an erasure of ``partners`` changes, as record sets."""
        Ticket = self.env["stueber.helpdesk.ticket"].sudo().with_context(active_test=False)
        tickets = Ticket.search([("partner_id", "in", partners.ids)])
        messages = (
            self.env["mail.message"]
            .sudo()
            .search(
                [("author_id", "in", partners.ids), ("model", "=", Ticket._name), ("res_id", "not in", tickets.ids)]
            )
        )
        emails = [p.email_normalized for p in partners if p.email_normalized]
        unassigned = (
            self.env["stueber.helpdesk.unassigned.mail"]
            .sudo()
            .search(["|", ("partner_id", "in", partners.ids), ("email_normalized", "in", emails)])
        )
        return {
            "tickets": tickets,
            "messages": messages,
            "memberships": partners.stueber_membership_ids,
            "users": partners.with_context(active_test=False).user_ids,
            "unassigned": unassigned,
        }

    @api.model
    def _former_member_label(self):
        lang = self.env.company.partner_id.lang or self.env.lang
        return self.with_context(lang=lang).env._("Former member")

    # ------------------------------------------------------------
    # ACCESS (Art. 15)
    # ------------------------------------------------------------

    @api.model
    def _export_zip(self, partner, by_staff=False):
        """The ZIP of what the helpdesk holds about the person of ``partner``
        that they may see: their account, memberships, their tickets with the
        public messages and files, their messages on other tickets. Internal
        notes are staff's work, not the person's data as shown to them, and
        stay out. Logged. :return: (file name, bytes)"""
        partners = self._person_partners(partner)
        data, files = self._export_data(partners)
        content = build_export_zip(data, files, self._export_labels())
        self.env["stueber.helpdesk.privacy.log"]._log(
            "export_staff" if by_staff else "export_portal",
            len(data["tickets"]) + len(data["messages_elsewhere"]),
            partner=partner,
            note=self.env._("%(tickets)s tickets, %(files)s files", tickets=len(data["tickets"]), files=len(files)),
        )
        name = self.env._("my-data")
        return f"{name}-{fields.Date.context_today(self)}.zip", content

    @api.model
    def _public_message_domain(self):
        """What the person sees of a ticket's chatter in the portal."""
        return [
            ("message_type", "in", ("comment", "email", "email_outgoing", "auto_comment")),
            ("is_internal", "=", False),
            ("subtype_id", "!=", False),
            ("subtype_id.internal", "=", False),
        ]

    @api.model
    def _export_data(self, partners):
        Ticket = self.env["stueber.helpdesk.ticket"].sudo().with_context(active_test=False)
        Message = self.env["mail.message"].sudo()
        tickets = Ticket.search([("partner_id", "in", partners.ids)], order="id")
        files = {}
        partner = partners[:1]

        def file_entries(folder, attachments):
            entries = []
            for attachment in attachments:
                path = f"tickets/{folder}/{attachment.id}-{safe_filename(attachment.name)}"
                files[path] = attachment.raw or b""
                entries.append({"name": attachment.name, "path": path, "mimetype": attachment.mimetype})
            return entries

        def message_entry(message, folder):
            return {
                "date": fields.Datetime.to_string(message.date),
                "author": message.author_id.name or message.email_from or "",
                "subject": message.subject or "",
                "body": str(message.body or ""),
                "files": file_entries(folder, message.attachment_ids) if folder else [],
            }

        ticket_entries = []
        for ticket in tickets:
            folder = safe_filename(ticket.number)
            messages = Message.search(
                [("model", "=", Ticket._name), ("res_id", "=", ticket.id), *self._public_message_domain()],
                order="date, id",
            )
            ticket_entries.append(
                {
                    "number": ticket.number,
                    "subject": ticket.name,
                    "status": ticket.customer_status,
                    "created": fields.Datetime.to_string(ticket.create_date),
                    "closed": fields.Datetime.to_string(ticket.closed_date) if ticket.closed_date else "",
                    "institution": ticket.institution_id.name or "",
                    "category": ticket.category_id.name or "",
                    "email": ticket.email_from or "",
                    "phone": ticket.phone or "",
                    "description": str(ticket.description or ""),
                    "files": file_entries(folder, ticket._portal_document_attachments()),
                    "messages": [message_entry(message, folder) for message in messages],
                }
            )
        elsewhere = Message.search(
            [
                ("author_id", "in", partners.ids),
                ("model", "=", Ticket._name),
                ("res_id", "not in", tickets.ids),
                *self._public_message_domain(),
            ],
            order="date, id",
        )
        numbers = {t.id: t.number for t in Ticket.browse(elsewhere.mapped("res_id"))}
        users = partners.with_context(active_test=False).user_ids
        data = {
            "account": {
                "name": partner.name,
                "email": partner.email or "",
                "phone": partner.phone or "",
                "lang": partner.lang or "",
                "login": ", ".join(users.mapped("login")),
                "created": fields.Datetime.to_string(partner.create_date),
                "email_confirmed": partner.stueber_email_confirmed,
                "memberships": [
                    {
                        "institution": m.institution_id.name,
                        "state": dict(m._fields["state"]._description_selection(self.env))[m.state],
                        "institution_admin": m.is_institution_admin,
                        "since": fields.Datetime.to_string(m.create_date),
                    }
                    for m in partners.stueber_membership_ids
                ],
            },
            "tickets": ticket_entries,
            "messages_elsewhere": [
                {**message_entry(message, None), "ticket": numbers.get(message.res_id, "")} for message in elsewhere
            ],
        }
        return data, files

    @api.model
    def _export_labels(self):
        _ = self.env._
        return {
            "title": _("My data"),
            "name": _("Name"),
            "email": _("E-mail"),
            "phone": _("Phone"),
            "login": _("Login"),
            "created": _("Created on"),
            "memberships": _("Memberships"),
            "tickets": _("Tickets"),
            "ticket": _("Ticket"),
            "number": _("Number"),
            "subject": _("Subject"),
            "status": _("Status"),
            "closed": _("Closed on"),
            "institution": _("Institution"),
            "description": _("Description"),
            "attachments": _("Files"),
            "messages": _("Messages"),
            "messages_elsewhere": _("Your messages on other tickets"),
        }

    # ------------------------------------------------------------
    # ERASURE (Art. 17)
    # ------------------------------------------------------------

    @api.model
    def _erase(self, partner, keep_tickets=False):
        """Erase the person of ``partner`` from the helpdesk.

        Their tickets are anonymised, or with ``keep_tickets`` kept for their
        institution with the person shown as "Former member"; every quote of
        their name, address and phone is replaced, their memberships, account,
        unassigned mail and queued mail go, and their contact is deleted (or,
        where another app still needs it, emptied and archived).
        :return: the scope that was erased, counted
        """
        partners = self._person_partners(partner)
        self._check_erasable(partners)
        strings = self._person_strings(partners)
        scope = self._erasure_scope(partners)
        label = self._former_member_label()
        counts = {key: len(records) for key, records in scope.items()}
        if keep_tickets:
            scope["tickets"].write({"email_from": False, "phone": False})
        else:
            self.env["stueber.helpdesk.retention"]._anonymise_tickets(scope["tickets"])
        scope["messages"].write({"email_from": label})
        scope["memberships"].unlink()
        scope["unassigned"].unlink()
        self._scrub(strings, label)
        self._delete_mail_traces(partners, strings)
        self._erase_accounts(scope["users"])
        self._erase_contacts(partners, label, delete=not keep_tickets)
        self.env["stueber.helpdesk.privacy.log"]._log(
            "erasure",
            sum(counts.values()) + len(partners),
            partner=partner,
            note=self.env._(
                "%(tickets)s tickets %(mode)s, %(messages)s messages on other tickets, %(memberships)s memberships, "
                "%(users)s accounts, %(unassigned)s unassigned mails, %(contacts)s contacts",
                mode=self.env._("kept as former member") if keep_tickets else self.env._("anonymised"),
                contacts=len(partners),
                **counts,
            ),
        )
        return counts

    @api.model
    def _check_erasable(self, partners):
        """Staff, companies and institutions are not persons this erasure is for:
        emptying their contact would break the desk."""
        institutions = self.env["stueber.helpdesk.institution"].sudo().with_context(active_test=False)
        if (
            any(not user.share for user in partners.with_context(active_test=False).user_ids)
            or self.env["res.company"].sudo().search_count([("partner_id", "in", partners.ids)])
            or institutions.search_count([("partner_id", "in", partners.ids)])
        ):
            raise UserError(self.env._("Only customers can be erased here, not staff, companies or institutions."))

    @api.model
    def _scrub(self, strings, label):
        """Replace every quote of ``strings`` in the columns that may hold one."""
        if not strings:
            return
        self.env.flush_all()
        variants = sorted({v for s in strings for v in (s, str(escape(s)))}, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(v) for v in variants), re.IGNORECASE)
        likes = [f"%{escape_psql(v)}%" for v in variants]
        for table, columns in SCRUBBED_COLUMNS.items():
            matches = SQL(" OR ").join(SQL("%s ILIKE ANY(%s)", SQL.identifier(column), likes) for column in columns)
            self.env.cr.execute(
                SQL(
                    "SELECT id, %s FROM %s WHERE %s",
                    SQL(", ").join(SQL.identifier(column) for column in columns),
                    SQL.identifier(table),
                    matches,
                )
            )
            for row in self.env.cr.fetchall():
                assignments = SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(column), pattern.sub(label, value) if value else value)
                    for column, value in zip(columns, row[1:], strict=True)
                )
                self.env.cr.execute(SQL("UPDATE %s SET %s WHERE id = %s", SQL.identifier(table), assignments, row[0]))
        self.env.invalidate_all()

    @api.model
    def _delete_mail_traces(self, partners, strings):
        """Mail waiting to be sent to or about the person, delivery records
        of their address, followers, and the notifications of the bus."""
        cr = self.env.cr
        likes = [f"%{escape_psql(v)}%" for v in strings] or ["-"]
        emails = [p.email_normalized for p in partners if p.email_normalized] or ["-"]
        cr.execute(
            SQL(
                """DELETE FROM mail_mail WHERE email_to ILIKE ANY(%(likes)s) OR email_cc ILIKE ANY(%(likes)s)
                   OR body_html ILIKE ANY(%(likes)s)
                   OR id IN (SELECT mail_mail_id FROM mail_mail_res_partner_rel WHERE res_partner_id = ANY(%(ids)s))""",
                likes=likes,
                ids=partners.ids,
            )
        )
        cr.execute(SQL("DELETE FROM mail_notification WHERE mail_email_address = ANY(%s)", emails))
        cr.execute(SQL("DELETE FROM mail_followers WHERE partner_id = ANY(%s)", partners.ids))
        cr.execute(SQL("DELETE FROM bus_bus WHERE message ILIKE ANY(%s)", likes))
        self.env["mail.activity"].sudo().search(
            [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        ).unlink()
        self.env["mail.message"].sudo().search([("model", "=", "res.partner"), ("res_id", "in", partners.ids)]).unlink()
        self.env.invalidate_all()

    @api.model
    def _erase_accounts(self, users):
        """Delete the portal accounts; one another app still needs loses its login instead."""
        for user in users.filtered("share"):
            try:
                with self.env.cr.savepoint():
                    user.sudo().unlink()
            except Exception:  # any constraint of any app: the account is emptied instead
                _logger.info("Portal user #%s could not be deleted, it is emptied and archived.", user.id)
                user.sudo().write({"login": f"__erased_user_{user.id}", "password": False, "active": False})

    @api.model
    def _erase_contacts(self, partners, label, delete=True):
        """Empty the contacts, then delete them where nothing needs them."""
        partners = partners.sudo().with_context(active_test=False, stueber_privacy_erasure=True)
        values = dict.fromkeys(f for f in PERSONAL_PARTNER_FIELDS if f in partners._fields)
        partners.write({**values, "name": label, "active": False, "stueber_confirmed_email": False})
        if not delete:
            return
        for partner in partners.exists():
            try:
                with self.env.cr.savepoint():
                    partner.unlink()
            except Exception:  # another app's record needs it: it stays, empty and archived
                _logger.info("Contact #%s could not be deleted, it stays emptied and archived.", partner.id)

    # ------------------------------------------------------------
    # ERASURE REQUEST (portal)
    # ------------------------------------------------------------

    @api.model
    def _request_erasure(self, partners):
        """A person asked to be erased (core portal's account deactivation):
        staff get an activity due within the legal month, the person a receipt."""
        deadline = fields.Date.context_today(self) + ERASURE_DEADLINE
        responsible = self._erasure_responsible()
        template = self.env.ref("stueber_helpdesk.mail_template_privacy_erasure_request").sudo()
        for partner in partners.sudo():
            partner.activity_schedule(
                "stueber_helpdesk.mail_activity_type_erasure_request",
                date_deadline=deadline,
                user_id=responsible.id,
            )
            if partner.email:
                self.env["stueber.helpdesk.customer.mail"]._send(
                    template.with_context(stueber_erasure_deadline=deadline), partner, force_send=True
                )
            self.env["stueber.helpdesk.privacy.log"]._log("erasure_request", 1, partner=partner)

    @api.model
    def _erasure_responsible(self):
        """Who decides: the first helpdesk administrator (the superuser only when there is none)."""
        managers = self.env.ref("stueber_helpdesk.group_stueber_helpdesk_manager").sudo().user_ids
        managers = managers.filtered(lambda u: u.active and u._is_internal() and u.id != SUPERUSER_ID)
        return managers.sorted("id")[:1] or self.env["res.users"].browse(SUPERUSER_ID)

    @api.model
    def _open_erasure_requests(self, partners):
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("activity_type_id", "=", self.env.ref("stueber_helpdesk.mail_activity_type_erasure_request").id),
                ]
            )
        )
