"""Each test is an attack on the customer portal, named for it, and what stops it."""

from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .test_portal import PNG, PortalHelpdeskCase

TICKET = "stueber.helpdesk.ticket"


@tagged("post_install", "-at_install")
class TestPortalAttacks(PortalHelpdeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.attachment_a = (
            cls.env["ir.attachment"]
            .with_user(cls.teacher_a)
            .sudo()
            .create({"name": "secret.png", "raw": PNG, "res_model": TICKET, "res_id": cls.ticket_a.id})
        )
        cls.attachment_a.generate_access_token()
        cls.missing_id = cls.env[TICKET].search([], order="id desc", limit=1).id + 1000

    def assertAnsweredLikeMissingTicket(self, url):
        """``url`` opens ticket_a; answered exactly as the same URL for an id that does not exist."""
        forbidden = self.url_open(url, allow_redirects=False)
        missing_url = url.replace(f"/my/tickets/{self.ticket_a.id}", f"/my/tickets/{self.missing_id}")
        missing = self.url_open(missing_url, allow_redirects=False)
        self.assertIn(forbidden.status_code, (303, 404), url)
        self.assertEqual(forbidden.status_code, missing.status_code, url)
        self.assertEqual(
            forbidden.headers.get("Location", "").replace(f"/my/tickets/{self.ticket_a.id}", "/my/tickets/ID"),
            missing.headers.get("Location", "").replace(f"/my/tickets/{self.missing_id}", "/my/tickets/ID"),
        )
        self.assertNotIn(self.ticket_a.name, forbidden.text)
        self.assertNotIn(self.ticket_a.number, forbidden.text)

    # ------------------------------------------------------------
    # Ticket page by id or token
    # ------------------------------------------------------------

    def test_member_of_other_institution_opening_ticket_page_by_id_gets_not_found(self):
        self.login(self.teacher_b)
        self.assertAnsweredLikeMissingTicket(f"/my/tickets/{self.ticket_a.id}")

    def test_forged_access_token_is_answered_like_a_missing_ticket(self):
        self.ticket_a._portal_ensure_token()
        self.assertAnsweredLikeMissingTicket(f"/my/tickets/{self.ticket_a.id}?access_token=forged-token")
        self.login(self.teacher_b)
        self.assertAnsweredLikeMissingTicket(f"/my/tickets/{self.ticket_a.id}?access_token=")

    def test_foreign_tickets_access_token_is_answered_like_a_missing_ticket(self):
        token_b = self.ticket_b._portal_ensure_token()
        self.ticket_a._portal_ensure_token()
        self.assertAnsweredLikeMissingTicket(f"/my/tickets/{self.ticket_a.id}?access_token={token_b}")

    def test_pending_member_cannot_open_colleague_ticket(self):
        self.login(self.newcomer_a)
        self.assertAnsweredLikeMissingTicket(f"/my/tickets/{self.ticket_a.id}")

    # ------------------------------------------------------------
    # Mutations
    # ------------------------------------------------------------

    def test_member_of_other_institution_cannot_close_reopen_or_edit_ticket(self):
        self.login(self.teacher_b)
        for action in ("close", "reopen", "edit"):
            response = self.post(f"/my/tickets/{self.ticket_a.id}/{action}", {"name": "Gekapert"})
            self.assertEqual(response.status_code, 404, action)
        self.assertEqual(self.ticket_a.stage_id, self.env.ref("stueber_helpdesk.stage_new"))
        self.assertEqual(self.ticket_a.name, "Drucker druckt nicht")

    @mute_logger("odoo.http")
    def test_post_without_csrf_token_is_refused_on_every_mutating_route(self):
        self.login(self.teacher_a)
        count = self.env[TICKET].search_count([])
        routes = {
            "/my/tickets/new": {"name": "Ohne CSRF"},
            f"/my/tickets/{self.ticket_a.id}/close": {},
            f"/my/tickets/{self.ticket_a.id}/reopen": {},
            f"/my/tickets/{self.ticket_a.id}/edit": {"name": "Ohne CSRF"},
        }
        for url, data in routes.items():
            for token in (None, "forged"):
                payload = dict(data, csrf_token=token) if token else dict(data, dummy="1")
                response = self.post(url, payload, csrf=False)
                self.assertEqual(response.status_code, 400, f"{url} with token {token}")
        self.assertEqual(self.env[TICKET].search_count([]), count)
        self.assertEqual(self.ticket_a.stage_id, self.env.ref("stueber_helpdesk.stage_new"))
        self.assertEqual(self.ticket_a.name, "Drucker druckt nicht")

    def test_mutating_routes_refuse_get(self):
        self.login(self.teacher_a)
        for action in ("close", "reopen", "edit"):
            response = self.url_open(f"/my/tickets/{self.ticket_a.id}/{action}", allow_redirects=False)
            self.assertEqual(response.status_code, 405, action)
        self.assertEqual(self.ticket_a.stage_id, self.env.ref("stueber_helpdesk.stage_new"))

    # ------------------------------------------------------------
    # Attachments
    # ------------------------------------------------------------

    def test_foreign_ticket_attachment_is_not_served_by_web_content(self):
        self.login(self.teacher_b)
        response = self.url_open(f"/web/content/{self.attachment_a.id}", allow_redirects=False)
        self.assertIn(response.status_code, (403, 404))
        self.assertNotEqual(response.content, PNG)
        response = self.url_open(f"/web/content/{self.attachment_a.id}?access_token=forged", allow_redirects=False)
        self.assertNotEqual(response.content, PNG)

    def test_foreign_ticket_attachment_is_not_served_by_web_image(self):
        self.login(self.teacher_b)
        for url in (f"/web/image/{self.attachment_a.id}", f"/web/image/{self.attachment_a.id}/160x120"):
            response = self.url_open(url, allow_redirects=False)
            self.assertNotEqual(response.content, PNG, url)

    def test_own_ticket_attachment_is_served_by_the_link_on_the_ticket_page(self):
        self.login(self.teacher_a)
        page = self.tree(self.get_page(f"/my/tickets/{self.ticket_a.id}"))
        link = page.xpath("//ul[hasclass('o_stueber_attachments')]//a/@href")[0]
        self.assertEqual(self.url_open(link).content, PNG)

    # ------------------------------------------------------------
    # Portal chatter
    # ------------------------------------------------------------

    @mute_logger("odoo.http")
    def test_portal_chatter_post_on_foreign_ticket_is_refused(self):
        self.login(self.teacher_b)
        before = len(self.ticket_a.message_ids)
        for extra in ({}, {"token": "forged"}):
            with self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    "/mail/message/post",
                    {
                        "thread_model": TICKET,
                        "thread_id": self.ticket_a.id,
                        "post_data": {"body": "Eingeschleust", "message_type": "comment"},
                        **extra,
                    },
                )
        self.ticket_a.invalidate_recordset(["message_ids"])
        self.assertEqual(len(self.ticket_a.message_ids), before)

    @mute_logger("odoo.http")
    def test_portal_chatter_fetch_of_foreign_ticket_is_refused(self):
        note = self.ticket_a.message_post(body="Interna", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.login(self.teacher_b)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request("/mail/chatter_fetch", {"thread_model": TICKET, "thread_id": self.ticket_a.id})
        result = self.make_jsonrpc_request(
            "/mail/thread/messages", {"thread_model": TICKET, "thread_id": self.ticket_a.id}
        )
        self.assertNotIn(note.id, result["messages"])

    def test_internal_notes_never_reach_the_portal_chatter(self):
        public = self.ticket_a.message_post(
            body="Wir kümmern uns", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        note = self.ticket_a.message_post(body="Kunde nervt", message_type="comment", subtype_xmlid="mail.mt_note")
        self.login(self.teacher_a)
        result = self.make_jsonrpc_request(
            "/mail/chatter_fetch", {"thread_model": TICKET, "thread_id": self.ticket_a.id}
        )
        self.assertIn(public.id, result["messages"])
        self.assertNotIn(note.id, result["messages"])
        result = self.make_jsonrpc_request(
            "/mail/thread/messages", {"thread_model": TICKET, "thread_id": self.ticket_a.id}
        )
        self.assertNotIn(note.id, result["messages"])

    def test_own_ticket_chatter_post_works(self):
        self.login(self.teacher_a)
        result = self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": TICKET,
                "thread_id": self.ticket_a.id,
                "post_data": {"body": "Danke!", "message_type": "comment"},
            },
        )
        message = self.env["mail.message"].browse(result["message_id"])
        self.assertEqual(message.author_id, self.teacher_a.partner_id)
        self.assertEqual((message.model, message.res_id), (TICKET, self.ticket_a.id))

    # ------------------------------------------------------------
    # JSON-RPC and list filters
    # ------------------------------------------------------------

    def test_call_kw_search_read_as_portal_returns_only_allowed_tickets(self):
        self.login(self.teacher_b)
        rows = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": TICKET, "method": "search_read", "args": [[]], "kwargs": {"fields": ["name", "partner_id"]}},
        )
        self.assertEqual([row["id"] for row in rows], [self.ticket_b.id])
        rows = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": TICKET,
                "method": "search_read",
                "args": [[("id", "in", [self.ticket_a.id, self.ticket_colleague.id])]],
                "kwargs": {"fields": ["name"]},
            },
        )
        self.assertEqual(rows, [])

    @mute_logger("odoo.http")
    def test_call_kw_customer_close_on_foreign_ticket_is_refused(self):
        self.login(self.teacher_b)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": TICKET, "method": "action_customer_close", "args": [[self.ticket_a.id]], "kwargs": {}},
            )
        self.assertFalse(self.ticket_a.is_closed)

    def test_unverified_member_filtering_my_institution_sees_no_colleague_tickets(self):
        self.login(self.newcomer_a)
        for filterby in ("institution", "all", "open"):
            page = self.get_page(f"/my/tickets?filterby={filterby}").text
            self.assertNotIn("Drucker druckt nicht", page, filterby)
            self.assertNotIn("Beamer flackert", page, filterby)
        self.assertNotIn("Wie melde ich mich an?", self.get_page("/my/tickets?filterby=institution").text)
        self.assertIn("Wie melde ich mich an?", self.get_page("/my/tickets?filterby=mine").text)

    # ------------------------------------------------------------
    # Keeping access after leaving the institution
    # ------------------------------------------------------------

    def call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        )

    def test_member_cannot_follow_colleague_tickets_to_keep_them_after_leaving(self):
        self.login(self.teacher_a)
        self.assertFalse(
            self.call_kw(TICKET, "message_subscribe", [[self.ticket_colleague.id], [self.teacher_a.partner_id.id]])
        )
        self.assertNotIn(self.teacher_a.partner_id, self.ticket_colleague.message_partner_ids)

    def test_tokens_kept_from_membership_stop_working_once_rejected(self):
        """Tickets and their files were readable with their tokens while a member."""
        self.ticket_colleague._portal_ensure_token()
        attachment = self.env["ir.attachment"].create(
            {"name": "plan.png", "raw": PNG, "res_model": TICKET, "res_id": self.ticket_colleague.id}
        )
        attachment.generate_access_token()
        kept = {"ticket": self.ticket_colleague.access_token, "file": attachment.access_token}
        self.env["stueber.helpdesk.membership"].search(
            [("partner_id", "=", self.teacher_a.partner_id.id)]
        ).action_reject()
        page = self.url_open(
            f"/my/tickets/{self.ticket_colleague.id}?access_token={kept['ticket']}", allow_redirects=False
        )
        self.assertNotIn(self.ticket_colleague.name, page.text)
        self.assertEqual(page.status_code, 303, "logged out with an old link: log in first")
        file = self.url_open(f"/web/content/{attachment.id}?access_token={kept['file']}", allow_redirects=False)
        self.assertNotEqual(file.content, PNG)

    def test_rejected_member_loses_followed_colleague_ticket_and_its_mail_links(self):
        self.ticket_colleague.message_subscribe(partner_ids=self.teacher_a.partner_id.ids)  # staff added them
        old_token = self.ticket_colleague._portal_ensure_token()
        self.env["stueber.helpdesk.membership"].search(
            [("partner_id", "=", self.teacher_a.partner_id.id)]
        ).action_reject()
        self.assertNotIn(self.teacher_a.partner_id, self.ticket_colleague.message_partner_ids)
        self.assertNotEqual(self.ticket_colleague.access_token, old_token)
        self.login(self.teacher_a)
        self.get_page(f"/my/tickets/{self.ticket_colleague.id}", 404)
        self.logout()
        page = self.url_open(f"/my/tickets/{self.ticket_colleague.id}?access_token={old_token}", allow_redirects=False)
        self.assertNotIn(self.ticket_colleague.name, page.text)
        self.login(self.teacher_a)
        self.get_page(f"/my/tickets/{self.ticket_a.id}")  # their own ticket stays theirs

    def test_removed_member_loses_followed_colleague_ticket(self):
        self.ticket_colleague.message_subscribe(partner_ids=self.teacher_a.partner_id.ids)
        self.env["stueber.helpdesk.membership"].search([("partner_id", "=", self.teacher_a.partner_id.id)]).unlink()
        self.assertNotIn(self.teacher_a.partner_id, self.ticket_colleague.message_partner_ids)
        self.login(self.teacher_a)
        self.get_page(f"/my/tickets/{self.ticket_colleague.id}", 404)

    @mute_logger("odoo.http")
    def test_follower_from_another_institution_cannot_read_its_customer_number(self):
        """The number would let them register as a member of that institution."""
        self.ticket_a.message_subscribe(partner_ids=self.teacher_b.partner_id.ids)
        self.login(self.teacher_b)
        self.assertTrue(self.call_kw(TICKET, "read", [[self.ticket_a.id], ["name"]]))
        with self.assertRaises(JsonRpcException):
            self.call_kw(TICKET, "read", [[self.ticket_a.id], ["customer_number"]])

    def test_follower_from_another_institution_cannot_guess_customer_number_by_searching(self):
        self.ticket_a.message_subscribe(partner_ids=self.teacher_b.partner_id.ids)
        self.login(self.teacher_b)
        for digit in "0123456789":
            domain = [("id", "=", self.ticket_a.id), ("customer_number", "=like", f"{digit}%")]
            self.assertEqual(self.call_kw(TICKET, "search_count", [domain]), 0, digit)

    def test_rejected_member_loses_archived_colleague_ticket_once_restored(self):
        self.ticket_colleague.message_subscribe(partner_ids=self.teacher_a.partner_id.ids)
        old_token = self.ticket_colleague._portal_ensure_token()
        self.ticket_colleague.active = False
        self.env["stueber.helpdesk.membership"].search(
            [("partner_id", "=", self.teacher_a.partner_id.id)]
        ).action_reject()
        self.ticket_colleague.active = True
        self.assertNotIn(self.teacher_a.partner_id, self.ticket_colleague.message_partner_ids)
        self.assertNotEqual(self.ticket_colleague.access_token, old_token)

    def test_ticket_moved_to_another_institution_renews_its_tokens(self):
        """Members of the old institution may have kept them."""
        old_token = self.ticket_colleague._portal_ensure_token()
        self.ticket_colleague.institution_id = self.school_b
        page = self.url_open(f"/my/tickets/{self.ticket_colleague.id}?access_token={old_token}", allow_redirects=False)
        self.assertNotIn(self.ticket_colleague.name, page.text)
