import re

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL

from .mail_common import HelpdeskMailCase
from .privacy_common import PrivacyCase
from .test_portal import PortalHelpdeskCase


def find_traces(env, needles):
    """Every (table, column) of the database whose text holds one of ``needles``.

    Generic on purpose: every text, varchar and jsonb column of every table,
    read from information_schema, so a table nobody thought of is searched too.
    """
    env.flush_all()
    cr = env.cr
    cr.execute(
        """SELECT c.table_name, c.column_name, c.data_type
             FROM information_schema.columns c
             JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.data_type IN ('text', 'character varying', 'jsonb')
            ORDER BY c.table_name, c.column_name"""
    )
    columns = {}
    for table, column, data_type in cr.fetchall():
        columns.setdefault(table, []).append((column, data_type))
    likes = [f"%{needle}%" for needle in needles]
    hits = []
    for table, cols in columns.items():
        for column, data_type in cols:
            expr = SQL("%s::text", SQL.identifier(column)) if data_type == "jsonb" else SQL.identifier(column)
            cr.execute(
                SQL("SELECT %s FROM %s WHERE %s ILIKE ANY(%s) LIMIT 1", expr, SQL.identifier(table), expr, likes)
            )
            row = cr.fetchone()
            if row:
                hits.append(f"{table}.{column}: {row[0][:200]}")
    return hits


