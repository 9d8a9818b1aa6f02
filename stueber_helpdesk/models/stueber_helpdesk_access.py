from contextlib import contextmanager

from odoo import api, models
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize

TICKET_MODEL = "stueber.helpdesk.ticket"
# What the SQL of effective memberships and followers reads: pending ORM writes go to the database first.
FLUSH_BEFORE_READING = {
    "stueber.helpdesk.membership": ["state", "partner_id", "institution_id", "is_institution_admin"],
    "stueber.helpdesk.institution": ["active"],
    "res.partner": ["email", "email_normalized", "stueber_confirmed_email", "active"],
    "res.users": ["active", "partner_id"],
    "mail.followers": ["res_model", "res_id", "partner_id"],
}


class StueberHelpdeskAccess(models.AbstractModel):
    """Who sees which tickets: the one owner of portal access.

    A person is an *effective member* of an institution when their
    membership is verified, their address confirmed, their user account and
    the institution active (``stueber.helpdesk.membership.is_effective``).
    A portal user reads the tickets they are the customer of, that they
    follow, and those of the institutions they are an effective member of.

    Nothing of this is computed in Python for the record rules or cached:
    the rules name the user's partner, and the membership and follower
    tables are asked at every search (the SQL below), so no write path can
    leave access stale and no change flushes a cache.

    What outlives access is ended here too (``_revoke``): a follower
    subscription (which opens a ticket and brings its mails), an address in
    ``Cc`` (which may answer by mail) and the tickets' shared tokens (links
    in mails someone kept). Every event that ends a role calls it: a
    membership that stops being effective (``_watch``), a follower removed,
    a ticket's customer changed or a ticket moved (``_watch_tickets``).
    """

    _name = "stueber.helpdesk.access"
    _description = "Helpdesk Access"

    # ------------------------------------------------------------
    # SQL: what the record rules ask PostgreSQL
    # ------------------------------------------------------------

    @api.model
    def _effective_membership_sql(self, alias):
        """The condition that the membership row ``alias`` is effective."""
        membership = SQL.identifier(alias)
        return SQL(
            """%(m)s.state = 'verified'
               AND EXISTS (SELECT 1 FROM stueber_helpdesk_institution i
                            WHERE i.id = %(m)s.institution_id AND i.active)
               AND EXISTS (SELECT 1 FROM res_partner p
                            WHERE p.id = %(m)s.partner_id AND p.email_normalized = p.stueber_confirmed_email)
               AND EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = %(m)s.partner_id AND u.active)""",
            m=membership,
        )

    @api.model
    def _effective_institutions_sql(self, partner_ids, admin=False):
        """The ids of the institutions ``partner_ids`` are effective members (or admins) of, as an array."""
        return SQL(
            """ARRAY(SELECT m.institution_id FROM stueber_helpdesk_membership m
                      WHERE m.partner_id = ANY(%(partners)s) AND %(effective)s %(admin)s)""",
            partners=list(partner_ids),
            effective=self._effective_membership_sql("m"),
            admin=SQL("AND m.is_institution_admin") if admin else SQL(),
        )

    @api.model
    def _ticket_readers_domain(self, partner_ids):
        """The tickets ``partner_ids`` read in the portal, as asked of PostgreSQL now.

        The effective institutions and the followed tickets are read in one
        query at every search (never cached, so never stale) and enter the
        ticket query as values: the planner then sees how few tickets each
        arm brings and answers from the indexes on partner_id, institution_id
        and id (a BitmapOr). A sub-select in their place hides that from it,
        and PostgreSQL walks the whole ticket table (benchmarks/explain_portal_rule.py).
        """
        partner_ids = list(partner_ids)
        for model, fnames in FLUSH_BEFORE_READING.items():
            self.env[model].flush_model(fnames)
        [(institution_ids, ticket_ids)] = self.env.execute_query(
            SQL(
                """SELECT %(institutions)s,
                          ARRAY(SELECT f.res_id FROM mail_followers f
                                 WHERE f.res_model = %(model)s AND f.partner_id = ANY(%(partners)s))""",
                institutions=self._effective_institutions_sql(partner_ids),
                model=TICKET_MODEL,
                partners=partner_ids,
            )
        )
        return (
            Domain("partner_id", "in", partner_ids)
            | Domain("institution_id", "in", institution_ids)
            | Domain("id", "in", ticket_ids)
        )

    @api.model
    def _effective_memberships(self, partner_ids):
        """{partner id: [(institution id, is admin)]} of the effective
        memberships of ``partner_ids``, in the memberships' order: one query,
        where reading them through the ORM takes three (memberships, their
        institutions, their persons' accounts)."""
        for model, fnames in FLUSH_BEFORE_READING.items():
            self.env[model].flush_model(fnames)
        rows = self.env.execute_query(
            SQL(
                """SELECT m.partner_id, m.institution_id, m.is_institution_admin
                     FROM stueber_helpdesk_membership m
                    WHERE m.partner_id = ANY(%s) AND %s
                 ORDER BY m.state DESC, m.create_date DESC, m.id DESC""",
                list(partner_ids),
                self._effective_membership_sql("m"),
            )
        )
        memberships = {}
        for partner_id, institution_id, admin in rows:
            memberships.setdefault(partner_id, []).append((institution_id, bool(admin)))
        return memberships

    # ------------------------------------------------------------
    # WATCH: what ends a role
    # ------------------------------------------------------------

    @api.model
    def _effective_pairs(self, partners):
        """{(partner id, institution id)} of the effective memberships of ``partners``."""
        if not partners:
            return set()
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                "SELECT m.partner_id, m.institution_id FROM stueber_helpdesk_membership m "
                "WHERE m.partner_id = ANY(%s) AND %s",
                partners.ids,
                self._effective_membership_sql("m"),
            )
        )
        return set(rows)

    @contextmanager
    def _watch(self, partners):
        """Whatever happens inside, a membership of ``partners`` that stops
        being effective ends the person's access to the institution's tickets."""
        partners = partners.sudo()
        before = self._effective_pairs(partners)
        yield
        lost = before - self._effective_pairs(partners.exists())
        Ticket = self.env[TICKET_MODEL].sudo().with_context(active_test=False)
        for partner_id, institution_id in lost:
            tickets = Ticket.search([("institution_id", "=", institution_id), ("partner_id", "!=", partner_id)])
            self._revoke(self.env["res.partner"].browse(partner_id), tickets)

    @contextmanager
    def _watch_tickets(self, tickets, vals):
        """A ticket that changes customer or institution (also when a new
        customer brings their institution along) ends the roles of its former
        customer and of the former institution's members."""
        if not {"partner_id", "institution_id"} & vals.keys():
            yield
            return
        before = {ticket: (ticket.partner_id, ticket.institution_id) for ticket in tickets.sudo()}
        yield
        for ticket, (customer, institution) in before.items():
            leaving = self.env["res.partner"]
            if ticket.partner_id != customer:
                leaving |= customer
            moved = institution and ticket.institution_id != institution
            if moved:
                leaving |= institution.effective_member_ids
            staying = ticket.partner_id | ticket.institution_id.effective_member_ids
            for partner in leaving - staying:
                self._revoke(partner, ticket)
            if moved:
                self._renew_tokens(ticket)  # anyone of the old institution may have kept a link

    # ------------------------------------------------------------
    # REVOKE: what outlives a role
    # ------------------------------------------------------------

    @api.model
    def _revoke(self, partner, tickets):
        """``partner`` no longer reads ``tickets`` by a role they had: they
        stop following them, their address leaves the tickets' ``Cc``, and
        the tickets' shared tokens are renewed (archived tickets too: they
        may be restored)."""
        tickets = tickets.sudo().with_context(active_test=False)
        if not tickets:
            return
        followers = (
            self.env["mail.followers"]
            .sudo()
            .search([("res_model", "=", TICKET_MODEL), ("res_id", "in", tickets.ids), ("partner_id", "=", partner.id)])
        )
        followers.with_context(stueber_access_revoking=True).unlink()
        self._drop_cc(partner, tickets)
        self._renew_tokens(tickets)

    @api.model
    def _followers_removed(self, removed):
        """Portal followers were removed from tickets, given as (partner, ticket id)
        pairs: their ``Cc`` entries and the tickets' shared links go."""
        if self.env.context.get("stueber_access_revoking"):
            return
        Ticket = self.env[TICKET_MODEL].sudo().with_context(active_test=False)
        for partner, ticket_id in removed:
            ticket = Ticket.browse(ticket_id).exists()
            if ticket:
                self._drop_cc(partner, ticket)
                self._renew_tokens(ticket)

    @api.model
    def _partner_addresses(self, partner):
        partner = partner.sudo()
        return {email for email in (partner.email_normalized, partner.stueber_confirmed_email) if email}

    @api.model
    def _drop_cc(self, partner, tickets):
        """Remove ``partner``'s addresses from the ``Cc`` of ``tickets``."""
        addresses = self._partner_addresses(partner)
        if not addresses:
            return
        for ticket in tickets.filtered("email_cc"):
            entries = ticket._mail_cc_sanitized_raw_dict(ticket.email_cc)
            kept = [raw for normalized, raw in entries.items() if email_normalize(normalized) not in addresses]
            if len(kept) < len(entries):
                ticket.email_cc = ", ".join(kept) or False

    @api.model
    def _cc_tickets(self, partner):
        """The tickets whose ``Cc`` holds one of ``partner``'s addresses (archived ones too)."""
        Ticket = self.env[TICKET_MODEL].sudo().with_context(active_test=False)
        tickets = Ticket.browse()
        for address in self._partner_addresses(partner):
            tickets |= Ticket.search([("email_cc", "ilike", address)])
        return tickets

    @api.model
    def _renew_tokens(self, tickets):
        """Make the tokens of ``tickets`` and their files that someone may
        have kept stop working; Odoo makes new ones when a mail or a page
        needs them, and whoever follows an old link logs in instead."""
        tickets = tickets.sudo()
        with_token = tickets.filtered("access_token")
        if with_token:
            with_token.write({"access_token": False})
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", TICKET_MODEL), ("res_id", "in", tickets.ids), ("access_token", "!=", False)])
        )
        if attachments:
            attachments.write({"access_token": False})

    @api.model
    def _user_archived(self, partners):
        """Archived users leave everything: the tickets they follow or are in
        ``Cc`` of, except their own (they stay the customer until staff
        change it)."""
        Ticket = self.env[TICKET_MODEL].sudo().with_context(active_test=False)
        for partner in partners:
            followed = Ticket.search([("message_partner_ids", "in", partner.ids)])
            tickets = (followed | self._cc_tickets(partner)).filtered(lambda t, p=partner: t.partner_id != p)
            self._revoke(partner, tickets)
