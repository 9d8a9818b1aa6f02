from odoo import http
from odoo.http import request


class StueberHelpdeskReopen(http.Controller):
    """The one-click reopen link of the auto-close mail.

    GET shows a confirmation page and changes nothing (mail scanners and link
    previews open links); only the POST of that page, with its CSRF token,
    reopens. The link is an HMAC of the ticket and its closing time: nobody
    can make one for another ticket, and it dies when the ticket is closed
    again or the team's reopen days are over. The signature is checked
    before the ticket is read (as superuser: the customer may have no login).
    """

    def _reopen_ticket(self, ticket_id, token):
        return request.env["stueber.helpdesk.autoclose"]._reopen_link_ticket(ticket_id, token)

    @http.route(
        "/helpdesk/reopen/<int:ticket_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def stueber_reopen_confirm(self, ticket_id, token, **kw):
        ticket = self._reopen_ticket(ticket_id, token)
        return self._reopen_page(ticket, token, "confirm")

    @http.route(
        "/helpdesk/reopen/<int:ticket_id>/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def stueber_reopen(self, ticket_id, token, **kw):
        ticket = self._reopen_ticket(ticket_id, token)
        if ticket:
            request.env["stueber.helpdesk.autoclose"]._reopen(ticket)
        return self._reopen_page(ticket, token, "done")

    def _reopen_page(self, ticket, token, state):
        """The page in ``state``, or the invalid-link page (404) when the link opened no ticket."""
        if not ticket:
            return request.render(
                "stueber_helpdesk.reopen_page", {"ticket": None, "token": token, "state": "invalid"}, status=404
            )
        return request.render("stueber_helpdesk.reopen_page", {"ticket": ticket, "token": token, "state": state})
