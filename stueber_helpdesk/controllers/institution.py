from werkzeug.exceptions import NotFound

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, MissingError
from odoo.http import request, route

MEMBER_ACTIONS = ("approve", "reject", "remove")


class StueberInstitutionPortal(CustomerPortal):
    """``/my/institution``: institution admins manage their institution's members.

    Memberships are read as the user, so the record rule decides what an
    admin sees. A change is a POST with CSRF token; it runs as superuser only
    after checking that the current user is a verified admin of the
    membership's institution, and never on their own or another admin's
    membership (staff decide those).
    """

    @route("/my/institution", type="http", auth="user", website=True)
    def stueber_my_institution(self, **kw):
        institutions = request.env.user.partner_id.stueber_admin_institution_ids
        if not institutions:
            raise NotFound()
        memberships = request.env["stueber.helpdesk.membership"].search([("institution_id", "in", institutions.ids)])
        # The rule chose these memberships; their people's names are not readable by portal users.
        memberships_sudo = memberships.sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "stueber_institution",
                "institutions": institutions,
                "memberships": memberships_sudo,
                "own_partner": request.env.user.partner_id,
                "done": kw.get("done"),
            }
        )
        return request.render("stueber_helpdesk.portal_my_institution", values)

    @route(
        "/my/institution/member/<int:membership_id>/<string:action>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def stueber_my_institution_member(self, membership_id, action, **kw):
        if action not in MEMBER_ACTIONS:
            raise NotFound()
        membership_sudo = self._stueber_member_check_access(membership_id)
        if action == "approve":
            membership_sudo.action_approve()
        elif action == "reject":
            membership_sudo.action_reject()
        else:
            membership_sudo.unlink()
        return request.redirect(f"/my/institution?done={action}")

    def _stueber_member_check_access(self, membership_id):
        """The membership, as superuser, if the current user may manage it; else NotFound.

        Read as the user first (the rule shows admins their institution's
        memberships), then the user must be a verified admin of exactly that
        institution, and the member neither the user nor another admin.
        """
        membership = request.env["stueber.helpdesk.membership"].browse(membership_id)
        try:
            membership.check_access("read")
            institution, partner, is_admin = (
                membership.institution_id,
                membership.partner_id,
                membership.is_institution_admin,
            )
        except (AccessError, MissingError):
            raise NotFound() from None
        user_partner = request.env.user.partner_id
        if institution not in user_partner.stueber_admin_institution_ids or partner == user_partner or is_admin:
            raise NotFound()
        return membership.sudo()