@tagged("post_install", "-at_install")
class TestPrivacyErasure(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Privacy = cls.env["stueber.helpdesk.privacy"]
        # a ticket first filed for her, then given to a colleague: the tracking quotes her name
        cls.moved_ticket = cls.env["stueber.helpdesk.ticket"].create(
            {"name": "Beamer", "partner_id": cls.teacher_a.partner_id.id}
        )
        field = cls.env["ir.model.fields"]._get(cls.moved_ticket._name, "partner_id")
        cls.moved_ticket._message_log(
            tracking_value_ids=[
                (0, 0, {"field_id": field.id, "old_value_char": cls.NAME, "new_value_char": "teacher_a"})
            ]
        )
        cls.env["stueber.helpdesk.unassigned.mail"].sudo().create(
            {
                "email_from": f"{cls.NAME} <{cls.EMAIL}>",
                "email_normalized": cls.EMAIL,
                "subject": "Hallo",
                "reason": "unconfirmed_sender",
                "body": f"<p>{cls.NAME}</p>",
            }
        )
        cls.env.flush_all()

    def needles(self):
        return [self.NAME, self.EMAIL, "98765432"]

    def test_person_is_in_the_database_before_erasure(self):
        """The search below finds what it looks for."""
        hits = find_traces(self.env, self.needles())
        self.assertTrue(any(hit.startswith("res_partner.") for hit in hits))
        self.assertTrue(any(hit.startswith("mail_message.body") for hit in hits))
        self.assertTrue(any(hit.startswith("mail_tracking_value.") for hit in hits))

    def test_erasure_leaves_no_trace_of_the_person_in_any_table(self):
        partner, user = self.hilde.partner_id, self.hilde
        ticket, number = self.hilde_ticket, self.hilde_ticket.number
        self.Privacy._erase(partner)
        self.assertEqual(find_traces(self.env, self.needles()), [])
        self.assertFalse(user.exists(), "the portal account is deleted")
        self.assertFalse(partner.exists(), "the contact is deleted")
        self.assertEqual(ticket.number, number, "the ticket stays for statistics, anonymised")
        self.assertTrue(ticket.privacy_anonymised_date)
        self.assertIn("Bei mir auch", str(self.hilde_reply.body), "her reply on the colleague's ticket stays")
        self.assertEqual(self.hilde_reply.email_from, self.Privacy._former_member_label())
        log = self.privacy_logs("erasure")
        self.assertEqual(log.subject_partner_ref, partner.id)
        self.assertNotIn(self.NAME, log.note or "")

    def test_erasure_keeping_tickets_shows_former_member_and_leaves_no_trace(self):
        label = self.Privacy._former_member_label()
        self.Privacy._erase(self.hilde.partner_id, keep_tickets=True)
        self.assertEqual(find_traces(self.env, self.needles()), [])
        ticket = self.hilde_ticket
        self.assertFalse(ticket.privacy_anonymised_date)
        self.assertEqual(ticket.partner_id.name, label)
        self.assertFalse(ticket.partner_id.active or ticket.partner_id.email or ticket.partner_id.phone)
        self.assertIn(label, ticket.name)
        self.assertIn("Screenshot anbei", str(ticket.message_ids.mapped("body")), "texts stay, the person goes")
        self.assertEqual(ticket.institution_id, self.school_a, "the institution's members still see it")

    def test_erasure_wizard_shows_what_will_change_then_erases(self):
        wizard = (
            self.env["stueber.helpdesk.privacy.erasure"]
            .with_user(self.manager)
            .create({"partner_id": self.hilde.partner_id.id})
        )
        wizard.action_review()
        self.assertEqual(wizard.state, "confirm")
        self.assertEqual(
            (wizard.user_count, wizard.ticket_count, wizard.message_count, wizard.membership_count),
            (1, 1, 1, 1),
        )
        self.assertEqual(wizard.unassigned_count, 1)
        wizard.action_erase()
        self.assertFalse(self.hilde.exists())
        self.assertEqual(self.privacy_logs("erasure").user_id, self.manager)

    def test_staff_company_and_institution_contacts_cannot_be_erased(self):
        for partner in (self.agent.partner_id, self.env.company.partner_id, self.school_a.partner_id):
            with self.assertRaises(UserError):
                self.Privacy._erase(partner)
        self.assertTrue(self.agent.active)

    def test_agent_cannot_erase_a_person(self):
        with self.assertRaises(AccessError):
            self.env["stueber.helpdesk.privacy.erasure"].with_user(self.agent).create(
                {"partner_id": self.hilde.partner_id.id}
            )

    def test_contact_with_open_erasure_request_survives_cores_account_cleanup(self):
        partner = self.hilde.partner_id
        self.hilde.with_user(self.hilde).sudo()._deactivate_portal_user()
        with self.assertRaises(UserError):
            partner.unlink()
        self.Privacy._erase(partner)
        self.assertFalse(partner.exists())


ERASED_SENDER_MAIL = """\
From: {name} <{email}>
To: support@test.mycompany.com
Subject: Re: [Ticket#{number}] Zeugnisdruck
Date: Tue, 24 Nov 2026 10:10:00 +0100
Message-ID: <after-erasure-1@school-a.example>
Content-Type: text/plain; charset=utf-8

Ich bin es wieder, bitte wieder öffnen.
"""


@tagged("post_install", "-at_install")
class TestPrivacyErasedSender(HelpdeskMailCase):
    def test_mail_from_erased_address_is_treated_like_unknown_sender(self):
        ticket = self.ticket_b
        number, messages = ticket.number, ticket.message_ids
        self.env["stueber.helpdesk.privacy"]._erase(self.teacher_b.partner_id)
        tickets_before = self.env["stueber.helpdesk.ticket"].with_context(active_test=False).search_count([])
        raw = ERASED_SENDER_MAIL.format(name="teacher_b", email="teacher_b@school-b.example", number=number)
        with self.mock_mail_gateway():
            self.env["mail.thread"].message_process(None, raw)
        self.assertEqual(ticket.message_ids, messages, "nothing lands on the old ticket")
        self.assertEqual(
            self.env["stueber.helpdesk.ticket"].with_context(active_test=False).search_count([]), tickets_before
        )
        kept = self.unassigned().filtered(lambda m: m.message_id == "<after-erasure-1@school-a.example>")
        self.assertFalse(kept.partner_id)
        # exactly what a stranger quoting the ticket number gets
        stranger = raw.replace("teacher_b@school-b.example", "stranger@elsewhere.example").replace(
            "after-erasure-1", "stranger-1"
        )
        with self.mock_mail_gateway():
            self.env["mail.thread"].message_process(None, stranger)
        strangers = self.unassigned().filtered(lambda m: m.message_id == "<stranger-1@school-a.example>")
        self.assertEqual(kept.reason, strangers.reason)
        self.assertIn(kept.reason, ("unknown_sender", "foreign_token"))


@tagged("post_install", "-at_install")
class TestPrivacyErasureRequestPortal(PortalHelpdeskCase):
    def security_csrf_token(self):
        page = self.url_open("/my/security")
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def test_portal_user_requests_erasure_staff_get_activity_person_gets_receipt(self):
        template = self.env.ref("stueber_helpdesk.mail_template_privacy_erasure_request")
        template.auto_delete = False  # keep the sent mail to look at it
        user, partner = self.teacher_a, self.teacher_a.partner_id
        self.login(user)
        response = self.url_open(
            "/my/deactivate_account",
            data={"validation": user.login, "password": user.login, "csrf_token": self.security_csrf_token()},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertFalse(user.active, "core portal closed the account")
        activity = self.env["stueber.helpdesk.privacy"]._open_erasure_requests(partner)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, fields.Date.add(fields.Date.today(), months=1))
        self.assertTrue(activity.user_id.has_group("stueber_helpdesk.group_stueber_helpdesk_manager"))
        receipt = self.env["mail.mail"].search([("subject", "=", "We received your request to erase your data")])
        self.assertEqual(receipt.recipient_ids, partner)
        self.assertIn("Auto-Submitted", receipt.headers or "")
        log = self.env["stueber.helpdesk.privacy.log"].sudo().search([("action", "=", "erasure_request")])
        self.assertEqual(log.subject_partner_ref, partner.id)
        self.assertTrue(
            self.env["stueber.helpdesk.ticket"].search([("partner_id", "=", partner.id)]),
            "data kept until staff decide",
        )

    def test_erasure_request_without_csrf_token_is_refused(self):
        self.login(self.teacher_a)
        response = self.url_open(
            "/my/deactivate_account",
            data={"validation": self.teacher_a.login, "password": self.teacher_a.login},
            allow_redirects=False,
        )
        self.assertNotEqual(response.status_code, 303)
        self.assertTrue(self.teacher_a.active)
        self.assertFalse(self.env["stueber.helpdesk.privacy"]._open_erasure_requests(self.teacher_a.partner_id))

    def test_erasure_request_with_wrong_password_changes_nothing(self):
        self.login(self.teacher_a)
        self.url_open(
            "/my/deactivate_account",
            data={"validation": self.teacher_a.login, "password": "wrong", "csrf_token": self.security_csrf_token()},
            allow_redirects=False,
        )
        self.assertTrue(self.teacher_a.active)
        self.assertFalse(self.env["stueber.helpdesk.privacy"]._open_erasure_requests(self.teacher_a.partner_id))
