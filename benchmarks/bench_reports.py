"""Ticket Analysis at 1,000 and 100,000 tickets: the calls the web client makes for the report views.

For each size a database with stueber_helpdesk (created once, kept for reruns, named
``<db-prefix>_<size>``) is seeded by SQL and measured. Tickets are spread over three years
(created every few minutes back from now), over 20 agents, the categories, institutions of 50
tickets each in the 16 Bundeslaender, three teams; older tickets are closed, answered, some
reopened, a third of the closed ones rated, one in seven closed ones failed its service level.

Measured in process as an agent (record rules apply), median of ``--runs`` runs after a warm-up,
with the query count, for what each view asks the server when opened from the menu with its
default filter (created in the last 30 days) and, for comparison, over all tickets:

- pivot: ``formatted_read_group`` for the total, the rows (agent), the columns (month) and the
  cells (agent x month) with the seven measures;
- graph: ``formatted_read_group`` by month, tickets closed;
- list: ``web_search_read`` of the first 80 rows (with the count the pager shows).

Aim (PERFORMANCE.md, issue 12): each view at 100,000 tickets within 2x of the same view at 1,000.

Usage (repository root, project virtualenv):

    ~/.cache/stueber_helpdesk/venv/bin/python benchmarks/bench_reports.py [--sizes 1000,100000]
        [--db-prefix stueber_bench_reports] [--runs 15]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

from odoo_db import ODOO_SRC, ensure_database, odoo_options

REPORT = "stueber.helpdesk.ticket.report"
MEASURES = [
    "__count",
    "closed_count:sum",
    "first_response_hours:avg",
    "resolution_working_hours:avg",
    "sla_success_rate:avg",
    "reopen_count:sum",
    "rating:avg",
]
LIST_SPEC = {
    name: {}
    for name in (
        "number",
        "name",
        "create_date",
        "closed_date",
        "first_response_hours",
        "resolution_working_hours",
        "reopen_count",
        "rating",
    )
} | {
    name: {"fields": {"display_name": {}}}
    for name in ("team_id", "user_id", "category_id", "institution_id", "stage_id")
}
LAST_30_DAYS = [("create_date", ">=", "today -30d")]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated ticket counts, ascending")
    parser.add_argument("--db-prefix", default="stueber_bench_reports")
    parser.add_argument("--runs", type=int, default=15)
    return parser.parse_args()


def seed(env, n_tickets):
    """Top the benchmark's tickets (number 'RB…') up to ``n_tickets``, by SQL."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM stueber_helpdesk_ticket WHERE number LIKE 'RB%%'")
    have = cr.fetchone()[0]
    if have >= n_tickets:
        return
    started = time.perf_counter()
    agents = env["res.users"].search([("login", "=like", "bench.agent.%")])
    if not agents:
        group = env.ref("stueber_helpdesk.group_stueber_helpdesk_user")
        agents = env["res.users"].create(
            [
                {"name": f"Bench Agent {i}", "login": f"bench.agent.{i}", "group_ids": [(6, 0, group.ids)]}
                for i in range(20)
            ]
        )
    teams = env["stueber.helpdesk.team"].search([("name", "=like", "Bench Team %")])
    if not teams:
        teams = env["stueber.helpdesk.team"].create([{"name": f"Bench Team {i}"} for i in range(3)])
    states = env["res.country.state"].search([("country_id.code", "=", "DE")])
    category_ids = env["stueber.helpdesk.category"].search([]).ids
    stages = env["stueber.helpdesk.stage"]
    open_ids = stages.search([("is_closed", "=", False)]).ids
    solved_id = env.ref("stueber_helpdesk.stage_solved").id
    n_inst = max(1, (n_tickets - have) // 50)
    cr.execute(
        """
        INSERT INTO res_partner (name, state_id, active, type, is_company, create_date, write_date)
        SELECT 'Report Bench School ' || g, (%s::int[])[1 + g %% %s], TRUE, 'contact', TRUE, now(), now()
          FROM generate_series(%s, %s) g
        RETURNING id
        """,
        (states.ids, len(states), have // 50 + 1, have // 50 + n_inst),
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_institution
               (name, customer_number, partner_id, state_id, membership_policy, active, company_id,
                create_date, write_date)
        SELECT 'Report Bench School ' || (%s + p.n), 'RB' || (%s + p.n), p.id, partner.state_id, 'approval', TRUE,
               %s, now(), now()
          FROM unnest(%s::int[]) WITH ORDINALITY AS p(id, n)
          JOIN res_partner partner ON partner.id = p.id
        RETURNING id
        """,
        (have // 50, have // 50, env.company.id, partner_ids),
    )
    institution_ids = sorted(row[0] for row in cr.fetchall())
    # Ticket g: created g*15 minutes ago (about three years for 100,000); older than a week: closed,
    # answered after g%48 hours, solved after g%200 hours (about a third of them working hours); every 20th
    # reopened once, every third rated; every 7th closed one failed its service level, the others reached it.
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_ticket
               (number, name, institution_id, team_id, user_id, category_id, stage_id, is_closed, closed_date,
                resolution_working_hours, sla_failed, sla_reached,
                first_response_date, reopen_count, rating_last_value, priority, channel, company_id,
                active, create_date, write_date)
        SELECT 'RB' || lpad(g::text, 7, '0'), 'Report bench ticket ' || g,
               (%(institutions)s::int[])[1 + (g - %(first)s) / 50 %% %(n_inst)s],
               (%(teams)s::int[])[1 + g %% 3],
               (%(agents)s::int[])[1 + g %% 20],
               (%(categories)s::int[])[1 + g %% %(n_cat)s],
               CASE WHEN c.closed THEN %(solved)s ELSE (%(open)s::int[])[1 + g %% %(n_open)s] END,
               c.closed,
               CASE WHEN c.closed THEN c.created + ((g %% 200) || ' hours')::interval END,
               CASE WHEN c.closed THEN (g %% 200) / 3.0 ELSE 0 END,
               c.closed AND g %% 7 = 0,
               c.closed AND g %% 7 <> 0,
               CASE WHEN c.closed OR g %% 2 = 0 THEN c.created + ((g %% 48) || ' hours')::interval END,
               CASE WHEN g %% 20 = 0 THEN 1 ELSE 0 END,
               CASE WHEN c.closed AND g %% 3 = 0 THEN (ARRAY[1, 3, 5, 5])[1 + g %% 4] ELSE 0 END,
               '0', 'email', %(company)s, TRUE, c.created, c.created
          FROM generate_series(%(first)s, %(last)s) g,
               LATERAL (SELECT now() - (g * 15 || ' minutes')::interval AS created,
                               g * 15 > 7 * 24 * 60 AS closed) c
        """,
        {
            "institutions": institution_ids,
            "n_inst": len(institution_ids),
            "agents": agents.ids,
            "teams": teams.ids,
            "categories": category_ids,
            "n_cat": len(category_ids),
            "solved": solved_id,
            "open": open_ids,
            "n_open": len(open_ids),
            "company": env.company.id,
            "first": have + 1,
            "last": n_tickets,
        },
    )
    for table in ("stueber_helpdesk_ticket", "stueber_helpdesk_institution", "res_partner"):
        cr.execute(f"ANALYZE {table}")
    print(f"Seeded {n_tickets - have} tickets in {time.perf_counter() - started:.1f} s", flush=True)


def view_calls(Report, domain):
    """What the client asks for the three views (pivot: total, rows, columns, cells)."""
    return {
        "pivot": lambda: [
            Report.formatted_read_group(domain, groupby, MEASURES)
            for groupby in ([], ["user_id"], ["create_date:month"], ["user_id", "create_date:month"])
        ],
        "graph": lambda: Report.formatted_read_group(domain, ["create_date:month"], ["closed_count:sum"]),
        "list": lambda: Report.web_search_read(domain, LIST_SPEC, limit=80, count_limit=10001),
    }


def run(db, size, runs):
    """Seed ``db`` to ``size`` tickets and measure the views (each size in a child process:
    one Odoo configuration per process)."""
    ensure_database(db)
    out = subprocess.run(
        [sys.executable, __file__, "--measure", db, str(size), str(runs)], check=True, capture_output=True, text=True
    ).stdout
    return {tuple(key.split("|")): tuple(value) for key, value in json.loads(out.splitlines()[-1]).items()}


def measure_db(db, size, runs):
    sys.path.insert(0, ODOO_SRC)
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config([*odoo_options(db), "--log-level=warn", "--http-interface=127.0.0.1"])
    with Registry(db).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        seed(env, size)
        cr.commit()
        results = measure(env, runs)
        cr.commit()
    return results


def measure(env, runs):
    agent = env["res.users"].search([("login", "=", "bench.agent.0")])
    Report = env[REPORT].with_user(agent)
    results = {}
    for label, domain in (("last 30 days", LAST_30_DAYS), ("all tickets", [])):
        for view, call in view_calls(Report, domain).items():
            call()  # warm-up: caches, plans
            times, queries = [], []
            for _ in range(runs):
                env.invalidate_all()
                before = env.cr.sql_log_count
                started = time.perf_counter()
                call()
                times.append((time.perf_counter() - started) * 1000)
                queries.append(env.cr.sql_log_count - before)
            results[(label, view)] = (statistics.median(times), statistics.median(queries))
    return results


def main():
    args = parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    by_size = {size: run(f"{args.db_prefix}_{size}", size, args.runs) for size in sizes}
    small, large = sizes[0], sizes[-1]
    print(f"\n{'view':<28}" + "".join(f"{size:>16,}" for size in sizes) + f"{'ratio':>9}")
    for key in by_size[small]:
        cells = "".join(f"{by_size[size][key][0]:>9.1f} ms {by_size[size][key][1]:>2.0f}q" for size in sizes)
        ratio = by_size[large][key][0] / by_size[small][key][0]
        print(f"{key[1] + ' (' + key[0] + ')':<28}{cells}{ratio:>8.2f}x")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        figures = measure_db(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        print(json.dumps({"|".join(key): value for key, value in figures.items()}))
    else:
        main()
