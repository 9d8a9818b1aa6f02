from odoo import api, models

from ..tools.mail_loop import AUTOMATIC_MAIL_HEADERS

# What the template gives a message posted from it (see ``_post``).
POST_RENDER_FIELDS = (
    "subject",
    "body_html",
    "email_cc",
    "email_to",
    "partner_to",
    "lang",
    "reply_to",
    "scheduled_date",
)


class StueberHelpdeskCustomerMail(models.AbstractModel):
    """An automatic mail to a customer: the receipt of a ticket, its status
    mails, the sign-up confirmation, membership decisions and the hint to
    unregistered senders.

    One way to send them all. The template says subject, body, recipients
    and language; this helper renders it once per batch and adds what every
    automatic mail carries: the headers that keep robots from answering
    (RFC 3834 ``Auto-Submitted`` and friends, see ``tools/mail_loop``), for
    an answer to a person's mail ``auto-replied`` and the threading headers,
    and on tickets the support alias as Reply-To (``_notify_get_reply_to``).
    """

    _name = "stueber.helpdesk.customer.mail"
    _description = "Automatic Mail to Customers"

    @api.model
    def _headers(self, in_reply_to=None):
        """The headers of every automatic mail; an answer to the mail with
        Message-Id ``in_reply_to`` is "auto-replied" and threads under it."""
        if not in_reply_to:
            return dict(AUTOMATIC_MAIL_HEADERS)
        return {**AUTOMATIC_MAIL_HEADERS, "Auto-Submitted": "auto-replied", "In-Reply-To": in_reply_to}

    @api.model
    def _post(self, template, tickets):
        """Post ``template`` on each of ``tickets`` as an automatic message of
        the company, mailed to the template's recipients in their language
        (the customer also reads it in the portal).

        The template is rendered once for all tickets (``_generate_template``)
        and posted with ``message_post``, as the composer would do field by
        field (``message_post_with_source``) at three times the cost; a
        template with attachments or reports goes through the composer, which
        copies and generates them.
        """
        if not template or not tickets:
            return
        template = template.sudo().with_env(tickets.env)
        if template.attachment_ids or template.report_template_ids:
            for ticket in tickets:
                ticket.message_post_with_source(template, **self._post_values(ticket))
            return
        render_fields = [name for name in POST_RENDER_FIELDS if template[name]]  # what the template sets
        rendered = template._generate_template(tickets.ids, render_fields, find_or_create_partners=True)
        for ticket in tickets:
            ticket.message_post(
                **self._post_values(ticket), **self._rendered_values(ticket, template, rendered[ticket.id])
            )

    @api.model
    def _post_values(self, ticket):
        """An automatic (``auto_comment``) note-subtype message from the
        company in the ticket layout (a button with each recipient's own link); its mail headers come from
        ``_notify_thread_by_email`` of the ticket, as for Odoo's own
        automatic notices."""
        return {
            "message_type": "auto_comment",
            "subtype_xmlid": "mail.mt_note",
            "email_layout_xmlid": "stueber_helpdesk.mail_notification_ticket",  # each recipient their own link
            "author_id": ticket.company_id.partner_id.id,
            "notify_author_mention": True,  # the customer may be the user creating the ticket
        }

    @api.model
    def _rendered_values(self, ticket, template, values):
        """``message_post`` values from the template rendered for ``ticket``."""
        reply_to = values.get("reply_to")
        return {
            "subject": values.get("subject") or ticket._message_compute_subject(),
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

    @api.model
    def _send(self, template, records, *, in_reply_to=None, force_send=False):
        """Mail ``template`` rendered on each of ``records``, without a
        message in a chatter (the records are no tickets: a user, a
        membership, a kept mail). ``in_reply_to``: the Message-Id of the
        person's mail this answers."""
        if not template or not records:
            return self.env["mail.mail"]
        values = {"headers": repr(self._headers(in_reply_to))}
        if in_reply_to:
            values["references"] = in_reply_to
        return template.sudo().send_mail_batch(records.ids, force_send=force_send, email_values=values)
