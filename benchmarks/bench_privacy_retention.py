"""The retention cron over 100,000 closed tickets: time and memory.

A copy of a stueber_helpdesk database (``createdb -T``; the template must be
idle) is seeded by SQL with N closed tickets past their retention, each with a
customer and two messages (the customer's, with their name and address, and a
staff answer) and a follower. Then the retention job runs as the cron does
(batches of 1,000, each committed) and the script prints the wall time, the
rate, and the process's resident memory after each tenth batch: bounded
memory means the figure stays flat from the first batches to the last.

Usage (repository root, project virtualenv):

    ~/.cache/stueber_helpdesk/venv/bin/python benchmarks/bench_privacy_retention.py
        [--tickets 100000] [--template shd_privacy] [--db shd_privacy_bench]
"""

import argparse
import os
import subprocess
import sys
import time

from odoo_db import ODOO_SRC, odoo_options

sys.path.insert(0, ODOO_SRC)


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def seed(cr, count):
    """N closed tickets, 3 years old, each with a customer, two messages and a follower."""
    cr.execute("SELECT id FROM stueber_helpdesk_stage WHERE is_closed ORDER BY sequence, id LIMIT 1")
    stage_id = cr.fetchone()[0]
    cr.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
    company_id = cr.fetchone()[0]
    cr.execute("SELECT partner_id FROM res_users WHERE login = 'admin'")
    staff_partner = cr.fetchone()[0]
    cr.execute(
        """INSERT INTO res_partner (name, email, email_normalized, phone, active, type)
           SELECT 'Bench Person ' || g, 'bench' || g || '@school.example', 'bench' || g || '@school.example',
                  '+49 30 ' || g, TRUE, 'contact'
             FROM generate_series(1, %s) g RETURNING id""",
        [count // 10],
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        """INSERT INTO stueber_helpdesk_ticket (number, name, description, partner_id, email_from, phone, stage_id,
                  is_closed, closed_date, priority, channel, company_id, active, create_date, write_date)
           SELECT 'B' || g, 'Bench ticket ' || g, '<p>Bitte rufen Sie mich an</p>', p.id, p.email, p.phone, %(stage)s,
                  TRUE, NOW() - INTERVAL '3 years', '0', 'email', %(company)s, TRUE,
                  NOW() - INTERVAL '3 years', NOW() - INTERVAL '3 years'
             FROM generate_series(1, %(count)s) g
             JOIN res_partner p ON p.id = (%(partners)s::int[])[1 + g %% %(n)s]""",
        {"stage": stage_id, "company": company_id, "count": count, "partners": partner_ids, "n": len(partner_ids)},
    )
    cr.execute(
        """INSERT INTO mail_message (model, res_id, message_type, body, author_id, email_from, date, create_date)
           SELECT 'stueber.helpdesk.ticket', t.id, 'email', '<p>Gruß, ' || p.name || '</p>', p.id, p.email,
                  t.create_date, t.create_date
             FROM stueber_helpdesk_ticket t JOIN res_partner p ON p.id = t.partner_id WHERE t.number LIKE 'B%%'
           UNION ALL
           SELECT 'stueber.helpdesk.ticket', t.id, 'comment', '<p>Erledigt.</p>', %s, NULL, t.create_date,
                  t.create_date
             FROM stueber_helpdesk_ticket t WHERE t.number LIKE 'B%%'""",
        [staff_partner],
    )
    cr.execute(
        """INSERT INTO mail_followers (res_model, res_id, partner_id)
           SELECT 'stueber.helpdesk.ticket', id, partner_id FROM stueber_helpdesk_ticket WHERE number LIKE 'B%%'"""
    )
    cr.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--template", default="shd_privacy")
    parser.add_argument("--db", default="shd_privacy_bench")
    args = parser.parse_args()

    subprocess.run(["dropdb", "--if-exists", args.db], check=True)
    subprocess.run(["createdb", "-T", args.template, args.db], check=True)

    import odoo
    from odoo import api, sql_db
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config([*odoo_options(args.db), "--log-level=warn", "--http-interface=127.0.0.1"])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        started = time.perf_counter()
        seed(cr, args.tickets)
        cr.commit()
        print(f"Seeded {args.tickets} closed tickets in {time.perf_counter() - started:.1f} s", flush=True)

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        Retention = env["stueber.helpdesk.retention"]
        samples = []
        original = type(Retention)._anonymise_batch

        def measured(self, tickets):
            original(self, tickets)
            samples.append(rss_mb())
            if len(samples) % 10 == 1:
                print(f"  batch {len(samples):4d}: RSS {samples[-1]:.0f} MB", flush=True)

        type(Retention)._anonymise_batch = measured
        rss_before = rss_mb()
        started = time.perf_counter()
        done, _mails = Retention._run_retention(commit=True)
        elapsed = time.perf_counter() - started
        type(Retention)._anonymise_batch = original
        print(f"Anonymised {done} tickets in {elapsed:.1f} s ({done / elapsed:.0f} tickets/s), {len(samples)} batches")
        print(
            f"RSS before {rss_before:.0f} MB, after the first batch {samples[0]:.0f} MB, "
            f"max {max(samples):.0f} MB, after the last {samples[-1]:.0f} MB"
        )
        cr.execute("SELECT COUNT(*) FROM stueber_helpdesk_ticket WHERE number LIKE 'B%' AND partner_id IS NOT NULL")
        print(f"Tickets left with a customer: {cr.fetchone()[0]}")
    sql_db.close_all()
    if not os.environ.get("KEEP_DB"):
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)


if __name__ == "__main__":
    main()
