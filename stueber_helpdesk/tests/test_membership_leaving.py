import re

from odoo.tests import HttpCase, tagged

from .common import HelpdeskCase
from .mail_common import HelpdeskMailCase
from .test_signup import SignupCase

CSRF_RE = re.compile(r'csrf_token: "([^"]+)"')  # the page's JavaScript session value
TICKET = "stueber.helpdesk.ticket"


class LeavingCase(HttpCase, HelpdeskCase):
    """A colleague's ticket that ``teacher_a`` follows, is in ``Cc`` of and holds a link to."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secretary_a.partner_id.stueber_membership_ids.is_institution_admin = True
        cls.colleague_ticket = cls.env[TICKET].create({"name": "WLAN", "partner_id": cls.secretary_a.partner_id.id})
        # the fixtures are made without tracking, so without the customers' subscriptions
        cls.colleague_ticket.message_subscribe(partner_ids=cls.secretary_a.partner_id.ids)
        cls.ticket_b.message_subscribe(partner_ids=cls.teacher_b.partner_id.ids)

    def _holds_everything(self, partner, ticket):
        """``partner`` follows ``ticket``, is in its Cc, and its link opens it; returns the link."""
        ticket.message_subscribe(partner_ids=partner.ids)
        ticket.email_cc = f'"Kollegin" <kollegin@school-a.example>, "{partner.name}" <{partner.email}>'
        link = f"/my/tickets/{ticket.id}?access_token={ticket.sudo()._portal_ensure_token()}"
        self.authenticate(None, None)
        self.assertEqual(self.url_open(link, allow_redirects=False).status_code, 200)
        return link

    def assertHoldsNothing(self, user, ticket, link):
        """The person's follower subscription, Cc entry, link and page access are gone; others' Cc stays."""
        self.assertNotIn(user.partner_id, ticket.message_partner_ids)
        self.assertNotIn(user.email, ticket.email_cc or "")
        self.assertIn("kollegin@school-a.example", ticket.email_cc)
        self.authenticate(None, None)
        old_link = self.url_open(link, allow_redirects=False)
        self.assertNotEqual(old_link.status_code, 200, "the link they kept opens nothing")
        if user.active:
            self.authenticate(user.login, user.login)
            self.assertEqual(self.url_open(f"/my/tickets/{ticket.id}").status_code, 404)

    def _post_member_action(self, admin, membership, action):
        self.authenticate(admin.login, admin.login)
        csrf = CSRF_RE.search(self.url_open("/my").text).group(1)
        return self.url_open(
            f"/my/institution/member/{membership.id}/{action}", data={"csrf_token": csrf}, allow_redirects=False
        )


@tagged("post_install", "-at_install")
class TestLeavingEndsEverything(LeavingCase):
    def test_removed_member_keeps_no_follow_cc_or_link_of_colleague_ticket(self):
        link = self._holds_everything(self.teacher_a.partner_id, self.colleague_ticket)
        membership = self.teacher_a.partner_id.stueber_membership_ids
        self.assertEqual(self._post_member_action(self.secretary_a, membership, "remove").status_code, 303)
        self.assertHoldsNothing(self.teacher_a, self.colleague_ticket, link)

    def test_rejected_member_keeps_no_follow_cc_or_link_of_colleague_ticket(self):
        link = self._holds_everything(self.teacher_a.partner_id, self.colleague_ticket)
        membership = self.teacher_a.partner_id.stueber_membership_ids
        self.assertEqual(self._post_member_action(self.secretary_a, membership, "reject").status_code, 303)
        self.assertHoldsNothing(self.teacher_a, self.colleague_ticket, link)

    def test_removed_follower_of_other_institution_keeps_no_cc_or_link(self):
        link = self._holds_everything(self.teacher_b.partner_id, self.colleague_ticket)
        self.colleague_ticket.with_user(self.agent).message_unsubscribe(partner_ids=self.teacher_b.partner_id.ids)
        self.assertHoldsNothing(self.teacher_b, self.colleague_ticket, link)

    def test_former_customer_keeps_no_follow_cc_or_link_when_customer_changes(self):
        ticket = self.ticket_newcomer  # the newcomer is pending: their own ticket is all they see
        link = self._holds_everything(self.newcomer_a.partner_id, ticket)
        ticket.with_user(self.agent).partner_id = self.teacher_a.partner_id
        self.assertHoldsNothing(self.newcomer_a, ticket, link)
        self.authenticate(self.teacher_a.login, self.teacher_a.login)
        self.assertEqual(self.url_open(f"/my/tickets/{ticket.id}").status_code, 200, "the new customer reads it")

    def test_moved_ticket_leaves_old_institution_followers_cc_and_links(self):
        link = self._holds_everything(self.teacher_a.partner_id, self.colleague_ticket)
        self.colleague_ticket.with_user(self.agent).institution_id = self.school_b
        self.assertHoldsNothing(self.teacher_a, self.colleague_ticket, link)
        self.assertIn(self.secretary_a.partner_id, self.colleague_ticket.message_partner_ids, "the customer stays")

    def test_archived_user_keeps_no_follow_cc_or_link(self):
        link = self._holds_everything(self.teacher_b.partner_id, self.colleague_ticket)
        self.teacher_b.with_user(self.manager).sudo().active = False
        self.assertHoldsNothing(self.teacher_b, self.colleague_ticket, link)
        self.assertIn(
            self.teacher_b.partner_id, self.ticket_b.message_partner_ids, "they stay the customer of their own"
        )

    def test_archived_user_is_no_effective_member(self):
        self.teacher_a.sudo().active = False
        self.assertFalse(self.teacher_a.partner_id.stueber_access_institution_ids)
        self.assertNotIn(self.teacher_a.partner_id, self.school_a.effective_member_ids)

    def test_archived_institution_members_keep_no_follow_or_link(self):
        link = self._holds_everything(self.teacher_a.partner_id, self.colleague_ticket)
        self.school_a.with_user(self.manager).action_archive()
        self.assertNotIn(self.teacher_a.partner_id, self.colleague_ticket.message_partner_ids)
        self.authenticate(None, None)
        self.assertNotEqual(self.url_open(link, allow_redirects=False).status_code, 200)


@tagged("post_install", "-at_install")
class TestEmailDomainRecheck(SignupCase):
    """A membership verified because of its e-mail domain holds only while the address is of that domain."""

    def setUp(self):
        super().setUp()
        self.school_a.allowed_email_domains = "school-a.example"
        self.colleague_ticket = self.env[TICKET].create({"name": "WLAN", "partner_id": self.secretary_a.partner_id.id})

    def _confirm_by_link(self, user):
        self.env["mail.mail"].search([("model", "=", "res.users"), ("res_id", "=", user.id)]).unlink()
        user._stueber_send_confirmation_mail()
        link = self._confirmation_link(user)
        self.authenticate(None, None)
        response = self.url_open(link, data={"csrf_token": self._csrf(link)})
        self.assertEqual(response.status_code, 200)

    def test_domain_verified_member_confirming_outside_address_goes_back_to_pending(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        self._confirm_by_link(user)
        membership = user.partner_id.stueber_membership_ids
        self.assertEqual((membership.state, membership.verification), ("verified", "email_domain"))

        user.partner_id.email = "eva@gmail.example"
        self._confirm_by_link(user)
        self.assertEqual(membership.state, "pending")
        self.authenticate(user.login, user.login)
        self.assertEqual(self.url_open(f"/my/tickets/{self.colleague_ticket.id}").status_code, 404)

    def test_domain_verified_member_confirming_another_address_of_the_domain_stays_verified(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        self._confirm_by_link(user)
        user.partner_id.email = "eva.muster@school-a.example"
        self._confirm_by_link(user)
        self.assertEqual(user.partner_id.stueber_membership_ids.state, "verified")

    def test_approved_member_confirming_outside_address_stays_verified(self):
        """A person approved them, not the domain."""
        user = self._pending_portal_user("eva@gmail.example", self.school_a)
        self._confirm_by_link(user)
        membership = user.partner_id.stueber_membership_ids
        membership.action_approve()
        user.partner_id.email = "eva@web.example"
        self._confirm_by_link(user)
        self.assertEqual((membership.state, membership.verification), ("verified", "approval"))


@tagged("post_install", "-at_install")
class TestLeavingEndsAnsweringByMail(HelpdeskMailCase):
    """An address that left a ticket's copy may no longer answer it by mail."""

    def _reply_as_teacher_b(self, ticket):
        return self.process_fixture(
            "plain_text.eml",
            {
                "teacher_a <teacher_a@school-a.example>": "teacher_b <teacher_b@school-b.example>",
                "Drucker im Lehrerzimmer druckt nur leere Seiten": f"[Ticket#{ticket.number}] WLAN",
            },
        )

    def test_removed_follower_in_copy_cannot_answer_by_mail_any_more(self):
        ticket = self.ticket_a
        ticket.message_subscribe(partner_ids=self.teacher_b.partner_id.ids)
        ticket.email_cc = "teacher_b@school-b.example"
        ticket.with_user(self.agent).message_unsubscribe(partner_ids=self.teacher_b.partner_id.ids)
        messages = ticket.message_ids
        result = self._reply_as_teacher_b(ticket)
        self.assertEqual(ticket.message_ids, messages, "not posted on the ticket")
        self.assertNotEqual(result, ticket.id, "a registered customer's mail opens a ticket of their own")

    def test_archived_user_in_copy_cannot_answer_by_mail_any_more(self):
        ticket = self.ticket_a
        ticket.email_cc = "teacher_b@school-b.example"
        self.teacher_b.active = False
        messages = ticket.message_ids
        self._reply_as_teacher_b(ticket)
        self.assertEqual(ticket.message_ids, messages, "not posted on the ticket")
