"""EXPLAIN ANALYZE of a portal user's ticket search at scale, with the record rule applied.

Shows that the portal record rule on ``stueber.helpdesk.ticket`` is answered from
indexes (a BitmapOr of index scans on partner_id, institution_id and id) instead of a
sequential scan of the ticket table, and times the list and the count a portal page runs.

Usage (from the repository root, with the project's virtualenv):

    ~/.cache/stueber_helpdesk/venv/bin/python benchmarks/explain_portal_rule.py --db stueber_bench

Options: ``--tickets`` (default 100000), ``--institutions`` (default 2000), ``--runs``
(timed repetitions, default 15). Odoo is looked for in ``$ODOO_SRC`` (default
~/odoo-19.0); PostgreSQL via PGHOST/PGPORT/PGUSER like scripts/run.

The database is created with stueber_helpdesk when missing (about a minute) and seeded
once: institutions, memberships and tickets by SQL bulk inserts (the benchmark measures
reads, not the ORM's create), five customer partners per institution, and one portal
user ``bench.portal@example.com``: a verified member of the first institution, customer
of its own tickets there and follower of three tickets of other institutions. A database
is seeded for one size only; use one database per ``--tickets``. Nothing is written by
the measurement itself.

Exit status 1 when the ticket table is scanned sequentially at 10,000 tickets or more;
below that (e.g. ``--tickets 1000 --institutions 20``) a sequential scan of a few pages
is the planner's right choice. For comparison the script also explains the rule shape it
avoids, a follower sub-select (``id IN (SELECT res_id FROM mail_followers ...)``).
"""

import argparse
import statistics
import sys
import time

from odoo_db import ODOO_SRC, ensure_database, odoo_options

PORTAL_LOGIN = "bench.portal@example.com"
TICKET_TABLE = "stueber_helpdesk_ticket"
SEQ_SCAN_EXPECTED_BELOW = 10_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="benchmark database (created when missing)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--institutions", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=15)
    return parser.parse_args()


# ----------------------------------------------------------------------------
# Seeding
# ----------------------------------------------------------------------------


def seed(env, n_tickets, n_institutions):
    """Bulk-insert institutions, customers, memberships and tickets by SQL."""
    cr = env.cr
    cr.execute(f"SELECT count(*) FROM {TICKET_TABLE} WHERE name LIKE 'Bench %%'")
    seeded = cr.fetchone()[0]
    if seeded:
        if seeded != n_tickets:
            sys.exit(f"{env.cr.dbname} holds {seeded} bench tickets, not {n_tickets}: use another --db.")
        return
    started = time.perf_counter()
    print(f"Seeding {n_tickets} tickets over {n_institutions} institutions...", flush=True)
    company_id = env.company.id
    stage_ids = env["stueber.helpdesk.stage"].search([]).ids
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_institution
               (name, customer_number, membership_policy, active, company_id, create_date, write_date)
        SELECT 'Bench School ' || g, 'BENCH' || g, 'approval', TRUE, %s, now(), now()
          FROM generate_series(1, %s) g
        ON CONFLICT (customer_number) DO NOTHING
        """,
        (company_id, n_institutions),
    )
    cr.execute(
        "SELECT id FROM stueber_helpdesk_institution WHERE customer_number LIKE 'BENCH%%' ORDER BY id LIMIT %s",
        (n_institutions,),
    )
    institution_ids = [row[0] for row in cr.fetchall()]
    # Five customers per institution, verified members.
    cr.execute(
        """
        INSERT INTO res_partner (name, email, email_normalized, active, type, create_date, write_date)
        SELECT 'Bench Customer ' || g, 'bench' || g || '@example.com', 'bench' || g || '@example.com',
               TRUE, 'contact', now(), now()
          FROM generate_series(1, %s) g
        RETURNING id
        """,
        (5 * len(institution_ids),),
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_membership (partner_id, institution_id, state, company_id, create_date, write_date)
        SELECT p.id, (%s::int[])[1 + (p.n - 1) / 5], 'verified', %s, now(), now()
          FROM unnest(%s::int[]) WITH ORDINALITY AS p(id, n)
        """,
        (institution_ids, company_id, partner_ids),
    )
    # Tickets spread evenly: ticket g belongs to institution g mod n and to one of its customers.
    cr.execute(
        f"""
        INSERT INTO {TICKET_TABLE}
               (number, name, partner_id, institution_id, stage_id, priority, channel, company_id,
                active, is_closed, create_date, write_date)
        SELECT 'B' || g, 'Bench ticket ' || g,
               (%(partners)s::int[])[1 + ((g %% %(n_inst)s) * 5 + (g / %(n_inst)s) %% 5)],
               (%(institutions)s::int[])[1 + g %% %(n_inst)s],
               (%(stages)s::int[])[1 + g %% %(n_stages)s],
               (g %% 4)::varchar, 'portal', %(company)s, TRUE, FALSE,
               now() - (g || ' minutes')::interval, now()
          FROM generate_series(1, %(n)s) g
        """,
        {
            "partners": partner_ids,
            "institutions": institution_ids,
            "n_inst": len(institution_ids),
            "stages": stage_ids,
            "n_stages": len(stage_ids),
            "company": company_id,
            "n": n_tickets,
        },
    )
    cr.execute(f"ANALYZE {TICKET_TABLE}")
    cr.execute("ANALYZE stueber_helpdesk_membership")
    cr.execute("ANALYZE mail_followers")
    print(f"Seeded in {time.perf_counter() - started:.1f} s", flush=True)


