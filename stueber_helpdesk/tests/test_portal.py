import re

from lxml import html

from odoo.tests import HttpCase, tagged

from .common import HelpdeskCase

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdac\xfc\xcf\xc0P\x0f\x00\x04\x85\x01\x80\x84\xa9\x8c!\x00\x00\x00\x00IEND\xaeB`\x82"
)


class PortalHelpdeskCase(HttpCase, HelpdeskCase):
    """The HelpdeskCase people over HTTP; ``ticket_colleague`` is secretary_a's
    ticket, which teacher_a sees as a verified member of school_a."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # English pages: the test database runs in German only, so English is
        # made the default language here; the German rendering is tested on its own.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env["ir.default"].set("res.partner", "lang", "en_US")
        (cls.teacher_a | cls.secretary_a | cls.newcomer_a | cls.teacher_b).lang = "en_US"
        cls.ticket_colleague = cls.env["stueber.helpdesk.ticket"].create(
            {"name": "Beamer flackert", "partner_id": cls.secretary_a.partner_id.id}
        )

    def login(self, user):
        self.authenticate(user.login, user.login)

    def get_page(self, url, status=200):
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, status, url)
        return response

    def csrf_token(self):
        """A CSRF token of the current session, read from the new-ticket form."""
        response = self.url_open("/my/tickets/new")
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def post(self, url, data=None, files=None, csrf=True):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.csrf_token()
        return self.url_open(url, data=data, files=files, allow_redirects=False)

    def tree(self, response):
        return html.fromstring(response.content)


@tagged("post_install", "-at_install")
class TestPortal(PortalHelpdeskCase):
    # ------------------------------------------------------------
    # Home and list
    # ------------------------------------------------------------

    def test_portal_home_has_tickets_card_and_badge_counts_visible_tickets(self):
        self.login(self.teacher_a)
        page = self.tree(self.get_page("/my"))
        self.assertTrue(page.xpath("//*[@data-placeholder_count='ticket_count']"))
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["ticket_count"]})
        self.assertEqual(counters, {"ticket_count": 2}, "own ticket and the colleague's")

    def test_ticket_list_shows_columns_own_and_colleague_tickets_only(self):
        self.login(self.teacher_a)
        page = self.tree(self.get_page("/my/tickets"))
        headers = [th.text_content().strip() for th in page.xpath("//thead//th")]
        self.assertEqual(headers, ["Number", "Subject", "Status", "Customer", "Last update"])
        rows = page.xpath("//tr[hasclass('o_stueber_ticket_row')]")
        text = " ".join(row.text_content() for row in rows)
        self.assertEqual(len(rows), 2)
        self.assertIn(self.ticket_a.number, text)
        self.assertIn("Beamer flackert", text)
        self.assertIn("Received", text, "the customer status, not the internal stage name")
        self.assertNotIn("Passwort vergessen", text)
        self.assertNotIn("Wie melde ich mich an?", text)

    def _row_subjects(self, url):
        page = self.tree(self.get_page(url))
        return [
            row.xpath("./td[2]")[0].text_content().strip()
            for row in page.xpath("//tr[hasclass('o_stueber_ticket_row')]")
        ]

    def test_ticket_list_filters_mine_institution_open_closed(self):
        self.ticket_colleague.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
        self.login(self.teacher_a)
        self.assertEqual(self._row_subjects("/my/tickets?filterby=mine"), ["Drucker druckt nicht"])
        self.assertCountEqual(
            self._row_subjects("/my/tickets?filterby=institution"), ["Drucker druckt nicht", "Beamer flackert"]
        )
        self.assertEqual(self._row_subjects("/my/tickets?filterby=open"), ["Drucker druckt nicht"])
        self.assertEqual(self._row_subjects("/my/tickets?filterby=closed"), ["Beamer flackert"])

    def test_ticket_list_searches_number_subject_and_description(self):
        self.ticket_colleague.description = "<p>Das Bild ist grünstichig</p>"
        self.login(self.teacher_a)
        self.assertEqual(self._row_subjects(f"/my/tickets?search={self.ticket_a.number}"), ["Drucker druckt nicht"])
        self.assertEqual(self._row_subjects("/my/tickets?search=druckt"), ["Drucker druckt nicht"])
        self.assertEqual(self._row_subjects("/my/tickets?search=grünstichig"), ["Beamer flackert"])

    def test_ticket_list_sorts_by_number_and_groups_by_status(self):
        self.ticket_a.stage_id = self.env.ref("stueber_helpdesk.stage_in_progress")
        self.login(self.teacher_a)
        self.assertEqual(self._row_subjects("/my/tickets?sortby=number"), ["Beamer flackert", "Drucker druckt nicht"])
        page = self.tree(self.get_page("/my/tickets?groupby=status"))
        groups = [th.text_content().strip() for th in page.xpath("//th[@scope='rowgroup']")]
        self.assertEqual(groups, ["Received", "In progress"])
        self.get_page("/my/tickets?sortby=status")
        self.get_page("/my/tickets?sortby=update&filterby=bogus&groupby=bogus")

    def test_ticket_list_pages(self):
        self.env["stueber.helpdesk.ticket"].create(
            [{"name": f"Frage {i}", "partner_id": self.teacher_a.partner_id.id} for i in range(85)]
        )
        self.login(self.teacher_a)
        self.assertEqual(len(self._row_subjects("/my/tickets")), 80)
        self.assertEqual(len(self._row_subjects("/my/tickets/page/2")), 7)

    def test_pending_member_sees_membership_banner_on_list_and_ticket_page(self):
        self.login(self.newcomer_a)
        expected = 'Your membership of "Grundschule am See" is being checked.'
        self.assertIn(expected, self.get_page("/my/tickets").text)
        self.assertIn(expected, self.get_page(f"/my/tickets/{self.ticket_newcomer.id}").text)
        self.login(self.teacher_a)
        self.assertNotIn("is being checked", self.get_page("/my/tickets").text)

    def test_follower_from_another_institution_sees_ticket_page_with_its_institution(self):
        self.ticket_a.message_subscribe(partner_ids=self.teacher_b.partner_id.ids)
        self.login(self.teacher_b)
        page = self.tree(self.get_page(f"/my/tickets/{self.ticket_a.id}"))
        self.assertIn("Grundschule am See", page.xpath("//dl[hasclass('o_stueber_ticket_facts')]")[0].text_content())

    # ------------------------------------------------------------
    # New ticket
    # ------------------------------------------------------------

    def test_new_ticket_form_has_hint_and_a_label_for_every_input(self):
        self.login(self.teacher_a)
        page = self.tree(self.get_page("/my/tickets/new"))
        self.assertTrue(page.xpath("//*[hasclass('o_stueber_one_ticket_hint')]"))
        self.assertIn("one ticket per error, question or wish", page.text_content())
        form = page.xpath("//form[hasclass('o_stueber_new_ticket_form')]")[0]
        fields = form.xpath(".//input[not(@type='hidden')] | .//textarea | .//select")
        self.assertEqual(len(fields), 7, [f.get("name") for f in fields])
        for field in fields:
            self.assertTrue(form.xpath(f".//label[@for='{field.get('id')}']"), f"no label for {field.get('name')}")

    def test_new_ticket_is_created_as_user_with_attachments_and_page_gives_number(self):
        category = self.env["stueber.helpdesk.category"].search([], limit=1)
        self.login(self.teacher_a)
        response = self.post(
            "/my/tickets/new",
            {
                "name": "Tafel-PC startet nicht",
                "description": "Bildschirm bleibt schwarz",
                "category_id": str(category.id),
                "callback_requested": "1",
                "phone": "+49 30 1234",
                "callback_time": "vormittags",
            },
            files=[
                ("attachments", ("screen-1.png", PNG, "image/png")),
                ("attachments", ("log.txt", b"x", "text/plain")),
            ],
        )
        self.assertEqual(response.status_code, 303)
        ticket = self.env["stueber.helpdesk.ticket"].search([("name", "=", "Tafel-PC startet nicht")])
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(ticket.institution_id, self.school_a)
        self.assertEqual(ticket.channel, "portal")
        self.assertEqual(ticket.create_uid, self.teacher_a, "created as the user, not as superuser")
        self.assertEqual(ticket.category_id, category)
        self.assertTrue(ticket.callback_requested)
        self.assertEqual((ticket.phone, ticket.callback_time), ("+49 30 1234", "vormittags"))
        self.assertIn("Bildschirm bleibt schwarz", ticket.description)
        self.assertIn(f"/my/tickets/{ticket.id}?created=1", response.headers["Location"])

        page = self.tree(self.get_page(f"/my/tickets/{ticket.id}?created=1"))
        self.assertIn(ticket.number, page.xpath("//*[hasclass('o_stueber_ticket_created')]")[0].text_content())
        thumbnails = page.xpath("//img[hasclass('o_stueber_thumbnail')]")
        self.assertEqual([img.get("alt") for img in thumbnails], ["screen-1.png"])
        self.assertEqual(len(page.xpath("//ul[hasclass('o_stueber_attachments')]/li")), 2)

    def test_attachment_over_size_limit_is_refused_and_entered_values_kept(self):
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.attachment_max_mb", "1")
        self.login(self.teacher_a)
        response = self.post(
            "/my/tickets/new",
            {"name": "Großer Anhang", "description": "Siehe Video", "callback_time": "nachmittags"},
            files=[("attachments", ("video.mp4", b"0" * (1024 * 1024 + 1), "video/mp4"))],
        )
        self.assertEqual(response.status_code, 200)
        page = self.tree(response)
        error = page.xpath("//*[hasclass('o_stueber_form_error')]")[0].text_content()
        self.assertIn('"video.mp4" is larger than 1 MB', error)
        self.assertEqual(page.xpath("//input[@name='name']/@value"), ["Großer Anhang"])
        self.assertEqual(page.xpath("//textarea[@name='description']")[0].text, "Siehe Video")
        self.assertEqual(page.xpath("//input[@name='callback_time']/@value"), ["nachmittags"])
        self.assertFalse(self.env["stueber.helpdesk.ticket"].search([("name", "=", "Großer Anhang")]))

    def test_new_ticket_without_subject_is_refused(self):
        self.login(self.teacher_a)
        response = self.post("/my/tickets/new", {"name": " ", "description": "nur Text"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Please enter a subject.", response.text)
        self.assertEqual(self.tree(response).xpath("//textarea[@name='description']")[0].text, "nur Text")

    def test_portal_user_cannot_choose_customer_or_stage_of_new_ticket(self):
        # a foreign institution_id is refused with a message (test_access_owner.TestSeveralInstitutions)
        self.login(self.teacher_a)
        self.post(
            "/my/tickets/new",
            {
                "name": "Untergeschoben",
                "partner_id": str(self.teacher_b.partner_id.id),
                "stage_id": str(self.env.ref("stueber_helpdesk.stage_solved").id),
            },
        )
        ticket = self.env["stueber.helpdesk.ticket"].search([("name", "=", "Untergeschoben")])
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(ticket.institution_id, self.school_a)
        self.assertEqual(ticket.stage_id, self.env.ref("stueber_helpdesk.stage_new"))

    # ------------------------------------------------------------
    # Ticket page
    # ------------------------------------------------------------

    def test_ticket_page_shows_facts_and_chatter_of_colleague_ticket(self):
        self.login(self.teacher_a)
        page = self.tree(self.get_page(f"/my/tickets/{self.ticket_colleague.id}"))
        facts = page.xpath("//dl[hasclass('o_stueber_ticket_facts')]")[0].text_content()
        for text in ("Received", "secretary_a", "Grundschule am See", "Created on", "Last update"):
            self.assertIn(text, facts)
        self.assertIn(self.ticket_colleague.number, page.xpath("//h1")[0].text_content())
        chatter = page.xpath("//div[@id='discussion']")[0]
        self.assertEqual(chatter.get("data-res_model"), "stueber.helpdesk.ticket")
        self.assertEqual(chatter.get("data-res_id"), str(self.ticket_colleague.id))
        self.assertEqual([h.tag for h in page.xpath("//main//h1 | //main//h2")][:1], ["h1"])

    def test_problem_solved_closes_and_reopen_reopens(self):
        self.login(self.teacher_a)
        response = self.post(f"/my/tickets/{self.ticket_a.id}/close")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.ticket_a.stage_id, self.env.ref("stueber_helpdesk.stage_solved"))
        self.assertTrue(self.ticket_a.closed_date)
        self.assertIn("o_stueber_reopen", self.get_page(f"/my/tickets/{self.ticket_a.id}").text)
        self.post(f"/my/tickets/{self.ticket_a.id}/reopen")
        self.assertEqual(self.ticket_a.stage_id, self.env.ref("stueber_helpdesk.stage_in_progress"))
        self.assertFalse(self.ticket_a.closed_date)

    def test_subject_and_description_editable_only_while_new(self):
        self.login(self.teacher_a)
        page = self.get_page(f"/my/tickets/{self.ticket_a.id}").text
        self.assertIn("o_stueber_edit_form", page)
        self.post(
            f"/my/tickets/{self.ticket_a.id}/edit", {"name": "Drucker im Lehrerzimmer", "description": "Papierstau"}
        )
        self.assertEqual(self.ticket_a.name, "Drucker im Lehrerzimmer")
        self.assertIn("Papierstau", self.ticket_a.description)

        self.ticket_a.stage_id = self.env.ref("stueber_helpdesk.stage_in_progress")
        self.assertNotIn("o_stueber_edit_form", self.get_page(f"/my/tickets/{self.ticket_a.id}").text)
        self.post(f"/my/tickets/{self.ticket_a.id}/edit", {"name": "Zu spät"})
        self.assertEqual(self.ticket_a.name, "Drucker im Lehrerzimmer")

    def test_access_token_from_mail_opens_ticket_page_without_login(self):
        token = self.ticket_b._portal_ensure_token()
        page = self.get_page(f"/my/tickets/{self.ticket_b.id}?access_token={token}")
        self.assertIn("Passwort vergessen", page.text)
        self.assertIn(f'data-token="{token}"', page.text, "the chatter posts with the token")

    # ------------------------------------------------------------
    # Languages
    # ------------------------------------------------------------

    def test_ticket_list_renders_in_english_and_in_german_for_german_users(self):
        self.login(self.teacher_a)
        english = self.get_page("/my/tickets").text
        self.assertIn('lang="en-US"', english)
        self.assertIn("Tickets", english)
        self.assertIn("Search in number, subject and description", english)

        self.teacher_b.lang = "de_DE"
        self.login(self.teacher_b)
        response = self.url_open("/my/tickets")  # redirected to /de/my/tickets, German is not the default here
        self.assertEqual(response.status_code, 200)
        german = self.tree(response)
        self.assertEqual(german.get("lang"), "de-DE")
        self.assertTrue(german.xpath("//form[hasclass('o_stueber_ticket_search')]//label[@for='o_stueber_search']"))
        status = self.env.ref("stueber_helpdesk.stage_new").with_context(lang="de_DE").customer_status
        self.assertEqual(
            german.xpath("//tr[hasclass('o_stueber_ticket_row')]//span[hasclass('badge')]")[0].text, status
        )

    # ------------------------------------------------------------
    # Tour
    # ------------------------------------------------------------

    def test_tour_portal_user_creates_replies_closes_and_reopens_ticket(self):
        self.start_tour("/my", "stueber_helpdesk_portal_tour", login=self.teacher_a.login)
        ticket = self.env["stueber.helpdesk.ticket"].search([("name", "=", "Tafel-PC startet nicht")])
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(sorted(ticket._portal_document_attachments().mapped("name")), ["screen-1.png", "screen-2.png"])
        self.assertTrue(ticket.callback_requested)
        self.assertIn("ohne Erfolg", " ".join(ticket.message_ids.mapped("body")))
        self.assertEqual(ticket.stage_id, self.env.ref("stueber_helpdesk.stage_in_progress"))
