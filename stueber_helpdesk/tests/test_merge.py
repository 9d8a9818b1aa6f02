from odoo.exceptions import UserError
from odoo.tests import tagged

from .mail_common import HelpdeskMailCase
from .test_portal import PortalHelpdeskCase


class MergeMixin:
    def merge(self, target, sources, user=None, notify=True):
        wizard = (
            self.env["stueber.helpdesk.ticket.merge"]
            .with_user(user or self.agent)
            .with_context(active_model="stueber.helpdesk.ticket", active_ids=(target | sources).ids)
            .create({"notify_customer": notify})
        )
        wizard.target_id = target
        wizard.action_merge()


@tagged("post_install", "-at_install")
class TestMerge(MergeMixin, HelpdeskMailCase):
    """Several reports of one problem become one ticket; the old numbers keep working."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Ticket = cls.env["stueber.helpdesk.ticket"]
        cls.second_a = Ticket.create({"name": "Drucker wieder kaputt", "partner_id": cls.secretary_a.partner_id.id})
        cls.third_a = Ticket.create({"name": "Drucker: Papierstau", "partner_id": cls.teacher_a.partner_id.id})
        cls.env["stueber.helpdesk.receipt"]._send_pending()  # the receipts went out long before the merge

    def test_wizard_proposes_the_oldest_ticket_as_target(self):
        wizard = (
            self.env["stueber.helpdesk.ticket.merge"]
            .with_user(self.agent)
            .with_context(active_model="stueber.helpdesk.ticket", active_ids=(self.third_a | self.ticket_a).ids)
            .create({})
        )
        self.assertEqual(wizard.target_id, self.ticket_a)

    def test_merge_moves_messages_files_and_followers_and_closes_the_others(self):
        question = self.second_a.message_post(body="Der Drucker im Lehrerzimmer auch.", message_type="comment")
        file = self.env["ir.attachment"].create(
            {"name": "fehler.png", "raw": b"png", "res_model": self.second_a._name, "res_id": self.second_a.id}
        )
        self.second_a.message_subscribe(partner_ids=self.agent.partner_id.ids)
        self.merge(self.ticket_a, self.second_a)

        self.assertEqual(question.res_id, self.ticket_a.id)
        self.assertIn(question, self.ticket_a.message_ids)
        self.assertEqual(file.res_id, self.ticket_a.id)
        self.assertIn(self.secretary_a.partner_id, self.ticket_a.message_partner_ids)
        self.assertIn(self.agent.partner_id, self.ticket_a.message_partner_ids)
        self.assertEqual(self.second_a.stage_id, self.env.ref("stueber_helpdesk.stage_merged"))
        self.assertTrue(self.second_a.is_closed)
        self.assertEqual(self.second_a.merged_into_id, self.ticket_a)
        self.assertEqual(self.ticket_a.merged_ticket_ids, self.second_a)
        self.assertIn(self.second_a.number, self.ticket_a.message_ids[0].body)

    def test_merged_messages_read_in_order_of_their_dates(self):
        first = self.ticket_a.message_post(body="erste", message_type="comment")
        second = self.second_a.message_post(body="zweite", message_type="comment")
        third = self.ticket_a.message_post(body="dritte", message_type="comment")
        self.merge(self.ticket_a, self.second_a)
        ordered = self.ticket_a.message_ids.filtered(lambda m: m in first | second | third).sorted(
            lambda m: (m.date, m.id)
        )
        self.assertEqual(ordered, first | second | third)

    def test_tickets_of_different_institutions_cannot_be_merged(self):
        with self.assertRaisesRegex(UserError, "same institution or the same customer"):
            self.merge(self.ticket_a, self.ticket_b)

    def test_a_merged_ticket_cannot_be_merged_again(self):
        self.merge(self.ticket_a, self.second_a)
        with self.assertRaisesRegex(UserError, "merged already"):
            self.merge(self.third_a, self.second_a)

    def test_a_single_ticket_cannot_be_merged(self):
        with self.assertRaisesRegex(UserError, "at least two"):
            self.ticket_a._merge_from(self.ticket_a)

    def test_customer_gets_one_notice_and_no_status_mails(self):
        with self.mock_mail_gateway():
            self.merge(self.ticket_a, self.second_a | self.third_a)
            self.send_queue()
        to_teacher = self.sent_to(self.teacher_a.partner_id)
        to_secretary = self.sent_to(self.secretary_a.partner_id)
        self.assertEqual(len(to_teacher), 1, [m["subject"] for m in to_teacher])
        self.assertEqual(len(to_secretary), 1, [m["subject"] for m in to_secretary])
        self.assertIn(self.ticket_a.number, to_teacher[0]["subject"])
        self.assertIn(self.second_a.number, to_teacher[0]["body"])

    def test_merge_without_notice_sends_the_customer_nothing(self):
        with self.mock_mail_gateway():
            self.merge(self.ticket_a, self.second_a, notify=False)
            self.send_queue()
        self.assertFalse(self.sent_to(self.teacher_a.partner_id))
        self.assertFalse(self.sent_to(self.secretary_a.partner_id))

    def test_mail_quoting_the_old_number_lands_on_the_target(self):
        self.merge(self.ticket_a, self.second_a)
        result = self.process_fixture("outlook_aw_reply.eml", {"@@NUMBER@@": self.second_a.number})
        self.assertEqual(result, self.ticket_a.id)
        self.assertIn("nur schwarz-weiß", self.ticket_a.message_ids.filtered(lambda m: m.message_type == "email").body)
        self.assertTrue(self.second_a.is_closed, "the merged ticket stays closed")

    def test_mail_quoting_a_number_merged_twice_lands_on_the_last_target(self):
        self.merge(self.second_a, self.third_a)
        self.merge(self.ticket_a, self.second_a)
        result = self.process_fixture("outlook_aw_reply.eml", {"@@NUMBER@@": self.third_a.number})
        self.assertEqual(result, self.ticket_a.id)

    def test_split_message_becomes_ticket_of_same_customer_linked_both_ways(self):
        message = self.ticket_a.message_post(
            body="Und außerdem geht das WLAN nicht.", message_type="comment", subject="WLAN"
        )
        wizard = (
            self.env["stueber.helpdesk.ticket.split"]
            .with_user(self.agent)
            .with_context(default_ticket_id=self.ticket_a.id)
            .create({"message": str(message.id)})
        )
        self.assertEqual(wizard.name, "WLAN")
        self.assertIn(str(message.id), dict(wizard._selection_message()))
        action = wizard.action_split()
        new = self.env["stueber.helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(new.partner_id, self.ticket_a.partner_id)
        self.assertEqual(new.institution_id, self.school_a)
        self.assertEqual(new.split_from_id, self.ticket_a)
        self.assertEqual(self.ticket_a.split_ticket_ids, new)
        self.assertEqual(message.res_id, new.id)
        self.assertIn("WLAN nicht", new.description)
        self.assertIn(new.number, self.ticket_a.message_ids[0].body)

    def test_a_message_of_another_ticket_cannot_be_split_off(self):
        message = self.ticket_b.message_post(body="fremd", message_type="comment")
        with self.assertRaises(UserError):
            self.ticket_a.with_user(self.agent)._split_message(message)


@tagged("post_install", "-at_install")
class TestMergePortal(MergeMixin, PortalHelpdeskCase):
    def setUp(self):
        super().setUp()
        self.merge(self.ticket_a, self.ticket_colleague, notify=False)

    def test_old_ticket_page_opens_the_target_with_a_note(self):
        self.login(self.secretary_a)
        response = self.url_open(f"/my/tickets/{self.ticket_colleague.id}")
        self.assertTrue(response.url.endswith(f"/my/tickets/{self.ticket_a.id}?merged_from={self.ticket_colleague.id}"))
        note = self.tree(response).xpath("//div[hasclass('o_stueber_merged_note')]")[0].text_content()
        self.assertIn(
            f"#{self.ticket_colleague.number} was merged into #{self.ticket_a.number}", " ".join(note.split())
        )

    def test_member_of_other_institution_cannot_learn_merged_numbers_by_parameter(self):
        self.login(self.teacher_b)
        response = self.get_page(f"/my/tickets/{self.ticket_b.id}?merged_from={self.ticket_colleague.id}")
        self.assertNotIn(self.ticket_colleague.number, response.text)
        self.assertFalse(self.tree(response).xpath("//div[hasclass('o_stueber_merged_note')]"))

    def test_member_of_other_institution_cannot_open_the_merged_ticket(self):
        self.login(self.teacher_b)
        self.get_page(f"/my/tickets/{self.ticket_colleague.id}", status=404)

    def test_tour_agent_merges_two_tickets_from_the_list(self):
        Ticket = self.env["stueber.helpdesk.ticket"]
        first = Ticket.create({"name": "Tourticket Whiteboard eins", "partner_id": self.teacher_a.partner_id.id})
        second = Ticket.create({"name": "Tourticket Whiteboard zwei", "partner_id": self.teacher_a.partner_id.id})
        self.agent.lang = "en_US"
        self.start_tour(
            "/odoo/action-stueber_helpdesk.stueber_helpdesk_ticket_action?view_type=list",
            "stueber_helpdesk_merge_tour",
            login=self.agent.login,
        )
        self.assertEqual(second.merged_into_id, first)
        self.assertTrue(second.is_closed)
