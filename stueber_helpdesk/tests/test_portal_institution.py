import re

from odoo.tests import HttpCase, tagged

from .common import HelpdeskCase

CSRF_RE = re.compile(r'csrf_token: "([^"]+)"')  # the page's JavaScript session value


@tagged("post_install", "-at_install")
class TestPortalInstitution(HttpCase, HelpdeskCase):
    """``/my/institution``: an institution admin manages their own institution's members, nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secretary_a.partner_id.stueber_membership_ids.is_institution_admin = True
        cls.newcomer_membership = cls.newcomer_a.partner_id.stueber_membership_ids
        cls.newcomer_b = cls._portal_member("newcomer_b@school-b.example", cls.school_b, state="pending")
        cls.newcomer_b_membership = cls.newcomer_b.partner_id.stueber_membership_ids

    def _post(self, user, membership, action, csrf=True):
        self.authenticate(user.login, user.login)
        data = {"confirm": "1"}  # url_open sends a GET when there is no data
        if csrf:
            data["csrf_token"] = CSRF_RE.search(self.url_open("/my").text).group(1)
        return self.url_open(f"/my/institution/member/{membership.id}/{action}", data=data, allow_redirects=False)

    def test_admin_lists_the_members_of_their_institution_only(self):
        self.authenticate(self.secretary_a.login, self.secretary_a.login)
        response = self.url_open("/my/institution")
        self.assertEqual(response.status_code, 200)
        for member in (self.teacher_a, self.newcomer_a):
            self.assertIn(member.email, response.text)
        self.assertNotIn(self.teacher_b.email, response.text)
        self.assertNotIn(self.newcomer_b.email, response.text)

    def test_portal_home_shows_the_institution_card_to_admins_only(self):
        self.authenticate(self.secretary_a.login, self.secretary_a.login)
        self.assertIn('href="/my/institution"', self.url_open("/my").text)
        self.authenticate(self.teacher_a.login, self.teacher_a.login)
        self.assertNotIn('href="/my/institution"', self.url_open("/my").text)

    def test_member_who_is_not_admin_cannot_open_the_institution_page(self):
        self.authenticate(self.teacher_a.login, self.teacher_a.login)
        self.assertEqual(self.url_open("/my/institution").status_code, 404)

    def test_admin_approves_a_pending_member(self):
        response = self._post(self.secretary_a, self.newcomer_membership, "approve")
        self.assertEqual(response.status_code, 303)
        page = self.url_open(response.headers["Location"])
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_stueber_member_verified", page.text)
        self.assertEqual(self.newcomer_membership.state, "verified")
        self.assertIn(self.ticket_a, self.env["stueber.helpdesk.ticket"].with_user(self.newcomer_a).search([]))
        self.assertTrue(
            self.env["mail.mail"].search(
                [("model", "=", "stueber.helpdesk.membership"), ("res_id", "=", self.newcomer_membership.id)]
            ),
            "the member is told by mail",
        )

    def test_admin_rejects_a_pending_member(self):
        self._post(self.secretary_a, self.newcomer_membership, "reject")
        self.assertEqual(self.newcomer_membership.state, "rejected")

    def test_admin_removes_a_member(self):
        colleague_ticket = self.env["stueber.helpdesk.ticket"].create(
            {"name": "WLAN", "partner_id": self.secretary_a.partner_id.id}
        )
        membership = self.teacher_a.partner_id.stueber_membership_ids
        self._post(self.secretary_a, membership, "remove")
        self.assertFalse(membership.exists())
        self.assertNotIn(colleague_ticket, self.env["stueber.helpdesk.ticket"].with_user(self.teacher_a).search([]))
        self.assertIn(
            self.ticket_a,
            self.env["stueber.helpdesk.ticket"].with_user(self.teacher_a).search([]),
            "a removed member keeps their own tickets",
        )

    def test_admin_of_school_a_cannot_approve_a_member_of_school_b_by_id(self):
        response = self._post(self.secretary_a, self.newcomer_b_membership, "approve")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.newcomer_b_membership.state, "pending")

    def test_admin_of_school_a_cannot_remove_a_member_of_school_b_by_id(self):
        response = self._post(self.secretary_a, self.teacher_b.partner_id.stueber_membership_ids, "remove")
        self.assertEqual(response.status_code, 404)
        self.assertTrue(self.teacher_b.partner_id.stueber_membership_ids)

    def test_member_who_is_not_admin_cannot_approve(self):
        response = self._post(self.teacher_a, self.newcomer_membership, "approve")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.newcomer_membership.state, "pending")

    def test_pending_member_flagged_admin_cannot_approve(self):
        """The admin flag counts only on a verified membership with a confirmed address."""
        self.newcomer_membership.is_institution_admin = True
        other = self._portal_member("other_a@school-a.example", self.school_a, state="pending")
        response = self._post(self.newcomer_a, other.partner_id.stueber_membership_ids, "approve")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(other.partner_id.stueber_membership_ids.state, "pending")

    def test_admin_cannot_change_their_own_or_another_admins_membership(self):
        own = self.secretary_a.partner_id.stueber_membership_ids
        other_admin = self.teacher_a.partner_id.stueber_membership_ids
        other_admin.is_institution_admin = True
        self.assertEqual(self._post(self.secretary_a, own, "remove").status_code, 404)
        self.assertEqual(self._post(self.secretary_a, other_admin, "reject").status_code, 404)
        self.assertTrue(own.exists())
        self.assertEqual(other_admin.state, "verified")

    def test_unknown_membership_id_is_not_found(self):
        missing = self.env["stueber.helpdesk.membership"].browse(999999)
        self.assertEqual(self._post(self.secretary_a, missing, "approve").status_code, 404)

    def test_member_change_without_csrf_token_is_refused(self):
        response = self._post(self.secretary_a, self.newcomer_membership, "approve", csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.newcomer_membership.state, "pending")

    def test_member_change_by_get_is_refused(self):
        self.authenticate(self.secretary_a.login, self.secretary_a.login)
        response = self.url_open(f"/my/institution/member/{self.newcomer_membership.id}/approve")
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.newcomer_membership.state, "pending")

    def test_pending_member_sees_the_banner(self):
        self.authenticate(self.newcomer_a.login, self.newcomer_a.login)
        response = self.url_open("/my")
        self.assertIn("o_stueber_pending_banner", response.text)
        self.assertIn("Grundschule am See", response.text)

    def test_tour_institution_admin_approves_a_member(self):
        self.start_tour("/my", "stueber_helpdesk_institution_admin_tour", login=self.secretary_a.login)
        self.assertEqual(self.newcomer_membership.state, "verified")
