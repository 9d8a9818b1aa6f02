from odoo.addons.portal.controllers.portal_thread import PortalChatter
from odoo.http import request

TICKET_MODEL = "stueber.helpdesk.ticket"


class StueberHelpdeskPortalChatter(PortalChatter):
    """The portal chatter of a ticket opened with a partner's own link.

    Mails carry per-recipient links (``pid`` + ``hash``) instead of the
    shared token; Odoo's ``/mail/chatter_fetch`` passes only the shared token
    on to the access check, so the messages of such a page would not load
    for a logged-out reader. What the link opens is decided by the ticket
    (``_get_thread_with_access``, ``_sign_token``) as on every other route.
    """

    @classmethod
    def _get_thread_with_access(cls, thread_model, thread_id, mode="read", **kwargs):
        params = request.params
        if thread_model == TICKET_MODEL and not kwargs.get("hash") and params.get("pid") and params.get("hash"):
            kwargs.update(pid=params["pid"], hash=params["hash"])
        return super()._get_thread_with_access(thread_model, thread_id, mode=mode, **kwargs)
