from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import HelpdeskCase
from .mail_common import HelpdeskMailCase


@tagged("post_install", "-at_install")
class TestTeamAssignment(HelpdeskCase):
    """Teams get new tickets by their rules and assign them by their method."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        group = "stueber_helpdesk.group_stueber_helpdesk_user"
        cls.agent_2 = new_test_user(cls.env, "agent_2", groups=group, email="agent2@vendor.example")
        cls.agent_3 = new_test_user(cls.env, "agent_3", groups=group, email="agent3@vendor.example")
        cls.lead = new_test_user(cls.env, "lead", groups=group, email="lead@vendor.example")
        Team = cls.env["stueber.helpdesk.team"]
        # the demo teams would take the tickets of the test schools otherwise
        Team.search([]).write({"active": False})
        cls.team = Team.create(
            {
                "name": "Erstlösung",
                "is_default": True,
                "assignment_method": "round_robin",
                "lead_id": cls.lead.id,
                "member_ids": [(6, 0, (cls.agent | cls.agent_2 | cls.agent_3).ids)],
            }
        )
        cls.premium_tag = cls.env["res.partner.category"].create({"name": "Premium"})
        cls.premium = Team.create(
            {
                "name": "Premium-Support",
                "sequence": 1,
                "institution_tag_ids": [(6, 0, cls.premium_tag.ids)],
                "member_ids": [(6, 0, cls.agent_3.ids)],
                "assignment_method": "balanced",
            }
        )
        cls.error_category = cls.env.ref("stueber_helpdesk.category_error")

    def new_ticket(self, **values):
        return self.env["stueber.helpdesk.ticket"].create(
            {"name": "Tafel zeigt nichts", "partner_id": self.teacher_a.partner_id.id, **values}
        )

    def test_round_robin_assigns_agents_by_turns(self):
        agents = [self.new_ticket().user_id for _i in range(4)]
        self.assertEqual(agents, [self.agent, self.agent_2, self.agent_3, self.agent])

    def test_round_robin_skips_agent_marked_not_available(self):
        self.agent_2.stueber_helpdesk_unavailable = True
        agents = [self.new_ticket().user_id for _i in range(3)]
        self.assertEqual(agents, [self.agent, self.agent_3, self.agent])

    def test_assignment_skips_agent_on_leave(self):
        resource = self.env["resource.resource"].create({"name": "agent_2", "user_id": self.agent_2.id})
        now = fields.Datetime.now()
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Urlaub",
                "resource_id": resource.id,
                "calendar_id": resource.calendar_id.id,
                "date_from": now - timedelta(days=1),
                "date_to": now + timedelta(days=1),
            }
        )
        agents = [self.new_ticket().user_id for _i in range(3)]
        self.assertNotIn(self.agent_2, agents)

    def test_balanced_assigns_the_agent_with_fewest_open_tickets(self):
        self.team.assignment_method = "balanced"
        Ticket = self.env["stueber.helpdesk.ticket"]
        Ticket.create([{"name": f"Alt {i}", "user_id": self.agent.id, "team_id": self.team.id} for i in range(3)])
        Ticket.create([{"name": "Alt", "user_id": self.agent_2.id, "team_id": self.team.id}])
        self.assertEqual(self.new_ticket().user_id, self.agent_3)
        self.assertEqual(self.new_ticket().user_id, self.agent_2)

    def test_balanced_skips_absent_agent_with_fewest_tickets(self):
        self.team.assignment_method = "balanced"
        self.agent_3.stueber_helpdesk_unavailable = True
        self.env["stueber.helpdesk.ticket"].create({"name": "Alt", "user_id": self.agent.id, "team_id": self.team.id})
        self.assertEqual(self.new_ticket().user_id, self.agent_2)

    def test_assignment_is_logged_on_the_ticket(self):
        ticket = self.new_ticket()
        bodies = " ".join(ticket.message_ids.mapped("body"))
        self.assertIn(ticket.user_id.name, bodies)
        self.assertIn(self.team.name, bodies)

    def test_manual_team_leaves_ticket_unassigned_and_gives_the_lead_an_activity(self):
        self.team.assignment_method = "manual"
        ticket = self.new_ticket()
        self.assertFalse(ticket.user_id)
        self.assertEqual(ticket.activity_ids.user_id, self.lead)

    def test_lead_is_told_when_nobody_is_available(self):
        (self.agent | self.agent_2 | self.agent_3).stueber_helpdesk_unavailable = True
        ticket = self.new_ticket()
        self.assertFalse(ticket.user_id)
        self.assertEqual(ticket.activity_ids.user_id, self.lead)

    def test_lead_notification_setting_sends_a_notification_instead_of_an_activity(self):
        self.team.write({"assignment_method": "manual", "unassigned_notice": "notification"})
        ticket = self.new_ticket()
        self.assertFalse(ticket.activity_ids)
        notified = (
            self.env["mail.message"]
            .search(
                [("model", "=", ticket._name), ("res_id", "=", ticket.id), ("message_type", "=", "user_notification")]
            )
            .partner_ids
        )
        self.assertIn(self.lead.partner_id, notified)

    def test_institution_tag_rule_sends_premium_school_to_premium_team(self):
        self.school_a.tag_ids = self.premium_tag
        ticket = self.new_ticket()
        self.assertEqual(ticket.team_id, self.premium)
        self.assertEqual(ticket.user_id, self.agent_3)

    def test_category_and_institution_rule_needs_both(self):
        self.premium.write({"institution_tag_ids": [(5,)], "institution_ids": [(6, 0, self.school_a.ids)]})
        self.premium.category_ids = self.error_category
        self.assertEqual(self.new_ticket().team_id, self.team)
        self.assertEqual(self.new_ticket(category_id=self.error_category.id).team_id, self.premium)

    def test_ticket_without_matching_rule_goes_to_default_team(self):
        self.assertEqual(self.new_ticket().team_id, self.team)

    def test_team_given_by_staff_wins_over_the_rules(self):
        self.school_a.tag_ids = self.premium_tag
        ticket = self.new_ticket(team_id=self.team.id)
        self.assertEqual(ticket.team_id, self.team)

    def test_portal_created_ticket_uses_the_same_rules(self):
        self.school_a.tag_ids = self.premium_tag
        ticket = self.env["stueber.helpdesk.ticket"].with_user(self.teacher_a).create({"name": "Im Portal"})
        self.assertEqual(ticket.sudo().team_id, self.premium)
        self.assertEqual(ticket.sudo().user_id, self.agent_3)

    def test_team_alias_routes_its_mail_into_the_team(self):
        self.premium.alias_name = "premium"
        self.assertEqual(self.env["stueber.helpdesk.team"]._team_for_alias(self.premium.alias_id), self.premium)
        self.assertEqual(self.premium.alias_id.alias_model_id.model, "stueber.helpdesk.ticket")
        self.assertIn(str(self.premium.id), self.premium.alias_id.alias_defaults)

    def test_team_overview_counts_open_and_unassigned_tickets(self):
        self.team.assignment_method = "manual"
        self.new_ticket()
        self.new_ticket(user_id=self.agent.id)
        self.team.invalidate_recordset()
        self.assertEqual(self.team.open_ticket_count, 2)
        self.assertEqual(self.team.unassigned_ticket_count, 1)
        self.assertTrue(self.team.oldest_open_date)


@tagged("post_install", "-at_install")
class TestTeamAddressMail(HelpdeskMailCase):
    """A team's own address, through the whole mail gateway."""

    def test_mail_to_a_team_address_becomes_a_ticket_of_that_team(self):
        Team = self.env["stueber.helpdesk.team"]
        Team.search([]).write({"active": False})
        default = Team.create({"name": "Erstlösung", "is_default": True})
        office = Team.create({"name": "Schulverwaltung", "alias_name": "verwaltung"})
        office.alias_id.alias_domain_id = self.mail_alias_domain
        self.process_fixture("plain_text.eml", {"support@test.mycompany.com": f"verwaltung@{self.alias_domain}"})
        ticket = self.env["stueber.helpdesk.ticket"].search(
            [("name", "=", "Drucker im Lehrerzimmer druckt nur leere Seiten")]
        )
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(ticket.team_id, office, f"not the default team {default.name}")
        self.assertEqual(len(self.sent_to(self.teacher_a.partner_id)), 1, "one receipt")
