import re

from markupsafe import Markup

from odoo.tests import HttpCase, tagged

from .common import HelpdeskCase
from .mail_common import HelpdeskMailCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
TICKET = "stueber.helpdesk.ticket"


class PortalCase(HttpCase, HelpdeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague_ticket = cls.env[TICKET].create({"name": "WLAN", "partner_id": cls.secretary_a.partner_id.id})

    def page_status(self, user, ticket):
        self.authenticate(user.login, user.login)
        return self.url_open(f"/my/tickets/{ticket.id}").status_code

    def listed(self, user, ticket):
        self.authenticate(user.login, user.login)
        return f'href="/my/tickets/{ticket.id}' in self.url_open("/my/tickets").text


@tagged("post_install", "-at_install")
class TestAccessHasOneOwner(PortalCase):
    """Access is asked of PostgreSQL at every request: no write path can leave it stale."""

    def test_membership_rejected_by_a_path_nobody_thought_of_ends_access_at_once(self):
        self.assertEqual(self.page_status(self.teacher_a, self.colleague_ticket), 200)
        self.assertTrue(self.listed(self.teacher_a, self.colleague_ticket))
        membership = self.teacher_a.partner_id.stueber_membership_ids
        self.env.cr.execute("UPDATE stueber_helpdesk_membership SET state = 'rejected' WHERE id = %s", [membership.id])
        self.env.invalidate_all()
        self.assertEqual(self.page_status(self.teacher_a, self.colleague_ticket), 404)
        self.assertFalse(self.listed(self.teacher_a, self.colleague_ticket))
        self.assertEqual(self.page_status(self.teacher_a, self.ticket_a), 200, "own tickets stay")

    def test_follower_removed_by_a_path_nobody_thought_of_ends_access_at_once(self):
        self.ticket_b.message_subscribe(partner_ids=self.teacher_a.partner_id.ids)
        self.assertEqual(self.page_status(self.teacher_a, self.ticket_b), 200)
        self.env.cr.execute(
            "DELETE FROM mail_followers WHERE res_model = %s AND res_id = %s AND partner_id = %s",
            [TICKET, self.ticket_b.id, self.teacher_a.partner_id.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self.page_status(self.teacher_a, self.ticket_b), 404)

    def test_institution_archived_by_a_path_nobody_thought_of_ends_access_at_once(self):
        self.assertEqual(self.page_status(self.teacher_a, self.colleague_ticket), 200)
        self.env.cr.execute("UPDATE stueber_helpdesk_institution SET active = FALSE WHERE id = %s", [self.school_a.id])
        self.env.invalidate_all()
        self.assertEqual(self.page_status(self.teacher_a, self.colleague_ticket), 404)

    def test_membership_and_follower_changes_flush_no_cache(self):
        """Each change used to clear every cache of every worker."""
        self.registry.cache_invalidated.clear()
        newcomer = self.newcomer_a.partner_id.stueber_membership_ids
        newcomer.action_approve()
        newcomer.action_reject()
        self.ticket_b.message_subscribe(partner_ids=self.teacher_a.partner_id.ids)
        self.ticket_b.message_unsubscribe(partner_ids=self.teacher_a.partner_id.ids)
        self.teacher_a.partner_id.stueber_membership_ids.unlink()
        self.school_b.action_archive()
        self.env.flush_all()
        self.assertFalse(self.registry.cache_invalidated)

    def test_effective_membership_means_the_same_in_python_and_in_sql(self):
        Membership = self.env["stueber.helpdesk.membership"]
        self.teacher_b.partner_id.email = "teacher_b@neu.example"  # unconfirmed now
        self.secretary_a.active = False
        memberships = Membership.search([("institution_id", "in", (self.school_a | self.school_b).ids)])
        self.assertEqual(
            memberships.filtered("is_effective"), memberships & Membership.search([("is_effective", "=", True)])
        )
        self.assertEqual(
            memberships.filtered("is_effective").partner_id, self.teacher_a.partner_id, "only teacher_a is effective"
        )
        self.assertEqual(self.school_a.effective_member_ids, self.teacher_a.partner_id)
        self.assertEqual(
            self.env["stueber.helpdesk.institution"].search(
                [("effective_member_ids", "in", self.teacher_a.partner_id.ids)]
            ),
            self.school_a,
        )


@tagged("post_install", "-at_install")
class TestSeveralInstitutions(PortalCase):
    """A person verified in several institutions chooses the institution of a new ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["stueber.helpdesk.membership"].create(
            {"partner_id": cls.teacher_a.partner_id.id, "institution_id": cls.school_b.id, "state": "verified"}
        )

    def _new_ticket(self, user, **form):
        self.authenticate(user.login, user.login)
        page = self.url_open("/my/tickets/new")
        data = {"name": "Beamer flackert", "description": "Seit gestern", **form}
        data["csrf_token"] = CSRF_RE.search(page.text).group(1)
        return page, self.url_open("/my/tickets/new", data=data)

    def test_member_of_two_institutions_chooses_the_institution_in_the_portal_form(self):
        page, response = self._new_ticket(self.teacher_a, institution_id=str(self.school_b.id))
        self.assertIn('name="institution_id"', page.text)
        self.assertIn(self.school_a.name, page.text)
        self.assertIn(self.school_b.name, page.text)
        ticket = self.env[TICKET].search([("name", "=", "Beamer flackert")])
        self.assertEqual(ticket.institution_id, self.school_b)
        self.assertIn(f"/my/tickets/{ticket.id}", response.url)

    def test_member_of_one_institution_is_not_asked(self):
        page, _response = self._new_ticket(self.teacher_b)
        self.assertNotIn('name="institution_id"', page.text)
        self.assertEqual(self.env[TICKET].search([("name", "=", "Beamer flackert")]).institution_id, self.school_b)

    def test_portal_form_cannot_open_a_ticket_in_an_institution_the_user_is_no_member_of(self):
        for user in (self.teacher_b, self.newcomer_a):
            _page, response = self._new_ticket(user, institution_id=str(self.school_a.id))
            self.assertIn("o_stueber_form_error", response.text, "refused with a message")
            self.assertFalse(self.env[TICKET].search([("name", "=", "Beamer flackert")]), user.login)

    def test_rpc_create_ignores_an_institution_the_user_is_no_member_of(self):
        ticket = self.env[TICKET].with_user(self.teacher_b).create({"name": "RPC", "institution_id": self.school_a.id})
        self.assertEqual(ticket.sudo().institution_id, self.school_b)

    def test_staff_see_that_the_customer_is_in_several_institutions(self):
        ticket = self.env[TICKET].create({"name": "Telefon", "partner_id": self.teacher_a.partner_id.id})
        self.assertEqual(ticket.customer_institution_count, 2)
        self.assertEqual(self.ticket_b.customer_institution_count, 1)


@tagged("post_install", "-at_install")
class TestEarlierTicketsStayPrivate(PortalCase):
    """Verifying a membership moves no earlier ticket into the institution, unless the member or staff say so."""

    def test_verified_member_shares_an_earlier_ticket_only_when_they_ask(self):
        membership = self.newcomer_a.partner_id.stueber_membership_ids
        membership.action_approve()
        self.assertFalse(self.ticket_newcomer.institution_id, "approval moved nothing")
        self.assertEqual(self.page_status(self.teacher_a, self.ticket_newcomer), 404, "colleagues do not see it")

        self.authenticate(self.newcomer_a.login, self.newcomer_a.login)
        page = self.url_open(f"/my/tickets/{self.ticket_newcomer.id}")
        self.assertIn("o_stueber_share_form", page.text)
        csrf = CSRF_RE.search(page.text).group(1)
        response = self.url_open(
            f"/my/tickets/{self.ticket_newcomer.id}/share",
            data={"csrf_token": csrf, "institution_id": str(self.school_a.id)},
        )
        self.assertIn("o_stueber_shared", response.text)
        self.assertEqual(self.ticket_newcomer.institution_id, self.school_a)
        self.assertEqual(self.page_status(self.teacher_a, self.ticket_newcomer), 200)

    def test_member_cannot_share_a_colleagues_ticket_or_into_a_foreign_institution(self):
        self.authenticate(self.teacher_a.login, self.teacher_a.login)
        csrf = CSRF_RE.search(self.url_open("/my/tickets/new").text).group(1)
        own_private = self.env[TICKET].create({"name": "Privat", "partner_id": self.teacher_a.partner_id.id})
        own_private.institution_id = False
        self.url_open(
            f"/my/tickets/{own_private.id}/share", data={"csrf_token": csrf, "institution_id": str(self.school_b.id)}
        )
        self.assertFalse(own_private.institution_id, "not a member of school B")
        response = self.url_open(
            f"/my/tickets/{self.ticket_newcomer.id}/share",
            data={"csrf_token": csrf, "institution_id": str(self.school_a.id)},
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.ticket_newcomer.institution_id)


@tagged("post_install", "-at_install")
class TestSeveralInstitutionsByMail(HelpdeskMailCase):
    def test_mail_ticket_goes_to_the_institution_of_the_last_ticket_written_about(self):
        self.env["stueber.helpdesk.membership"].create(
            {"partner_id": self.teacher_a.partner_id.id, "institution_id": self.school_b.id, "state": "verified"}
        )
        self.ticket_b.with_user(self.teacher_a).message_post(
            body=Markup("<p>Bei uns auch.</p>"), message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        ticket = self.env[TICKET].browse(self.process_fixture("plain_text.eml"))
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(ticket.institution_id, self.school_b)
        self.assertEqual(ticket.customer_institution_count, 2, "staff are shown to check it")

    def test_mail_ticket_of_a_member_of_one_institution_goes_there(self):
        ticket = self.env[TICKET].browse(self.process_fixture("plain_text.eml"))
        self.assertEqual(ticket.institution_id, self.school_a)
