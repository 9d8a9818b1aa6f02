"""What a ticket's link opens, and what a portal user gets from Odoo's own
routes: what the customer may see, nothing internal. Each test is an attack,
named for it, through the real routes (``/mail/*``, ``/web/content``,
``/web/image``, ``/my/tickets``)."""

import re
from urllib.parse import parse_qs, urlparse

from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .mail_common import HelpdeskMailCase
from .test_portal import PNG, PortalHelpdeskCase

TICKET = "stueber.helpdesk.ticket"
# Everything the web client may ask of a thread (mail/static/src/core/common/thread_model.js).
ALL_THREAD_REQUESTS = [
    "activities",
    "attachments",
    "contact_fields",
    "display_name",
    "followers",
    "scheduledMessages",
    "suggestedRecipients",
]


@tagged("post_install", "-at_install")
class TestTrustLinks(PortalHelpdeskCase):
    """ticket_a of teacher_a with everything staff keeps to themselves:

    - ``note_file``: attached by the agent to an internal note;
    - ``staff_file``: attached by the agent to the ticket itself;
    - an activity with a note, a follower on staff's side, an address in copy;

    and what the customer side sees: ``answer_file`` of the agent's answer,
    ``customer_file`` the customer uploaded.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ticket = cls.ticket_a
        ticket.email_cc = "elternbeirat@school-a.example"
        Attachment = cls.env["ir.attachment"]
        as_agent = ticket.with_user(cls.agent)
        cls.note_file = Attachment.create({"name": "note.png", "raw": PNG, "res_model": TICKET, "res_id": ticket.id})
        as_agent.message_post(
            body="Kunde ist schwierig, siehe Screenshot",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            attachment_ids=cls.note_file.ids,
        )
        cls.answer_file = Attachment.create(
            {"name": "answer.png", "raw": PNG, "res_model": TICKET, "res_id": ticket.id}
        )
        as_agent.message_post(
            body="Bitte so einstellen", message_type="comment", subtype_xmlid="mail.mt_comment",
            attachment_ids=cls.answer_file.ids,
        )  # fmt: skip
        cls.staff_file = (
            Attachment.with_user(cls.agent).create(
                {"name": "staff.png", "raw": PNG, "res_model": TICKET, "res_id": ticket.id}
            )
        )  # fmt: skip
        cls.customer_file = ticket.with_user(cls.teacher_a)._portal_attach_files([("customer.png", PNG)])
        cls.activity = as_agent.activity_schedule(
            "mail.mail_activity_data_todo", summary="Rückruf", note="Kunde ist schwierig", user_id=cls.agent.id
        )
        ticket.message_subscribe(partner_ids=cls.manager.partner_id.ids)
        cls.internal_files = cls.note_file | cls.staff_file
        cls.token = ticket._portal_ensure_token()

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def thread_data(self, **access_params):
        """What ``/mail/data`` gives for ticket_a, asked for everything."""
        return self.make_jsonrpc_request(
            "/mail/data",
            {
                "fetch_params": [
                    [
                        "mail.thread",
                        {
                            "thread_model": TICKET,
                            "thread_id": self.ticket_a.id,
                            "request_list": ALL_THREAD_REQUESTS,
                            "access_params": access_params,
                        },
                    ]
                ]
            },
        )

    def assertNothingInternal(self, store):
        files = {row["name"] for row in store.get("ir.attachment", [])}
        self.assertTrue(files, "the customer's files are there")
        self.assertLessEqual(files, {"answer.png", "customer.png"})
        self.assertFalse(store.get("mail.activity"), "activities")
        self.assertNotIn("Kunde ist schwierig", str(store))
        self.assertFalse(store.get("mail.followers"), "followers")
        self.assertNotIn("elternbeirat@school-a.example", str(store), "suggested recipients")
        thread = next(row for row in store["mail.thread"] if row["id"] == self.ticket_a.id)
        for key in ("activities", "followers", "recipients", "suggestedRecipients", "scheduledMessages"):
            self.assertFalse(thread.get(key), key)

    def assertNotServed(self, url):
        response = self.url_open(url, allow_redirects=False)
        self.assertNotEqual(response.content, PNG, url)
        if not url.startswith("/web/image"):  # answers with a placeholder image
            self.assertIn(response.status_code, (303, 403, 404), url)

    def assertServedWithStoreTokens(self, store, names):
        """The files of ``store`` are ``names`` and download with their tokens."""
        rows = store.get("ir.attachment", [])
        self.assertEqual({row["name"] for row in rows}, names)
        for row in rows:
            url = f"/web/content/{row['id']}?access_token={row['raw_access_token']}"
            self.assertEqual(self.url_open(url).content, PNG, row["name"])

    # ------------------------------------------------------------
    # The web client's thread data (/mail/data)
    # ------------------------------------------------------------

    def test_link_holder_gets_no_internal_file_activity_follower_or_recipient_from_mail_data(self):
        store = self.thread_data(token=self.token)
        self.assertNothingInternal(store)

    def test_portal_customer_gets_no_internal_file_activity_follower_or_recipient_from_mail_data(self):
        self.login(self.teacher_a)
        self.assertNothingInternal(self.thread_data())

    def test_staff_still_get_all_files_activities_and_followers(self):
        self.login(self.agent)
        store = self.thread_data()
        files = {row["name"] for row in store["ir.attachment"]}
        self.assertEqual(files, {"note.png", "answer.png", "staff.png", "customer.png"})
        self.assertEqual([row["id"] for row in store["mail.activity"]], self.activity.ids)
        self.assertTrue(store["mail.followers"])

    @mute_logger("odoo.http")
    def test_portal_customer_gets_no_suggested_recipients(self):
        self.login(self.teacher_a)
        params = {"thread_model": TICKET, "thread_id": self.ticket_a.id}
        self.assertEqual(self.make_jsonrpc_request("/mail/thread/recipients", params), [])
        self.assertEqual(self.make_jsonrpc_request("/mail/thread/recipients/get_suggested_recipients", params), [])

    # ------------------------------------------------------------
    # Downloads (/web/content, /web/image, /mail/attachment/*)
    # ------------------------------------------------------------

    def test_link_holder_cannot_download_internal_note_file_with_the_token_odoo_hands_out(self):
        """The signed download token Odoo puts next to every file in the thread data."""
        for attachment in self.internal_files:
            token = attachment._get_raw_access_token()
            self.assertNotServed(f"/web/content/{attachment.id}?access_token={token}")
            self.assertNotServed(f"/web/image/{attachment.id}?access_token={token}")
            self.assertNotServed(f"/web/content/ir.attachment/{attachment.id}/raw?access_token={token}")

    def test_link_holder_cannot_download_internal_file_with_its_own_access_token(self):
        self.internal_files.generate_access_token()
        for attachment in self.internal_files:
            self.assertNotServed(f"/web/content/{attachment.id}?access_token={attachment.access_token}")
            self.assertNotServed(f"/web/image/{attachment.id}/160x120?access_token={attachment.access_token}")

    def test_portal_customer_cannot_download_internal_files_by_id(self):
        self.login(self.teacher_a)
        for attachment in self.internal_files:
            self.assertNotServed(f"/web/content/{attachment.id}")
            self.assertNotServed(f"/web/image/{attachment.id}")
            self.assertNotServed(f"/mail/attachment/pdf_first_page/{attachment.id}")

    def test_activity_file_is_not_served_to_link_holder(self):
        activity_file = self.env["ir.attachment"].create(
            {"name": "activity.png", "raw": PNG, "res_model": "mail.activity", "res_id": self.activity.id}
        )
        self.assertNotServed(f"/web/content/{activity_file.id}?access_token={activity_file._get_raw_access_token()}")

    @mute_logger("odoo.http")
    def test_portal_customer_cannot_zip_internal_files(self):
        self.login(self.teacher_a)
        ids = ",".join(str(i) for i in (self.internal_files | self.answer_file).ids)
        response = self.post("/mail/attachment/zip", {"file_ids": ids, "zip_name": "all.zip"})
        self.assertNotIn(b"note.png", response.content)
        self.assertNotIn(b"staff.png", response.content)

    def test_portal_customer_cannot_read_internal_files_over_rpc(self):
        self.login(self.teacher_a)
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": "ir.attachment", "method": "read", "args": [self.note_file.ids, ["raw"]], "kwargs": {}},
            )

    def test_customer_and_link_holder_get_the_files_of_answers_and_their_own_uploads(self):
        self.assertServedWithStoreTokens(self.thread_data(token=self.token), {"answer.png", "customer.png"})
        self.login(self.teacher_a)
        self.assertServedWithStoreTokens(self.thread_data(), {"answer.png", "customer.png"})

    def test_file_staff_post_in_an_answer_becomes_visible(self):
        self.ticket_a.with_user(self.agent).message_post(
            body="Hier die Anleitung", message_type="comment", subtype_xmlid="mail.mt_comment",
            attachment_ids=self.staff_file.ids,
        )  # fmt: skip
        self.login(self.teacher_a)
        self.assertServedWithStoreTokens(self.thread_data(), {"answer.png", "customer.png", "staff.png"})

    # ------------------------------------------------------------
    # Chatter messages
    # ------------------------------------------------------------

    @mute_logger("odoo.http")
    def test_link_holder_cannot_react_to_or_edit_an_internal_note(self):
        note = self.ticket_a.message_ids.filtered(lambda m: "Kunde ist schwierig" in (m.body or ""))
        self.assertEqual(len(note), 1)
        requests = {
            "/mail/message/reaction": {"message_id": note.id, "content": "👍", "action": "add"},
            "/mail/message/update_content": {"message_id": note.id, "update_data": {"body": "Gelesen"}},
        }
        for route, params in requests.items():
            with self.assertRaises(JsonRpcException, msg=route):
                self.make_jsonrpc_request(route, {**params, "token": self.token})
        self.assertFalse(note.reaction_ids)
        self.assertIn("Kunde ist schwierig", note.body)

    def test_link_holder_cannot_learn_who_wrote_an_internal_note_from_its_avatar(self):
        """The attack: probing message ids on Odoo's portal avatar route with a
        ticket's link. An internal note answers with the placeholder."""
        note = self.ticket_a.message_ids.filtered(lambda m: "Kunde ist schwierig" in (m.body or ""))
        answer = self.ticket_a.message_ids.filtered(lambda m: "Bitte so einstellen" in (m.body or ""))

        def avatar(message, token):
            url = f"/mail/avatar/mail.message/{message.id}/author_avatar/50x50"
            return self.url_open(f"{url}?access_token={token}" if token else url).content

        placeholder = avatar(note, None)  # what Odoo answers without a link
        self.assertEqual(avatar(note, self.token), placeholder)
        self.assertNotEqual(avatar(answer, self.token), placeholder, "the agent's avatar on the answer")

    def test_portal_customer_gets_no_internal_note_or_its_file_from_thread_messages(self):
        self.login(self.teacher_a)
        result = self.make_jsonrpc_request(
            "/mail/thread/messages", {"thread_model": TICKET, "thread_id": self.ticket_a.id}
        )
        self.assertNotIn("Kunde ist schwierig", str(result))
        self.assertNotIn("note.png", str(result))
        self.assertIn("answer.png", str(result))

    def test_link_holder_gets_no_internal_note_from_portal_chatter(self):
        result = self.make_jsonrpc_request(
            "/mail/chatter_fetch", {"thread_model": TICKET, "thread_id": self.ticket_a.id, "token": self.token}
        )
        self.assertNotIn("Kunde ist schwierig", str(result))
        self.assertNotIn("note.png", str(result))
        self.assertIn("answer.png", str(result))