def ensure_portal_user(env):
    """The measured user: verified member of the first bench institution, follower of three others' tickets."""
    user = env["res.users"].with_context(active_test=False).search([("login", "=", PORTAL_LOGIN)])
    if user:
        return user
    institutions = env["stueber.helpdesk.institution"].search([("customer_number", "=like", "BENCH%")], limit=4)
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "Bench Portal",
                "login": PORTAL_LOGIN,
                "email": PORTAL_LOGIN,
                "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
            }
        )
    )
    user.partner_id.stueber_confirmed_email = user.partner_id.email_normalized
    env["stueber.helpdesk.membership"].create(
        {"partner_id": user.partner_id.id, "institution_id": institutions[0].id, "state": "verified"}
    )
    Ticket = env["stueber.helpdesk.ticket"].with_context(tracking_disable=True, mail_create_nolog=True)
    for name in ("Eigenes Ticket 1", "Eigenes Ticket 2"):
        Ticket.create({"name": name, "partner_id": user.partner_id.id})
    for institution in institutions[1:]:
        ticket = Ticket.search([("institution_id", "=", institution.id)], limit=1)
        ticket.message_subscribe(partner_ids=user.partner_id.ids)
    return user


# ----------------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------------


def portal_queries(env, user):
    """The SQL of the portal list page (one page of 20) and of its count, rule applied."""
    Ticket = env["stueber.helpdesk.ticket"].with_user(user)
    list_query = Ticket._search([], order=Ticket._order, limit=20)
    count_query = Ticket._search([])
    return {
        "list (20, default order)": list_query.select(),
        "count": count_query.select("COUNT(*)"),
    }


def follower_subselect_query(env, user):
    """For comparison: the same count with the rule shape of OCA helpdesk_mgmt's portal rule,
    ``id IN (SELECT res_id FROM mail_followers ...) OR partner_id ...``, which is not used here."""
    from odoo.tools import SQL

    institution_ids = tuple(user.partner_id.stueber_access_institution_ids.ids) or (0,)
    return SQL(
        f"""SELECT COUNT(*) FROM {TICKET_TABLE} t
            WHERE t.active IS TRUE AND t.company_id = %s
              AND (t.id IN (SELECT f.res_id FROM mail_followers f
                             WHERE f.res_model = %s AND f.partner_id = %s)
                   OR t.partner_id = %s OR t.institution_id IN %s)""",
        env.company.id,
        "stueber.helpdesk.ticket",
        user.partner_id.id,
        user.partner_id.id,
        institution_ids,
    )


def explain(cr, sql):
    cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql.code}", sql.params)
    return "\n".join(row[0] for row in cr.fetchall())


def timed(cr, sql, runs):
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        cr.execute(sql.code, sql.params)
        cr.fetchall()
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations), min(durations), max(durations)


def main():
    args = parse_args()
    sys.path.insert(0, ODOO_SRC)
    ensure_database(args.db)

    # Odoo is importable only once sys.path holds ODOO_SRC.
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config([*odoo_options(args.db), "--log-level=warn"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        seed(env, args.tickets, args.institutions)
        user = ensure_portal_user(env)
        cr.commit()

        cr.execute(f"SELECT count(*) FROM {TICKET_TABLE}")
        total = cr.fetchone()[0]
        visible = env["stueber.helpdesk.ticket"].with_user(user).search_count([])
        print(f"\nTickets in the database: {total}; visible to {PORTAL_LOGIN}: {visible}")
        print(f"Rule domain: {env['ir.rule'].with_user(user)._compute_domain('stueber.helpdesk.ticket', 'read')}")

        seq_scan = False
        for label, sql in portal_queries(env, user).items():
            plan = explain(cr, sql)
            seq_scan |= f"Seq Scan on {TICKET_TABLE}" in plan
            median, fastest, slowest = timed(cr, sql, args.runs)
            print(f"\n=== {label} ===\n{cr.mogrify(sql.code, sql.params).decode()}\n\n{plan}")
            print(f"\n{label}: median {median:.2f} ms over {args.runs} runs (min {fastest:.2f}, max {slowest:.2f})")
        sql = follower_subselect_query(env, user)
        median, fastest, slowest = timed(cr, sql, args.runs)
        print(f"\n=== for comparison, not used: a follower sub-select in the rule ===\n{explain(cr, sql)}")
        print(f"\nfollower sub-select count: median {median:.2f} ms (min {fastest:.2f}, max {slowest:.2f})")
        # Below some ten thousand rows a sequential scan is the planner's right choice.
        if not seq_scan:
            print("\nRESULT: index scans only (BitmapOr), no sequential scan of the ticket table")
        elif total < SEQ_SCAN_EXPECTED_BELOW:
            print(f"\nRESULT: sequential scan, as expected for a table of {total} tickets")
        else:
            print("\nRESULT: sequential scan of the ticket table!")
        cr.rollback()
    return 1 if seq_scan and total >= SEQ_SCAN_EXPECTED_BELOW else 0


if __name__ == "__main__":
    sys.exit(main())
