from odoo.tests import tagged
from odoo.tools import SQL

from .test_portal import PortalHelpdeskCase

TICKET = "stueber.helpdesk.ticket"


@tagged("post_install", "-at_install")
class TestPortalQueries(PortalHelpdeskCase):
    """The portal pages cost the same number of queries at 10 and at 1,000
    tickets, and the portal rule is answered from indexes."""

    def _create_tickets(self, count, partner):
        self.env[TICKET].create([{"name": f"Frage {i}", "partner_id": partner.id} for i in range(count)])
        self.env.flush_all()

    def _query_count(self, url):
        """Queries of one request, after two warm-up requests fill the caches."""
        self.url_open(url)
        self.url_open(url)
        before = self.cr.sql_log_count
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return self.cr.sql_log_count - before

    def _badge_query_count(self):
        for _warm_up in range(2):
            self.make_jsonrpc_request("/my/counters", {"counters": ["ticket_count"]})
        before = self.cr.sql_log_count
        result = self.make_jsonrpc_request("/my/counters", {"counters": ["ticket_count"]})
        return self.cr.sql_log_count - before, result["ticket_count"]

    def test_ticket_list_badge_and_page_run_constant_queries_at_10_and_1000_tickets(self):
        self.login(self.teacher_a)
        urls = ["/my/tickets", "/my/tickets?groupby=status&sortby=status", f"/my/tickets/{self.ticket_a.id}"]
        self._create_tickets(8, self.teacher_a.partner_id)  # with ticket_a and the colleague's: 10
        small = {url: self._query_count(url) for url in urls}
        small_badge, visible = self._badge_query_count()
        self.assertEqual(visible, 10)

        self._create_tickets(495, self.teacher_a.partner_id)
        self._create_tickets(495, self.secretary_a.partner_id)
        self._create_tickets(1000, self.teacher_b.partner_id)  # another school's, invisible
        large = {url: self._query_count(url) for url in urls}
        large_badge, visible = self._badge_query_count()
        self.assertEqual(visible, 1000)

        self.assertEqual(large, small)
        self.assertEqual(large_badge, small_badge)
        self.assertLessEqual(small["/my/tickets"], 25, "a handful of queries, not one per ticket")

    def test_portal_rule_is_answered_from_indexes(self):
        self._create_tickets(2000, self.teacher_b.partner_id)
        self._create_tickets(3, self.newcomer_a.partner_id)
        self.cr.execute("ANALYZE stueber_helpdesk_ticket")
        query = self.env[TICKET].with_user(self.newcomer_a)._search([], order="id desc", limit=80)
        self.cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in self.cr.fetchall())
        self.assertNotIn("Seq Scan on stueber_helpdesk_ticket", plan, plan)
        self.assertIn("stueber_helpdesk_ticket__partner_id_index", plan, plan)