def link_params(url):
    """The query of a link as a flat dict."""
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


@tagged("post_install", "-at_install")
class TestTrustLinksOpen(PortalHelpdeskCase):
    """What a link opens: read-only plus answering, for as long as its
    partner receives the ticket's mail; changes need a login."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token = cls.ticket_a._portal_ensure_token()
        cls.stage_new = cls.env.ref("stueber_helpdesk.stage_new")

    def own_link(self, partner):
        """``partner``'s link as the mail gives it, relative."""
        url = urlparse(self.ticket_a._stueber_link_url(partner))
        return f"{url.path}?{url.query}"

    def public_csrf_token(self):
        """A CSRF token of the logged-out session (from the login form)."""
        return re.search(r'name="csrf_token" value="([^"]+)"', self.url_open("/web/login").text).group(1)

    def post_as_link_holder(self, url, data):
        return self.url_open(url, data={**data, "csrf_token": self.public_csrf_token()}, allow_redirects=False)

    def assertOpens(self, url):
        page = self.url_open(url, allow_redirects=False)
        self.assertEqual(page.status_code, 200, url)
        self.assertIn(self.ticket_a.name, page.text)
        return page

    def assertDoesNotOpen(self, url):
        page = self.url_open(url, allow_redirects=False)
        self.assertEqual(page.status_code, 303, "logged out: log in first")
        self.assertNotIn(self.ticket_a.name, page.text)

    def assertUnchanged(self):
        self.ticket_a.invalidate_recordset()
        self.assertEqual(self.ticket_a.stage_id, self.stage_new)
        self.assertEqual(self.ticket_a.name, "Drucker druckt nicht")

    # ------------------------------------------------------------
    # Own links
    # ------------------------------------------------------------

    def test_own_link_opens_the_ticket_read_only_with_a_login_hint(self):
        link = self.own_link(self.teacher_a.partner_id)
        self.assertNotIn("access_token", link)
        page = self.tree(self.assertOpens(link))
        self.assertFalse(page.xpath("//form[contains(@action, '/close')]"), "no close button")
        self.assertFalse(page.xpath("//form[hasclass('o_stueber_edit_form')]"), "no edit form")
        self.assertTrue(page.xpath("//*[hasclass('o_stueber_login_hint')]"))
        params = link_params(link)
        self.assertTrue(page.xpath(f"//*[@data-pid='{params['pid']}'][@data-hash='{params['hash']}']"))

    def test_removed_follower_link_stops_opening_the_ticket(self):
        follower = self.teacher_b.partner_id  # another institution's teacher, added by staff
        self.ticket_a.message_subscribe(partner_ids=follower.ids)
        link = self.own_link(follower)
        self.assertOpens(link)
        self.ticket_a.message_unsubscribe(partner_ids=follower.ids)
        self.assertDoesNotOpen(link)
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": TICKET,
                    "thread_id": self.ticket_a.id,
                    "post_data": {"body": "Noch da?", "message_type": "comment"},
                    **link_params(link),
                },
            )

    def test_link_signed_for_someone_else_opens_nothing(self):
        params = link_params(self.own_link(self.teacher_a.partner_id))
        self.assertDoesNotOpen(
            f"/my/tickets/{self.ticket_a.id}?pid={self.teacher_b.partner_id.id}&hash={params['hash']}"
        )
        self.assertDoesNotOpen(f"/my/tickets/{self.ticket_b.id}?pid={params['pid']}&hash={params['hash']}")

    def test_link_holder_answers_as_the_links_partner(self):
        link_params_ = link_params(self.own_link(self.teacher_a.partner_id))
        result = self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": TICKET,
                "thread_id": self.ticket_a.id,
                "post_data": {"body": "Geht wieder, danke", "message_type": "comment"},
                **link_params_,
            },
        )
        message = self.env["mail.message"].browse(result["message_id"])
        self.assertEqual(message.author_id, self.teacher_a.partner_id)

    def test_link_holder_reads_the_conversation_with_an_own_link(self):
        answer = self.ticket_a.message_post(
            body="Bitte Drucker neu starten", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        note = self.ticket_a.message_post(body="Interna", message_type="comment", subtype_xmlid="mail.mt_note")
        result = self.make_jsonrpc_request(
            "/mail/chatter_fetch",
            {
                "thread_model": TICKET,
                "thread_id": self.ticket_a.id,
                **link_params(self.own_link(self.teacher_a.partner_id)),
            },
        )
        self.assertIn(answer.id, result["messages"])
        self.assertNotIn(note.id, result["messages"])

    def test_tour_link_holder_reads_and_answers_but_cannot_close(self):
        self.ticket_a.message_post(
            body="Bitte Drucker neu starten", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.ticket_a.message_post(body="Kunde ist schwierig", message_type="comment", subtype_xmlid="mail.mt_note")
        self.start_tour(self.own_link(self.teacher_a.partner_id), "stueber_helpdesk_link_tour")
        answer = self.ticket_a.message_ids.filtered(lambda m: "Der Drucker geht wieder" in (m.body or ""))
        self.assertEqual(answer.author_id, self.teacher_a.partner_id, "filed in the link's partner's name")
        self.assertFalse(self.ticket_a.is_closed)

    # ------------------------------------------------------------
    # Changes need a login
    # ------------------------------------------------------------

    def test_link_holder_cannot_close_reopen_or_edit_the_ticket(self):
        for params in ({"access_token": self.token}, link_params(self.own_link(self.teacher_a.partner_id))):
            for action in ("close", "edit"):
                response = self.post_as_link_holder(
                    f"/my/tickets/{self.ticket_a.id}/{action}", {**params, "name": "Gekapert"}
                )
                self.assertEqual(response.status_code, 303, action)
                self.assertIn("/web/login", response.headers["Location"])
            self.assertUnchanged()
        self.ticket_a.stage_id = self.env.ref("stueber_helpdesk.stage_solved")
        response = self.post_as_link_holder(f"/my/tickets/{self.ticket_a.id}/reopen", {"access_token": self.token})
        self.assertIn("/web/login", response.headers["Location"])
        self.assertTrue(self.ticket_a.is_closed)

    def test_portal_user_with_a_forwarded_link_cannot_close_or_edit_the_ticket(self):
        self.login(self.teacher_b)
        self.assertOpens(f"/my/tickets/{self.ticket_a.id}?access_token={self.token}")
        for action in ("close", "edit"):
            response = self.post(f"/my/tickets/{self.ticket_a.id}/{action}", {"access_token": self.token, "name": "X"})
            self.assertEqual(response.status_code, 404, action)
        self.assertUnchanged()

    def test_customer_logged_in_still_closes_and_edits(self):
        self.login(self.teacher_a)
        self.post(f"/my/tickets/{self.ticket_a.id}/edit", {"name": "Drucker im Lehrerzimmer", "description": "Neu"})
        self.assertEqual(self.ticket_a.name, "Drucker im Lehrerzimmer")
        self.post(f"/my/tickets/{self.ticket_a.id}/close")
        self.assertTrue(self.ticket_a.is_closed)

    @mute_logger("odoo.http")
    def test_follower_outside_the_institution_cannot_close_over_rpc(self):
        self.ticket_a.message_subscribe(partner_ids=self.teacher_b.partner_id.ids)
        self.login(self.teacher_b)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": TICKET, "method": "action_customer_close", "args": [self.ticket_a.ids], "kwargs": {}},
            )
        self.assertUnchanged()

    # ------------------------------------------------------------
    # Tracking of subject and description
    # ------------------------------------------------------------

    def test_customer_changing_the_description_is_logged_in_the_chatter(self):
        self.ticket_a.description = "<p>Drucker druckt leere Seiten</p>"
        self.login(self.teacher_a)
        self.post(f"/my/tickets/{self.ticket_a.id}/edit", {"name": "Drucker", "description": "Toner leer"})
        logged = self.ticket_a.message_ids.filtered(lambda m: "Toner leer" in (m.body or ""))
        self.assertEqual(len(logged), 1)
        self.assertIn("Drucker druckt leere Seiten", logged.body, "the text before the change")
        self.assertEqual(logged.author_id, self.teacher_a.partner_id)
        tracked = self.ticket_a.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "name")
        self.assertEqual(tracked[:1].new_value_char, "Drucker")

    # ------------------------------------------------------------
    # The shared token is staff's
    # ------------------------------------------------------------

    @mute_logger("odoo.http")
    def test_portal_user_cannot_read_or_search_the_shared_token(self):
        self.login(self.teacher_a)
        for method, args in (
            ("read", [self.ticket_a.ids, ["access_token"]]),
            ("search", [[("access_token", "=", self.token)]]),
        ):
            with self.assertRaises(JsonRpcException, msg=method):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw", {"model": TICKET, "method": method, "args": args, "kwargs": {}}
                )

    def test_staff_read_the_shared_token(self):
        self.assertEqual(self.ticket_a.with_user(self.agent).access_token, self.token)

    def test_portal_user_posting_notifies_and_opens_links_without_the_token(self):
        """Odoo's own paths read the token as the user: notifications of a
        portal user's message, and /mail/view redirecting to the portal."""
        self.ticket_a.message_subscribe(partner_ids=self.secretary_a.partner_id.ids)
        self.login(self.teacher_a)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": TICKET,
                "thread_id": self.ticket_a.id,
                "post_data": {"body": "Noch eine Frage", "message_type": "comment"},
            },
        )
        response = self.url_open(f"/mail/view?model={TICKET}&res_id={self.ticket_a.id}", allow_redirects=False)
        self.assertIn(f"/my/tickets/{self.ticket_a.id}", response.headers["Location"])
        self.assertNotIn(self.token, response.headers["Location"])


