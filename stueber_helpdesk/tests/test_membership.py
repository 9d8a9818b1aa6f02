from odoo.tests import new_test_user, tagged

from .common import HelpdeskCase


@tagged("post_install", "-at_install")
class TestMembership(HelpdeskCase):
    """Verification on e-mail confirmation, and staff decisions with their mails."""

    def _registered(self, email, institution):
        """A freshly registered portal user: pending membership, address not confirmed, one own ticket."""
        user = new_test_user(self.env, email, groups="base.group_portal", email=email, name=email.split("@")[0])
        membership = self.env["stueber.helpdesk.membership"].create(
            {"partner_id": user.partner_id.id, "institution_id": institution.id}
        )
        ticket = self.env["stueber.helpdesk.ticket"].create({"name": "Beamer", "partner_id": user.partner_id.id})
        return user, membership, ticket

    def _confirm(self, user):
        user._stueber_send_confirmation_mail()
        mail = self.env["mail.mail"].search([("model", "=", "res.users"), ("res_id", "=", user.id)], limit=1)
        token = mail.body_html.split("/web/signup/confirm/")[1].split('"')[0]
        self.assertTrue(user._stueber_confirm_email(token))

    def _mails(self, membership, template_xmlid):
        subject = self.env.ref(template_xmlid)._render_field("subject", membership.ids, compute_lang=True)[
            membership.id
        ]
        return self.env["mail.mail"].search(
            [("model", "=", membership._name), ("res_id", "=", membership.id), ("subject", "=", subject)]
        )

    def test_policy_customer_number_verifies_on_confirmation(self):
        self.school_b.membership_policy = "customer_number"
        user, membership, ticket = self._registered("eva@anywhere.example", self.school_b)
        self._confirm(user)
        self.assertEqual(membership.state, "verified")
        self.assertEqual(user.partner_id.stueber_access_institution_ids, self.school_b)
        self.assertFalse(ticket.institution_id, "earlier tickets stay private until someone says so")

    def test_allowed_email_domain_verifies_on_confirmation(self):
        self.school_a.allowed_email_domains = "other.example, School-A.example"
        user, membership, ticket = self._registered("eva@school-a.example", self.school_a)
        self._confirm(user)
        self.assertEqual(membership.state, "verified")
        self.assertEqual(membership.verification, "email_domain")
        self.assertFalse(ticket.institution_id)

    def test_other_email_domain_stays_pending_on_confirmation(self):
        self.school_a.allowed_email_domains = "school-a.example"
        user, membership, ticket = self._registered("eva@gmail.example", self.school_a)
        self._confirm(user)
        self.assertEqual(membership.state, "pending")
        self.assertTrue(user.partner_id.stueber_email_confirmed)
        self.assertFalse(user.partner_id.stueber_access_institution_ids)
        self.assertFalse(ticket.institution_id)

    def test_pending_member_sees_only_own_tickets(self):
        user, _membership, ticket = self._registered("eva@gmail.example", self.school_a)
        self._confirm(user)
        visible = self.env["stueber.helpdesk.ticket"].with_user(user).search([])
        self.assertEqual(visible, ticket)

    def test_no_verification_without_confirmation(self):
        self.school_a.membership_policy = "customer_number"
        user, membership, _ticket = self._registered("eva@school-a.example", self.school_a)
        self.assertEqual(membership.state, "pending", "knowing the number is not enough before the address is proven")
        self.assertNotIn(self.ticket_a, self.env["stueber.helpdesk.ticket"].with_user(user).search([]))

    def test_staff_approval_verifies_and_mails_but_moves_no_ticket(self):
        user, membership, ticket = self._registered("eva@gmail.example", self.school_a)
        self._confirm(user)
        membership.with_user(self.agent).action_approve()
        self.assertEqual((membership.state, membership.verification), ("verified", "approval"))
        self.assertFalse(ticket.institution_id, "verifying does not move earlier tickets")
        membership.with_user(self.agent).action_attach_own_tickets()
        self.assertEqual(ticket.institution_id, self.school_a, "staff said so")
        mail = self._mails(membership, "stueber_helpdesk.mail_template_membership_approved")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, user.partner_id)
        self.assertIn("'Auto-Submitted': 'auto-generated'", mail.headers)
        self.assertIn(self.ticket_a, self.env["stueber.helpdesk.ticket"].with_user(user).search([]))

    def test_approving_a_verified_member_sends_no_second_mail(self):
        membership = self.teacher_a.partner_id.stueber_membership_ids
        membership.action_approve()
        self.assertFalse(self._mails(membership, "stueber_helpdesk.mail_template_membership_approved"))

    def test_approval_before_confirmation_opens_nothing_until_confirmed(self):
        user, membership, ticket = self._registered("eva@gmail.example", self.school_a)
        membership.action_approve()
        membership.action_attach_own_tickets()
        self.assertFalse(ticket.institution_id, "not effective yet: nothing moves")
        self.assertNotIn(self.ticket_a, self.env["stueber.helpdesk.ticket"].with_user(user).search([]))
        self._confirm(user)
        self.assertFalse(ticket.institution_id)
        self.assertIn(self.ticket_a, self.env["stueber.helpdesk.ticket"].with_user(user).search([]))

    def test_staff_rejection_mails_and_rejected_member_keeps_own_tickets(self):
        user, membership, ticket = self._registered("eva@gmail.example", self.school_a)
        self._confirm(user)
        membership.with_user(self.agent).action_reject()
        self.assertEqual(membership.state, "rejected")
        mail = self._mails(membership, "stueber_helpdesk.mail_template_membership_rejected")
        self.assertEqual(len(mail), 1)
        self.assertIn("'Auto-Submitted': 'auto-generated'", mail.headers)
        visible = self.env["stueber.helpdesk.ticket"].with_user(user).search([])
        self.assertEqual(visible, ticket, "a rejected person keeps their own tickets, and only those")

    def test_rejecting_an_admin_takes_the_admin_flag(self):
        membership = self.secretary_a.partner_id.stueber_membership_ids
        membership.is_institution_admin = True
        membership.action_reject()
        self.assertFalse(membership.is_institution_admin)
        self.assertFalse(self.secretary_a.partner_id.stueber_admin_institution_ids)

    def test_registered_partner_is_never_a_child_of_the_institution_company(self):
        self.school_a.membership_policy = "customer_number"
        user, _membership, _ticket = self._registered("eva@school-a.example", self.school_a)
        self._confirm(user)
        self.assertFalse(user.partner_id.parent_id)
        self.assertNotEqual(user.partner_id.commercial_partner_id, self.school_a.partner_id)
