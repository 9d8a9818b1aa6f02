"""Portal latency at 1,000 and 100,000 tickets, measured from a client against a real Odoo server.

For each size a database is created with stueber_helpdesk (once; kept for reruns) and seeded
the way PERFORMANCE.md describes the peer's measurement: I institutions x 5 customers,
50 tickets per institution (I = tickets / 50), every customer following their tickets, and one
portal user, a verified member of the first institution, who sees its 50 tickets. Seeding is
done by SQL bulk inserts (the benchmark measures reads, not the ORM's create).

Then ``odoo-bin`` serves the database on a loopback port (workers=0, no cron) and the client
logs in as the portal user and times 30 requests (after warm-up) of each of:

- ``/my``                   the portal home, the floor any portal page pays;
- ``/my/tickets``           the ticket list;
- ``/my/tickets/<id>``      a ticket page;
- ``/my/counters``          the JSON-RPC call the portal home makes for the "Tickets" badge.

It prints the client-side median latency, the server's query count and SQL time per request
(from Odoo's request log line), the EXPLAIN of the list query, and the ratios PERFORMANCE.md
aims at: /my/tickets within 1.5x of /my at 100,000 tickets and no slower than at 1,000; the
badge under 15 ms.

Usage (repository root, project virtualenv):

    ~/.cache/stueber_helpdesk/venv/bin/python benchmarks/bench_portal.py [--sizes 1000,100000]
        [--db-prefix stueber_bench_portal] [--requests 30] [--port 18069]

Odoo is looked for in ``$ODOO_SRC`` (default ~/odoo-19.0); PostgreSQL via PGHOST/PGPORT/PGUSER.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import requests
from odoo_db import ODOO_SRC, ensure_database, odoo_options

LOGIN = "bench.portal.user@example.com"
PASSWORD = "bench-portal-password"
TICKETS_PER_INSTITUTION = 50
CUSTOMERS_PER_INSTITUTION = 5
# "GET /my/tickets HTTP/1.1" 200 - 18 0.012 0.034: query count, SQL time, other time (seconds)
LOG_LINE = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d+) - (\d+) ([\d.]+) ([\d.]+)')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated ticket counts")
    parser.add_argument("--db-prefix", default="stueber_bench_portal")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--port", type=int, default=18069)
    return parser.parse_args()


# ----------------------------------------------------------------------------
# Seeding
# ----------------------------------------------------------------------------


def seed(env, n_tickets):
    """Institutions, customers, verified memberships, tickets and followers, by SQL."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM stueber_helpdesk_ticket WHERE number LIKE 'PB%%'")
    if cr.fetchone()[0] >= n_tickets:
        return
    started = time.perf_counter()
    n_inst = max(1, n_tickets // TICKETS_PER_INSTITUTION)
    print(f"Seeding {n_tickets} tickets, {n_inst} institutions...", flush=True)
    company_id = env.company.id
    stage_ids = env["stueber.helpdesk.stage"].search([]).ids
    closed_ids = env["stueber.helpdesk.stage"].search([("is_closed", "=", True)]).ids
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_institution
               (name, customer_number, membership_policy, active, company_id, create_date, write_date)
        SELECT 'Portal Bench School ' || g, 'PB' || g, 'approval', TRUE, %s, now(), now()
          FROM generate_series(1, %s) g
        RETURNING id
        """,
        (company_id, n_inst),
    )
    institution_ids = sorted(row[0] for row in cr.fetchall())
    cr.execute(
        """
        INSERT INTO res_partner (name, email, email_normalized, active, type, create_date, write_date)
        SELECT 'Portal Bench Customer ' || g, 'pb' || g || '@example.com', 'pb' || g || '@example.com',
               TRUE, 'contact', now(), now()
          FROM generate_series(1, %s) g
        RETURNING id
        """,
        (CUSTOMERS_PER_INSTITUTION * n_inst,),
    )
    partner_ids = sorted(row[0] for row in cr.fetchall())
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_membership (partner_id, institution_id, state, company_id, create_date, write_date)
        SELECT p.id, (%s::int[])[1 + (p.n - 1) / %s], 'verified', %s, now(), now()
          FROM unnest(%s::int[]) WITH ORDINALITY AS p(id, n)
        """,
        (institution_ids, CUSTOMERS_PER_INSTITUTION, company_id, partner_ids),
    )
    # Ticket g: institution (g-1) / 50, one of its five customers; stages spread, closed ones dated.
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_ticket
               (number, name, description, partner_id, institution_id, stage_id, is_closed, closed_date,
                priority, channel, company_id, active, create_date, write_date)
        SELECT 'PB' || lpad(g::text, 7, '0'), 'Bench ticket ' || g, '<p>Beschreibung ' || g || '</p>',
               (%(partners)s::int[])[1 + ((g - 1) / 50) * 5 + g %% 5],
               (%(institutions)s::int[])[1 + (g - 1) / 50],
               s.stage_id, s.stage_id = ANY(%(closed)s),
               CASE WHEN s.stage_id = ANY(%(closed)s) THEN now() END,
               '0', 'portal', %(company)s, TRUE,
               now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval
          FROM generate_series(1, %(n)s) g,
               LATERAL (SELECT (%(stages)s::int[])[1 + g %% %(n_stages)s] AS stage_id) s
        """,
        {
            "partners": partner_ids,
            "institutions": institution_ids,
            "closed": closed_ids,
            "stages": stage_ids,
            "n_stages": len(stage_ids),
            "company": company_id,
            "n": n_tickets,
        },
    )
    cr.execute(
        """
        INSERT INTO mail_followers (res_model, res_id, partner_id)
        SELECT 'stueber.helpdesk.ticket', id, partner_id FROM stueber_helpdesk_ticket WHERE number LIKE 'PB%%'
        """
    )
    for table in ("stueber_helpdesk_ticket", "stueber_helpdesk_membership", "mail_followers", "res_partner"):
        cr.execute(f"ANALYZE {table}")
    print(f"Seeded in {time.perf_counter() - started:.1f} s", flush=True)


def ensure_portal_user(env):
    """The measured user: takes the place of a customer of the first institution (50 tickets visible)."""
    user = env["res.users"].search([("login", "=", LOGIN)])
    if user:
        return user
    institution = env["stueber.helpdesk.institution"].search([("customer_number", "=", "PB1")])
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "Portal Bench User",
                "login": LOGIN,
                "password": PASSWORD,
                "email": LOGIN,
                "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
            }
        )
    )
    partner = user.partner_id
    partner.stueber_confirmed_email = partner.email_normalized
    env["stueber.helpdesk.membership"].create(
        {"partner_id": partner.id, "institution_id": institution.id, "state": "verified"}
    )
    # The user is the customer of ten of the institution's tickets, like each of the five.
    env.cr.execute(
        """
        WITH mine AS (
            SELECT id FROM stueber_helpdesk_ticket WHERE institution_id = %s ORDER BY id LIMIT 10
        )
        UPDATE stueber_helpdesk_ticket t SET partner_id = %s FROM mine WHERE t.id = mine.id
        """,
        (institution.id, partner.id),
    )
    env.cr.execute(
        """
        UPDATE mail_followers f SET partner_id = %s FROM stueber_helpdesk_ticket t
         WHERE f.res_model = 'stueber.helpdesk.ticket' AND f.res_id = t.id AND t.partner_id = %s
        """,
        (partner.id, partner.id),
    )
    return user


def prepare(db, n_tickets):
    """Seed ``db`` and return (ticket id for the ticket page, visible count, EXPLAIN of the list)."""
    sys.path.insert(0, ODOO_SRC)
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import SQL, config

    config.parse_config([*odoo_options(db), "--log-level=warn"])
    with Registry(db).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        seed(env, n_tickets)
        user = ensure_portal_user(env)
        cr.commit()
        Ticket = env["stueber.helpdesk.ticket"].with_user(user)
        visible = Ticket.search_count([])
        ticket_id = Ticket.search([], limit=1).id
        query = Ticket._search([], order="id desc", limit=80)
        cr.execute(SQL("EXPLAIN ANALYZE %s", query.select()))
        plan = "\n".join(row[0] for row in cr.fetchall())
        cr.rollback()
    return ticket_id, visible, plan


# ----------------------------------------------------------------------------
# Server and client
# ----------------------------------------------------------------------------


def start_server(db, port, log_path):
    command = [
        sys.executable,
        f"{ODOO_SRC}/odoo-bin",
        *odoo_options(db),
        f"--db-filter=^{db}$",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        "--workers=0",
        "--max-cron-threads=0",
        "--log-level=warn",
        "--log-handler=werkzeug:INFO",
    ]
    log = open(log_path, "w")  # noqa: SIM115 - closed when the server stops
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/web/login", timeout=60)
            return server, log
        except requests.RequestException:
            time.sleep(0.5)
    stop_server(server, log)
    raise RuntimeError(f"Odoo did not start; see {log_path}")


def stop_server(server, log):
    server.terminate()
    server.wait(timeout=30)
    log.close()


def login(base, db):
    session = requests.Session()
    response = session.post(
        f"{base}/web/session/authenticate",
        json={"jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": LOGIN, "password": PASSWORD}},
        timeout=30,
    )
    response.raise_for_status()
    if "error" in response.json():
        raise RuntimeError(response.json()["error"])
    return session


def request_function(session, base, path):
    """A call of ``path`` as the portal page makes it; fails loudly on an error answer."""
    if path == "/my/counters":

        def call():
            response = session.post(
                f"{base}{path}",
                json={"jsonrpc": "2.0", "method": "call", "params": {"counters": ["ticket_count"]}},
                timeout=30,
            )
            assert "result" in response.json(), response.text

        return call

    def call():
        response = session.get(f"{base}{path}", timeout=30, allow_redirects=False)
        assert response.status_code == 200, (path, response.status_code)

    return call


def measure(session, base, paths, n_requests):
    """Client-side median latency (ms) per path of ``n_requests`` after five warm-up rounds.

    The paths take turns, so a change of machine load hits them alike and the ratios hold.
    """
    calls = {label: request_function(session, base, path) for label, path in paths.items()}
    durations = {label: [] for label in paths}
    for round_ in range(5 + n_requests):
        for label, call in calls.items():
            started = time.perf_counter()
            call()
            if round_ >= 5:
                durations[label].append((time.perf_counter() - started) * 1000)
    return {label: statistics.median(values) for label, values in durations.items()}


def server_figures(log_path, path, n_requests):
    """Median query count and SQL time (ms) of the last ``n_requests`` log lines of ``path``."""
    queries, sql_ms = [], []
    with open(log_path) as log:
        for line in log:
            match = LOG_LINE.search(line)
            if match and match.group(2) == path:
                queries.append(int(match.group(4)))
                sql_ms.append(float(match.group(5)) * 1000)
    queries, sql_ms = queries[-n_requests:], sql_ms[-n_requests:]
    if not queries:
        return None, None
    return statistics.median(queries), statistics.median(sql_ms)


def run_size(args, n_tickets):
    db = f"{args.db_prefix}_{n_tickets}"
    ensure_database(db)
    ticket_id, visible, plan = prepare(db, n_tickets)
    print(f"\n##### {n_tickets} tickets (database {db}); the portal user sees {visible}")
    print("EXPLAIN ANALYZE of the list query (rule applied):\n" + plan)
    paths = {
        "home /my": "/my",
        "list /my/tickets": "/my/tickets",
        "ticket page": f"/my/tickets/{ticket_id}",
        "badge /my/counters": "/my/counters",
    }
    base = f"http://127.0.0.1:{args.port}"
    log_path = os.path.join(tempfile.gettempdir(), f"{db}_server.log")
    server, log = start_server(db, args.port, log_path)
    try:
        session = login(base, db)
        latencies = measure(session, base, paths, args.requests)
        time.sleep(0.5)  # let the server write its last log lines
        results = {
            label: (latencies[label], *server_figures(log_path, path, args.requests)) for label, path in paths.items()
        }
    finally:
        stop_server(server, log)
    for label, (latency, queries, sql_ms) in results.items():
        print(f"{label:22s} median {latency:7.1f} ms   {queries} queries   {sql_ms:.1f} ms SQL")
    return results


def main():
    args = parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    all_results = {size: run_size(args, size) for size in sizes}

    print("\n##### Ratios")
    for size, results in all_results.items():
        ratio = results["list /my/tickets"][0] / results["home /my"][0]
        print(f"{size} tickets: /my/tickets / /my = {ratio:.2f} (aim <= 1.5)")
    if len(sizes) > 1:
        small, large = all_results[min(sizes)], all_results[max(sizes)]
        for label in small:
            ratio = large[label][0] / small[label][0]
            print(f"{label:22s} {max(sizes)} / {min(sizes)} tickets = {ratio:.2f}")
    badge = all_results[max(sizes)]["badge /my/counters"][0]
    print(f"badge at {max(sizes)} tickets: {badge:.1f} ms (aim < 15 ms)")


if __name__ == "__main__":
    main()
