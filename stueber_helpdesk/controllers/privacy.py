from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import content_disposition, request


class StueberHelpdeskPrivacyPortal(CustomerPortal):
    """ "My data" in the portal (DSGVO Art. 15 and 17).

    Both routes serve the logged-in person only: no id is read from the
    request, so nobody can ask for someone else's data. The download is a
    read (GET with the session); the erasure request is core portal's
    account deletion (POST with password and CSRF token, /my/deactivate_account).
    """

    @http.route("/my/privacy", type="http", auth="user", methods=["GET"], website=True)
    def portal_my_privacy(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(page_name="privacy", partner=request.env.user.partner_id)
        return request.render("stueber_helpdesk.portal_my_privacy", values)

    @http.route("/my/privacy/export", type="http", auth="user", methods=["GET"], website=True)
    def portal_my_privacy_export(self, **kw):
        partner = request.env.user.partner_id
        filename, content = request.env["stueber.helpdesk.privacy"]._export_zip(partner)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/zip"),
                ("Content-Disposition", content_disposition(filename)),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
