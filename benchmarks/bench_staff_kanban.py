"""Staff kanban and SLA cron at 1,000 and 100,000 tickets, in one Odoo process.

For each size a database with stueber_helpdesk is created (once; kept for reruns) and seeded
by SQL bulk inserts: 2 teams, 4 agents, 200 institutions, tickets spread over the stages,
agents, teams and priorities, and for every open ticket a "first answer" service level
status whose deadline lies between two days ago and three days ahead (a tenth of them
already passed, some within the warning hour).

Then, as a helpdesk agent, it does what the web client does when the ticket kanban opens:
``web_read_group`` by stage with the cards of each column (the kanban view's fields: number,
subject, institution, customer, priority, SLA badge, assignee, activities, callback) and the
priority progress bar, 30 times after warm-up, and prints the median time and the number
of queries. The query count must not grow with the number of tickets.

Last, the SLA cron (``stueber.helpdesk.sla.status._cron_check_deadlines``) runs once over all
open tickets: time, queries, batches, and the peak of Python memory (tracemalloc), which must
stay bounded by the batch size, not by the number of tickets. The transaction is rolled back,
so the benchmark can be rerun.

Usage (repository root, project virtualenv):

    ~/.cache/stueber_helpdesk/venv/bin/python benchmarks/bench_staff_kanban.py [--sizes 1000,100000]
        [--db-prefix stueber_bench_staff] [--repeat 30]
"""

import argparse
import statistics
import sys
import time
import tracemalloc

from odoo_db import ODOO_SRC, ensure_database, odoo_options

sys.path.insert(0, ODOO_SRC)

import odoo
from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import config

KANBAN_SPEC = {
    "number": {},
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "institution_id": {"fields": {"display_name": {}}},
    "category_id": {"fields": {"display_name": {}}},
    "callback_requested": {},
    "callback_time": {},
    "priority": {},
    "is_closed": {},
    "sla_state": {},
    "sla_remaining": {},
    "sla_deadline": {},
    "activity_ids": {"fields": {}},
    "activity_state": {},
    "activity_exception_decoration": {},
    "user_id": {"fields": {"display_name": {}}},
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated ticket counts")
    parser.add_argument("--db-prefix", default="stueber_bench_staff")
    parser.add_argument("--repeat", type=int, default=30)
    return parser.parse_args()


def seed(env, n_tickets):
    """Teams, agents, institutions, tickets and SLA statuses, by SQL."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM stueber_helpdesk_ticket WHERE number LIKE 'SB%%'")
    if cr.fetchone()[0] >= n_tickets:
        return
    print(f"Seeding {n_tickets} tickets...", flush=True)
    started = time.perf_counter()
    group = env.ref("stueber_helpdesk.group_stueber_helpdesk_user")
    agents = env["res.users"].search([("login", "like", "bench.agent.%")])
    if not agents:
        agents = env["res.users"].create(
            [
                {"name": f"Bench Agent {i}", "login": f"bench.agent.{i}", "group_ids": [(6, 0, group.ids)]}
                for i in range(4)
            ]
        )
    teams = env["stueber.helpdesk.team"].create(
        [{"name": "Bench Team A", "member_ids": [(6, 0, agents[:2].ids)]}, {"name": "Bench Team B"}]
    )
    sla = env["stueber.helpdesk.sla"].create({"name": "Bench first answer", "time_hours": 8})
    company = env.company.id
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_institution (name, customer_number, membership_policy, active, company_id,
                                                  create_date, write_date)
        SELECT 'Staff Bench School ' || g, 'SB' || g, 'approval', TRUE, %s, now(), now()
          FROM generate_series(1, 200) g RETURNING id
        """,
        (company,),
    )
    institutions = [row[0] for row in cr.fetchall()]
    stages = env["stueber.helpdesk.stage"].search([])
    closed = stages.filtered("is_closed").ids
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_ticket
               (number, name, institution_id, stage_id, is_closed, closed_date, priority, channel, company_id,
                active, team_id, user_id, create_date, write_date)
        SELECT 'SB' || lpad(g::text, 7, '0'), 'Staff bench ticket ' || g,
               (%(inst)s::int[])[1 + g %% 200], s.stage_id, s.stage_id = ANY(%(closed)s),
               CASE WHEN s.stage_id = ANY(%(closed)s) THEN now() END,
               (g %% 4)::text, 'portal', %(company)s, TRUE,
               (%(teams)s::int[])[1 + g %% 2],
               CASE WHEN g %% 5 = 0 THEN NULL ELSE (%(agents)s::int[])[1 + g %% 4] END,
               now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval
          FROM generate_series(1, %(n)s) g,
               LATERAL (SELECT (%(stages)s::int[])[1 + g %% %(n_stages)s] AS stage_id) s
        """,
        {
            "inst": institutions,
            "closed": closed,
            "company": company,
            "teams": teams.ids,
            "agents": agents.ids,
            "stages": stages.ids,
            "n_stages": len(stages),
            "n": n_tickets,
        },
    )
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_sla_status (ticket_id, sla_id, target, deadline, status, warned,
                                                create_date, write_date)
        SELECT id, %s, 'first_answer', now() + ((id %% 120) - 48) * interval '1 hour', 'ongoing', FALSE, now(), now()
          FROM stueber_helpdesk_ticket WHERE number LIKE 'SB%%' AND NOT is_closed
        """,
        (sla.id,),
    )
    cr.execute(
        """
        UPDATE stueber_helpdesk_ticket t SET sla_deadline = s.deadline
          FROM stueber_helpdesk_sla_status s WHERE s.ticket_id = t.id
        """
    )
    cr.execute("ANALYZE")
    env.cr.commit()
    print(f"Seeded in {time.perf_counter() - started:.1f} s", flush=True)