@tagged("post_install", "-at_install")
class TestTrustMailLinks(HelpdeskMailCase):
    """Each recipient's mail carries their own link, never the shared token."""

    def test_status_mail_gives_each_recipient_their_own_link(self):
        ticket = self.ticket_a.with_env(self.env)  # with tracking
        ticket.message_subscribe(partner_ids=(self.secretary_a | self.teacher_b).partner_id.ids)
        token = ticket._portal_ensure_token()
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).stage_id = self.env.ref("stueber_helpdesk.stage_in_progress")
            self.send_queue()
        for user in (self.teacher_a, self.secretary_a, self.teacher_b):
            mails = self.sent_to(user.partner_id)
            self.assertEqual(len(mails), 1, user.login)
            body = mails[0]["body"].replace("&amp;", "&")
            self.assertIn(ticket._stueber_link_url(user.partner_id), body, user.login)
            self.assertNotIn(token, body, user.login)
            others = (self.teacher_a | self.secretary_a | self.teacher_b) - user
            for other in others:
                self.assertNotIn(f"pid={other.partner_id.id}&", body, f"{user.login} gets no link of {other.login}")

    def test_staff_answer_gives_the_customer_their_own_link(self):
        ticket = self.ticket_a.with_env(self.env)
        token = ticket._portal_ensure_token()
        with self.mock_mail_gateway():
            ticket.with_user(self.agent).message_post(
                body="Bitte neu starten", message_type="comment", subtype_xmlid="mail.mt_comment",
                partner_ids=self.teacher_a.partner_id.ids,
            )  # fmt: skip
            self.send_queue()
        body = self.sent_to(self.teacher_a.partner_id)[0]["body"].replace("&amp;", "&")
        self.assertIn(ticket._stueber_link_url(self.teacher_a.partner_id), body)
        self.assertNotIn(token, body)
