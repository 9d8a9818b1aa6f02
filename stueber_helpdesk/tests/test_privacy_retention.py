from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import freeze_time

from .privacy_common import PrivacyCase

CLOSED_ON = "2024-03-15 10:00:00"


@tagged("post_install", "-at_install")
class TestPrivacyRetention(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Retention = cls.env["stueber.helpdesk.retention"]
        with freeze_time(CLOSED_ON):
            cls.hilde_ticket.stage_id = cls.closed_stage
            cls.ticket_b.stage_id = cls.closed_stage
            cls.env.flush_all()  # closed_date is computed at the flush
        cls.closed_on = fields.Datetime.from_string(CLOSED_ON)

    def run_retention_at(self, moment, **kwargs):
        with freeze_time(moment):
            return self.Retention._run_retention(**kwargs)

    # ------------------------------------------------------------
    # The limit
    # ------------------------------------------------------------

    def test_ticket_closed_one_day_less_than_24_months_ago_is_kept(self):
        self.run_retention_at(self.closed_on + relativedelta(months=24, days=-1))
        self.assertFalse(self.hilde_ticket.privacy_anonymised_date)
        self.assertEqual(self.hilde_ticket.partner_id, self.hilde.partner_id)
        self.assertIn(self.NAME, self.hilde_ticket.name)

    def test_ticket_closed_24_months_and_one_day_ago_is_anonymised_statistics_kept(self):
        ticket = self.hilde_ticket
        number, created, institution, stage = ticket.number, ticket.create_date, ticket.institution_id, ticket.stage_id
        attachments = self.env["ir.attachment"].search([("res_model", "=", ticket._name), ("res_id", "=", ticket.id)])
        self.assertTrue(attachments)
        self.run_retention_at(self.closed_on + relativedelta(months=24, days=1))
        labels = self.Retention._placeholders()
        self.assertTrue(ticket.privacy_anonymised_date)
        self.assertEqual(ticket.name, labels["subject"])
        self.assertFalse(ticket.partner_id or ticket.email_from or ticket.phone or ticket.description)
        # what statistics need stays
        self.assertEqual(
            (ticket.number, ticket.create_date, ticket.institution_id, ticket.stage_id, ticket.closed_date),
            (number, created, institution, stage, self.closed_on),
        )
        self.assertFalse(attachments.exists(), "files are deleted")
        self.assertFalse(ticket.message_follower_ids.filtered(lambda f: f.partner_id.partner_share))
        for message in ticket.message_ids:
            text = f"{message.body} {message.email_from} {message.subject} {message.author_id.name}"
            self.assertNotIn(self.NAME, text)
            self.assertNotIn(self.EMAIL, text)
            self.assertNotIn("98765432", text)
            self.assertFalse(message.attachment_ids)
        customer_messages = ticket.message_ids.filtered(lambda m: m.email_from == labels["person"])
        self.assertTrue(customer_messages, "the customer's message stays as a placeholder")
        self.assertIn(labels["content"], str(customer_messages[0].body))
        self.assertIn(self.agent.partner_id, ticket.message_ids.author_id, "staff stay authors")

    def test_open_ticket_is_never_anonymised(self):
        self.run_retention_at(self.closed_on + relativedelta(years=10))
        self.assertFalse(self.colleague_ticket.privacy_anonymised_date)
        self.assertEqual(self.colleague_ticket.partner_id, self.teacher_a.partner_id)

    def test_institution_override_shortens_retention_for_its_tickets_only(self):
        self.school_a.retention_months = 6
        self.run_retention_at(self.closed_on + relativedelta(months=6, days=1))
        self.assertTrue(self.hilde_ticket.privacy_anonymised_date, "school_a's contract: 6 months")
        self.assertFalse(self.ticket_b.privacy_anonymised_date, "school_b: the general 24 months")

    def test_setting_changes_retention_period(self):
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.retention_months", "12")
        self.run_retention_at(self.closed_on + relativedelta(months=12, days=1))
        self.assertTrue(self.hilde_ticket.privacy_anonymised_date)
        self.assertTrue(self.ticket_b.privacy_anonymised_date)

    # ------------------------------------------------------------
    # Batches, restart, log, preview
    # ------------------------------------------------------------

    def test_run_in_batches_logs_each_batch_and_second_run_does_nothing(self):
        later = self.closed_on + relativedelta(months=25)
        self.assertEqual(self.run_retention_at(later, batch_size=1), (2, 0))
        logs = self.privacy_logs("retention")
        self.assertEqual(logs.mapped("record_count"), [1, 1])
        self.assertEqual(self.run_retention_at(later, batch_size=1), (0, 0), "anonymised tickets are done")
        self.assertEqual(len(self.privacy_logs("retention")), 2)

    def test_log_entry_holds_no_personal_data(self):
        self.run_retention_at(self.closed_on + relativedelta(months=25))
        log = self.privacy_logs("retention")
        self.assertEqual(log.record_count, 2)
        self.assertEqual(log.user_id, self.env.user)
        for value in log.read(["note", "action", "subject_partner_ref"])[0].values():
            self.assertNotIn(self.NAME, str(value))

    def test_preview_lists_exactly_the_tickets_of_the_next_run(self):
        with freeze_time(self.closed_on + relativedelta(months=24, days=1)):
            action = self.Retention.action_open_retention_preview()
            due = self.env["stueber.helpdesk.ticket"].with_context(active_test=False).search(action["domain"])
            count = self.env["res.config.settings"].create({}).stueber_helpdesk_retention_due_count
        self.assertEqual(due, self.hilde_ticket | self.ticket_b)
        self.assertEqual(count, 2)

    def test_unassigned_mail_deleted_after_30_days(self):
        Unassigned = self.env["stueber.helpdesk.unassigned.mail"].sudo()
        now = fields.Datetime.now()
        old, recent = Unassigned.create(
            [
                {
                    "email_from": self.EMAIL,
                    "subject": "alt",
                    "reason": "unknown_sender",
                    "date": now - relativedelta(days=31),
                },
                {
                    "email_from": self.EMAIL,
                    "subject": "neu",
                    "reason": "unknown_sender",
                    "date": now - relativedelta(days=29),
                },
            ]
        )
        self.Retention._run_retention()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
        self.assertEqual(self.privacy_logs("unassigned_cleanup").record_count, 1)

    def test_cron_is_daily_and_runs(self):
        cron = self.env.ref("stueber_helpdesk.ir_cron_stueber_helpdesk_retention")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (1, "days", True))

    # ------------------------------------------------------------
    # The log: managers read, nobody edits
    # ------------------------------------------------------------

    def test_manager_reads_the_log(self):
        self.run_retention_at(self.closed_on + relativedelta(months=25))
        logs = self.env["stueber.helpdesk.privacy.log"].with_user(self.manager).search([])
        self.assertEqual(logs.mapped("action"), ["retention"])

    def test_agent_and_portal_user_cannot_read_the_log(self):
        self.run_retention_at(self.closed_on + relativedelta(months=25))
        for user in (self.agent, self.teacher_a, self.employee):
            with self.assertRaises(AccessError):
                self.env["stueber.helpdesk.privacy.log"].with_user(user).search([])

    def test_nobody_can_forge_edit_or_delete_a_log_entry(self):
        self.run_retention_at(self.closed_on + relativedelta(months=25))
        Log = self.env["stueber.helpdesk.privacy.log"]
        log = Log.sudo().search([], limit=1)
        with self.assertRaises(UserError):
            Log.with_user(self.manager).create({"action": "erasure"})
        with self.assertRaises(UserError):
            log.with_user(self.manager).write({"record_count": 0})
        with self.assertRaises(UserError):
            log.with_user(self.manager).unlink()
        with self.assertRaises(UserError):
            Log.sudo().create({"action": "erasure"})
        with self.assertRaises(UserError):
            log.sudo().write({"record_count": 0})
        with self.assertRaises(UserError):
            log.sudo().unlink()

    def test_removed_membership_is_logged_without_the_person(self):
        membership = self.hilde.partner_id.stueber_membership_ids
        membership.with_user(self.manager).unlink()
        log = self.privacy_logs("membership_removal")
        self.assertEqual(
            (log.record_count, log.subject_partner_ref, log.user_id), (1, self.hilde.partner_id.id, self.manager)
        )

    def test_placeholders_are_german_in_a_german_company(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"]._load_module_terms(["stueber_helpdesk"], ["de_DE"], overwrite=True)
        self.env.company.partner_id.lang = "de_DE"
        labels = self.Retention._placeholders()
        self.assertEqual((labels["content"], labels["subject"]), ("Inhalt gelöscht", "Anonymisiertes Ticket"))
        self.assertEqual(self.env["stueber.helpdesk.privacy"]._former_member_label(), "ehemaliges Mitglied")