def open_kanban(env):
    """What the web client asks when the ticket kanban opens (open tickets, by stage)."""
    Ticket = env["stueber.helpdesk.ticket"]
    domain = [("is_closed", "=", False)]
    Ticket.web_read_group(
        domain,
        ["stage_id"],
        ["__count"],
        auto_unfold=True,
        unfold_read_specification=KANBAN_SPEC,
        unfold_read_default_limit=80,
    )
    Ticket.read_progress_bar(domain, "stage_id", {"field": "priority", "colors": {"3": "danger", "2": "warning"}})


def measure_kanban(env, repeat):
    cr = env.cr
    open_kanban(env)  # warm-up (caches, prefetch)
    times, queries = [], []
    for _i in range(repeat):
        env.invalidate_all()
        before = cr.sql_log_count
        started = time.perf_counter()
        open_kanban(env)
        times.append((time.perf_counter() - started) * 1000)
        queries.append(cr.sql_log_count - before)
    return statistics.median(times), statistics.median(queries)


def measure_cron(env):
    cr = env.cr
    Status = env["stueber.helpdesk.sla.status"].sudo()
    ongoing = Status.search_count([("status", "=", "ongoing")])
    env.invalidate_all()
    tracemalloc.start()
    before = cr.sql_log_count
    started = time.perf_counter()
    Status._cron_check_deadlines()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    failed = Status.search_count([("status", "=", "failed")])
    return {
        "ongoing": ongoing,
        "failed": failed,
        "seconds": elapsed,
        "queries": cr.sql_log_count - before,
        "peak_mb": peak / 1e6,
    }


def run_size(args, size):
    db = f"{args.db_prefix}_{size}"
    ensure_database(db)
    config.parse_config(odoo_options(db))
    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        seed(env, size)
        agent = env["res.users"].search([("login", "=", "bench.agent.0")])
        agent_env = api.Environment(cr, agent.id, {"lang": "en_US"})
        median_ms, queries = measure_kanban(agent_env, args.repeat)
        total = env["stueber.helpdesk.ticket"].search_count([])
        print(f"\n##### {total} tickets ({db})")
        print(f"kanban open: {median_ms:.1f} ms median, {queries} queries")
        cron = measure_cron(env)
        print(
            f"SLA cron: {cron['ongoing']} ongoing -> {cron['failed']} failed in {cron['seconds']:.2f} s, "
            f"{cron['queries']} queries, peak Python memory {cron['peak_mb']:.1f} MB"
        )
        cr.rollback()
    return median_ms, queries, cron


def main():
    args = parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = {size: run_size(args, size) for size in sizes}
    if len(sizes) > 1:
        small, large = results[min(sizes)], results[max(sizes)]
        print(
            f"\nkanban {max(sizes)} / {min(sizes)}: time x{large[0] / small[0]:.2f}, queries {small[1]} -> {large[1]}"
        )


if __name__ == "__main__":
    main()
