import re

from odoo.tests import HttpCase, tagged

from .mail_common import HelpdeskMailCase


@tagged("post_install", "-at_install")
class TestRating(HttpCase, HelpdeskMailCase):
    """A solved ticket's mail asks for a rating; one click and an optional
    comment through the real /rate routes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.solved = cls.env.ref("stueber_helpdesk.stage_solved")
        cls.ticket_a = cls.ticket_a.with_env(cls.env)  # created without tracking, now with it
        cls.ticket_a.user_id = cls.agent
        cls.env["ir.config_parameter"].set_param("stueber_helpdesk.rating_request", "True")

    def move(self, ticket, stage):
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).write({"stage_id": stage.id})
            self.send_queue()
        return self.sent_to(ticket.partner_id)

    def rating_link(self, mail):
        match = re.search(r"/rate/([\w-]+)/5", mail["body"])
        self.assertTrue(match, "the mail has the smileys")
        return match.group(1)

    def test_solved_ticket_sends_one_mail_with_the_smileys(self):
        mails = self.move(self.ticket_a, self.solved)
        self.assertEqual(len(mails), 1, "the rating request is the status mail, not a second mail")
        token = self.rating_link(mails[0])
        for rate in (5, 3, 1):
            self.assertIn(f"/rate/{token}/{rate}", mails[0]["body"])
        rating = self.env["rating.rating"].search([("access_token", "=", token)])
        self.assertEqual(rating.partner_id, self.teacher_a.partner_id)
        self.assertEqual(rating.rated_partner_id, self.agent.partner_id, "the agent is rated")
        self.assertFalse(rating.consumed)

    def test_customer_rates_with_one_click_and_a_comment_over_http(self):
        token = self.rating_link(self.move(self.ticket_a, self.solved)[0])
        page = self.url_open(f"/rate/{token}/5")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"rate": "5", "feedback": "Schnell und freundlich, danke!", "csrf_token": csrf},
        )
        self.assertEqual(response.status_code, 200)
        rating = self.env["rating.rating"].search([("access_token", "=", token)])
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating, 5)
        self.assertEqual(rating.feedback, "Schnell und freundlich, danke!")
        self.assertEqual(self.ticket_a.rating_last_value, 5)
        self.assertEqual(rating.parent_res_model, "stueber.helpdesk.institution", "ratings count per institution")
        self.assertEqual(rating.parent_res_id, self.school_a.id)

    def test_rating_page_by_get_does_not_rate(self):
        """Mail scanners follow links: only the POST of the page rates."""
        token = self.rating_link(self.move(self.ticket_a, self.solved)[0])
        self.url_open(f"/rate/{token}/1")
        self.assertFalse(self.env["rating.rating"].search([("access_token", "=", token)]).consumed)

    def test_guessed_rating_token_is_not_found(self):
        self.assertEqual(self.url_open("/rate/not-a-token/5").status_code, 404)

    def test_portal_ticket_page_shows_the_rating(self):
        token = self.rating_link(self.move(self.ticket_a, self.solved)[0])
        self.ticket_a.rating_apply(3, token=token, feedback="Hat etwas gedauert.")
        self.authenticate(self.teacher_a.login, self.teacher_a.login)
        response = self.url_open(f"/my/tickets/{self.ticket_a.id}")
        self.assertIn("o_stueber_rating", response.text)
        self.assertIn("Hat etwas gedauert.", response.text)

    def test_no_rating_request_for_cancelled_tickets(self):
        mails = self.move(self.ticket_a, self.env.ref("stueber_helpdesk.stage_cancelled"))
        self.assertFalse([m for m in mails if "/rate/" in m["body"]])
        self.assertFalse(
            self.env["rating.rating"].search(
                [("res_model", "=", self.ticket_a._name), ("res_id", "=", self.ticket_a.id)]
            )
        )

    def test_no_rating_request_for_merged_tickets(self):
        second = self.env["stueber.helpdesk.ticket"].create(
            {"name": "Drucker wieder", "partner_id": self.teacher_a.partner_id.id}
        )
        with self.mock_mail_gateway():
            self.ticket_a.with_user(self.agent)._merge_from(second, notify_customer=False)
            self.send_queue()
        self.assertFalse([m for m in self._mails if "/rate/" in m["body"]])

    def test_no_rating_request_when_ratings_are_off(self):
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.rating_request", False)
        mails = self.move(self.ticket_a, self.solved)
        self.assertEqual(len(mails), 1, "the ordinary status mail")
        self.assertNotIn("/rate/", mails[0]["body"])

    def test_customer_closing_as_solved_is_asked_for_a_rating(self):
        with self.mock_mail_gateway():
            self.ticket_a.with_user(self.teacher_a).action_customer_close()
            self.send_queue()
        self.assertTrue([m for m in self.sent_to(self.teacher_a.partner_id) if "/rate/" in m["body"]])

    def test_team_with_ratings_off_sends_the_plain_status_mail(self):
        team = self.env["stueber.helpdesk.team"].create({"name": "Schulträger-Support", "rating_request": False})
        self.ticket_a.team_id = team
        mails = self.move(self.ticket_a, self.solved)
        self.assertEqual(len(mails), 1, "the ordinary status mail")
        self.assertNotIn("/rate/", mails[0]["body"])
        self.assertFalse(self.ticket_a.rating_ids, "no rating is waiting for an answer")

    def test_team_with_ratings_on_asks_for_a_rating(self):
        team = self.env["stueber.helpdesk.team"].create({"name": "Erstlösung"})
        self.assertTrue(team.rating_request, "teams ask for ratings by default")
        self.ticket_a.team_id = team
        self.rating_link(self.move(self.ticket_a, self.solved)[0])

    def test_setting_off_overrides_a_team_with_ratings_on(self):
        self.ticket_a.team_id = self.env["stueber.helpdesk.team"].create({"name": "Erstlösung"})
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.rating_request", False)
        mails = self.move(self.ticket_a, self.solved)
        self.assertNotIn("/rate/", mails[0]["body"])
