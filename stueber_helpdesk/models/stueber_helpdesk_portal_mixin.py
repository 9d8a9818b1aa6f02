import secrets

from odoo import api, fields, models

# What outsiders may ask of a document's thread in the web client's Store
# (``/mail/data`` "request_list"). Anything else, and whatever Odoo adds
# later, stays with staff: activities, followers, suggested recipients,
# scheduled messages.
OUTSIDER_THREAD_REQUESTS = frozenset({"attachments", "display_name"})


class StueberHelpdeskPortalMixin(models.AbstractModel):
    """What a document shows people outside staff, on every route of Odoo.

    Outsiders are portal users and holders of a link from a mail (logged
    out, the thread reaches the mail routes as superuser). They get what the
    customer may see: the messages the customer side sees (internal notes
    never, see ``mail.message``), the files of those messages and the files
    the customer side uploaded (``ir.attachment``, ``ir.binary``). Activities,
    followers, suggested recipients, scheduled messages and files staff
    attached stay internal. Enforced where the document gives its data to the
    web client (``Store``), so that every mail and portal route, present or
    future, gives the same answer.

    Links in mail are per recipient (``pid`` + ``hash``, signed with the
    document's token): a link holds while its partner may receive the
    document's mail, so removing a person ends their link.
    """

    _name = "stueber.helpdesk.portal.mixin"
    _inherit = ["portal.mixin", "mail.thread"]
    _description = "Portal Visibility"

    # The shared token opens the document to whoever holds it: staff only.
    # Odoo's portal reads it in its own code paths as the user (notification
    # links, signatures, share URLs); those read it as superuser below.
    access_token = fields.Char(groups="base.group_user")

    @api.model
    def _stueber_viewer_is_staff(self):
        """Whether the person asking is staff; a link holder's request runs as
        superuser for the public user, who is not."""
        return self.env.user._is_internal()

    # ------------------------------------------------------------
    # WEB CLIENT DATA (Store)
    # ------------------------------------------------------------

    def _thread_to_store(self, store, fields, *, request_list=None):
        if request_list and not self._stueber_viewer_is_staff():
            request_list = [request for request in request_list if request in OUTSIDER_THREAD_REQUESTS]
        return super()._thread_to_store(store, fields, request_list=request_list)

    def _get_mail_thread_data_attachments(self):
        """Outsiders get the files the customer side may reach, each with its
        download token. Odoo's access rights let them read no attachment, so
        the list is made as superuser, for a thread whose access the route
        checked (``_get_thread_with_access``)."""
        if self._stueber_viewer_is_staff():
            return super()._get_mail_thread_data_attachments()
        attachments = super(StueberHelpdeskPortalMixin, self.sudo())._get_mail_thread_data_attachments()
        return attachments - attachments._stueber_hidden_from_outsiders()

    def _message_followers_to_store(self, store, *args, **kwargs):
        if not self._stueber_viewer_is_staff():
            return None
        return super()._message_followers_to_store(store, *args, **kwargs)

    def _message_get_suggested_recipients(self, *args, **kwargs):
        """Whom staff might write to is staff's business (``/mail/thread/recipients``)."""
        if not self._stueber_viewer_is_staff():
            return []
        return super()._message_get_suggested_recipients(*args, **kwargs)

    # ------------------------------------------------------------
    # LINKS
    # ------------------------------------------------------------

    @api.model
    def _get_thread_with_access(self, thread_id, *, mode="read", **kwargs):
        """A document whose token was renewed has none until a mail or page
        needs one; Odoo would compare a given token with that empty value and
        fail (``TypeError``, a server error on every mail route). No token,
        no access by token."""
        if kwargs.get("token") and not self.browse(thread_id).sudo().exists().access_token:
            kwargs["token"] = None
        return super()._get_thread_with_access(thread_id, mode=mode, **kwargs)

    def _portal_ensure_token(self):
        return super(StueberHelpdeskPortalMixin, self.sudo())._portal_ensure_token()

    def _get_share_url(self, redirect=False, signup_partner=False, pid=None, share_token=True):
        """Outsiders never get the shared token in a URL (e.g. ``/mail/view``
        redirecting a portal user): they open the document by their rights
        or their own link."""
        if not self._stueber_viewer_is_staff():
            share_token = False
        return super()._get_share_url(
            redirect=redirect, signup_partner=signup_partner, pid=pid, share_token=share_token
        )

    def _sign_token(self, pid):
        """The signature of a partner's own link (``pid`` + ``hash``).

        It holds while the partner is one of the document's link partners
        (``_stueber_link_partners``): removing a follower ends their link.
        Odoo checks every ``pid``/``hash`` pair of every route against this
        method (``portal.utils.validate_thread_with_hash_pid``).
        """
        self.ensure_one()
        document = self.sudo()
        if (
            not document.access_token
            or not str(pid or "").isdigit()
            or int(pid) not in document._stueber_link_partners().ids
        ):
            return secrets.token_hex(32)  # a signature nobody holds
        return super(StueberHelpdeskPortalMixin, document)._sign_token(int(pid))

    def _stueber_link_partners(self):
        """Who holds a link of their own to this document: its customer and
        its followers (those its mail goes to)."""
        self.ensure_one()
        return self._mail_get_partners(introspect_fields=False)[self.id] | self.message_partner_ids

    def _stueber_link_url(self, partner):
        """``partner``'s own link to this document, absolute, without the shared token."""
        self.ensure_one()
        self._portal_ensure_token()  # the signature is made with it
        return self.get_base_url() + self._get_share_url(pid=partner.id, share_token=False)

    def _notify_get_recipients_classify(self, message, recipients_data, model_description, msg_vals=False):
        """Each link partner outside staff gets the document's button with
        their own link, never the shared token; everyone else keeps Odoo's
        groups (staff open the backend, others log in)."""
        groups = super()._notify_get_recipients_classify(message, recipients_data, model_description, msg_vals=msg_vals)
        if len(self) != 1:
            return groups
        link_partner_ids = set(self.sudo()._stueber_link_partners().ids)
        classified = []
        for group in groups:
            own = [data for data in group["recipients_data"] if data["share"] and data["id"] in link_partner_ids]
            rest = [data for data in group["recipients_data"] if data not in own]
            if rest:
                rest_ids = [data["id"] for data in rest if data["id"]]
                classified.append({**group, "recipients_data": rest, "recipients_ids": rest_ids})
            for data in own:
                partner = self.env["res.partner"].browse(data["id"])
                button = {**group.get("button_access", {}), "url": self._stueber_link_url(partner)}
                classified.append(
                    {
                        **group,
                        "recipients_data": [data],
                        "recipients_ids": [data["id"]],
                        "recipients_emails": [],
                        "has_button_access": True,
                        "button_access": button,
                    }
                )
        return classified
