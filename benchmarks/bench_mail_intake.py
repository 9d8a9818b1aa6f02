"""Mail intake benchmark: mails per second and SQL queries per mail as the
ticket table grows.

Feeds real RFC 822 mails through Odoo's gateway (``mail.thread.message_process``,
the entry point of the incoming mail servers and of the mailgate script):
half new tickets from registered, confirmed customers, half replies that
carry the ``[Ticket#<number>]`` token of one of their tickets. It does so at
several ticket counts (default 100, 10,000 and 100,000) and prints, per count,
mails per second and the median time and SQL queries per mail. Queries per
mail must not grow with the ticket count.

Usage (a database with stueber_helpdesk installed, e.g. one made by
``scripts/run`` or ``scripts/test``)::

    ~/.cache/stueber_helpdesk/venv/bin/python benchmarks/bench_mail_intake.py -d DBNAME \\
        [--levels 100,10000,100000] [--mails 500]

Environment: ``ODOO_SRC`` (default ``~/odoo-19.0``), ``PGHOST``/``PGPORT``/``PGUSER``
as for the scripts in ``scripts/``.

Nothing is kept: the benchmark works on a throw-away copy of the database
(``CREATE DATABASE ... TEMPLATE``, so nobody may be connected to it meanwhile)
and drops it at the end. Like the fetchmail loop it commits after each mail;
after each level it runs the receipt cron's batches and reports their cost
per receipt (the gateway only marks new tickets for their receipt). It sends
nothing (the receipts stay queued, SMTP is never contacted).
Tickets beyond those already there are seeded with SQL (customers, two
messages and a follower per ticket, like tickets that came by mail), then
``ANALYZE``d. The first mails are a warm-up and not counted.
"""

import argparse
import os
import shutil
import statistics
import sys
import time
from contextlib import closing
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", Path.home() / "odoo-19.0"))
sys.path.insert(0, str(ODOO_SRC))

import odoo  # noqa: E402
from odoo import api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402
from odoo.sql_db import close_db, db_connect  # noqa: E402
from odoo.tools import SQL, config  # noqa: E402

# Odoo's gateway takes more than 20 new tickets from one sender within two
# hours for a mail loop (mail.gateway.loop.threshold): each sender of the
# benchmark writes at most this many new mails.
MAILS_PER_SENDER = 10
REPLY_TARGET_EVERY = 100  # every 100th seeded ticket belongs to one of them
WARMUP = 20

NEW_MAIL = """\
From: {name} <{email}>
To: {support}
Subject: Beamer in Raum {n} zeigt kein Bild
Date: Thu, 26 Nov 2026 08:00:00 +0100
Message-ID: <bench-new-{tag}-{n}@bench-school.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Guten Morgen,

der Beamer in Raum {n} zeigt seit heute kein Bild mehr. Können Sie helfen?

Viele Grüße
{name}
"""

REPLY_MAIL = """\
From: {name} <{email}>
To: {support}
Subject: AW: [Ticket#{number}] {subject}
Date: Thu, 26 Nov 2026 08:05:00 +0100
Message-ID: <bench-reply-{tag}-{n}@bench-school.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hallo, hier noch eine Ergänzung: es betrifft auch Raum {n}.

> Ihr Ticket wurde angelegt.
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--levels", default="100,10000,100000", help="ticket counts, comma-separated")
    parser.add_argument("--mails", type=int, default=500, help="mails per level (half new, half replies)")
    return parser.parse_args()


def setup_odoo(database):
    """Odoo's configuration for ``database`` (addons path with this repository)."""
    addons = f"{ODOO_SRC / 'odoo' / 'addons'},{ODOO_SRC / 'addons'},{REPO}"
    args = ["--addons-path", addons, "-d", database, "--log-level", "warn"]
    for option, var in (("--db_host", "PGHOST"), ("--db_port", "PGPORT"), ("--db_user", "PGUSER")):
        if os.environ.get(var):
            args += [option, os.environ[var]]
    if "PGHOST" not in os.environ:
        args += ["--db_host", "127.0.0.1"]
    config.parse_config(args, setup_logging=True)


class Bench:
    def __init__(self, env, senders):
        self.env = env
        self.cr = env.cr
        self.tag = str(int(time.time()))
        self.support = self._support_address()
        self.institution = env["stueber.helpdesk.institution"].create(
            {"name": "Bench-Schule", "customer_number": f"B{self.tag}"}
        )
        self.senders = self._senders(senders)
        # one open ticket per sender at least, for the replies
        self.reply_targets = env["stueber.helpdesk.ticket"].create(
            [{"name": "Drucker druckt nicht", "partner_id": partner.id} for partner in self.senders]
        )
        self.counter = 0
        self.new_count = 0  # new mails take turns among the senders (the counter also counts replies)
        self.seeded_partners = 0

    # -- set-up ---------------------------------------------------------

    def _support_address(self):
        alias = self.env.ref("stueber_helpdesk.mail_alias_support")
        if not alias.alias_domain_id:
            domain = self.env["mail.alias.domain"].search([], limit=1) or self.env["mail.alias.domain"].create(
                {"name": "bench.example"}
            )
            alias.alias_domain_id = domain
        return alias.alias_full_name

    def _senders(self, count):
        portal = self.env.ref("base.group_portal")
        users = self.env["res.users"].create(
            [
                {
                    "name": f"Bench Lehrerin {i}",
                    "login": f"bench.teacher.{i}.{self.tag}@bench-school.example",
                    "email": f"bench.teacher.{i}.{self.tag}@bench-school.example",
                    "group_ids": [(6, 0, portal.ids)],
                }
                for i in range(count)
            ]
        )
        for partner in users.partner_id:
            partner.stueber_confirmed_email = partner.email_normalized
        self.env["stueber.helpdesk.membership"].create(
            [
                {"partner_id": partner.id, "institution_id": self.institution.id, "state": "verified"}
                for partner in users.partner_id
            ]
        )
        return users.partner_id

    # -- seeding --------------------------------------------------------

    def ticket_count(self):
        self.cr.execute("SELECT count(*) FROM stueber_helpdesk_ticket")
        return self.cr.fetchone()[0]

    def seed(self, target):
        """Add tickets until the table holds ``target`` of them."""
        missing = target - self.ticket_count()
        if missing <= 0:
            return
        env, cr = self.env, self.cr
        env.flush_all()
        customers = self._seed_partners(max(missing // 5, 1))
        sequence = env.ref("stueber_helpdesk.seq_stueber_helpdesk_ticket")
        first_number = sequence.number_next_actual
        sequence.number_next = first_number + missing
        env.flush_all()
        stages = env["stueber.helpdesk.stage"].search([])
        cr.execute(
            """
            INSERT INTO stueber_helpdesk_ticket
                (number, name, partner_id, email_from, institution_id, stage_id, is_closed, priority, channel,
                 company_id, active, create_uid, write_uid, create_date, write_date)
            SELECT lpad((%(first)s + g)::text, greatest(5, length((%(first)s + g)::text)), '0'),
                   'Bench-Ticket ' || g,
                   CASE WHEN g %% %(every)s = 0 THEN (%(senders)s::int[])[1 + (g / %(every)s) %% %(nsenders)s]
                        ELSE (%(customers)s::int[])[1 + g %% %(ncustomers)s] END,
                   NULL,
                   CASE WHEN g %% %(every)s = 0 THEN %(institution)s ELSE NULL END,
                   (%(stages)s::int[])[1 + g %% %(nstages)s],
                   (%(closed)s::bool[])[1 + g %% %(nstages)s],
                   '0', 'email', %(company)s, true, 1, 1,
                   now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval
              FROM generate_series(0, %(missing)s - 1) g
            RETURNING id
            """,
            {
                "first": first_number,
                "every": REPLY_TARGET_EVERY,
                "senders": self.senders.ids,
                "nsenders": len(self.senders),
                "customers": customers,
                "ncustomers": len(customers),
                "institution": self.institution.id,
                "stages": stages.ids,
                "closed": stages.mapped("is_closed"),
                "nstages": len(stages),
                "company": env.company.id,
                "missing": missing,
            },
        )
        ticket_ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            "UPDATE stueber_helpdesk_ticket t SET email_from = p.email FROM res_partner p "
            "WHERE p.id = t.partner_id AND t.id = ANY(%s)",
            [ticket_ids],
        )
        self._seed_messages(ticket_ids)
        for table in ("stueber_helpdesk_ticket", "res_partner", "mail_message", "mail_followers"):
            cr.execute(f"ANALYZE {table}")
        env.invalidate_all()
        self.reply_targets = env["stueber.helpdesk.ticket"].search(
            [("partner_id", "in", self.senders.ids), ("is_closed", "=", False)]
        )

    def _seed_partners(self, count):
        self.cr.execute(
            """
            INSERT INTO res_partner (name, complete_name, email, email_normalized, active, type, is_company,
                                     partner_share, lang, create_uid, write_uid, create_date, write_date)
            SELECT 'Kunde ' || g, 'Kunde ' || g,
                   'kunde.' || g || '.' || %(tag)s || '@schule-' || (g %% 1000) || '.example',
                   'kunde.' || g || '.' || %(tag)s || '@schule-' || (g %% 1000) || '.example',
                   true, 'contact', false, true, 'de_DE', 1, 1, now(), now()
              FROM generate_series(%(first)s, %(first)s + %(count)s - 1) g
            RETURNING id
            """,
            {"tag": self.tag, "count": count, "first": self.seeded_partners},
        )
        ids = [row[0] for row in self.cr.fetchall()]
        self.seeded_partners += count
        self.cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [ids])
        return ids

    def _seed_messages(self, ticket_ids):
        """Two mails and the customer as follower per ticket, as for tickets that came by mail."""
        comment = self.env.ref("mail.mt_comment").id
        self.cr.execute(
            """
            INSERT INTO mail_message (model, res_id, message_type, subtype_id, body, subject, message_id,
                                      author_id, email_from, date, create_uid, write_uid, create_date, write_date)
            SELECT 'stueber.helpdesk.ticket', t.id, 'email', %(comment)s, '<p>Bench-Nachricht</p>', t.name,
                   '<bench-seed-' || t.id || '-' || k || '-' || %(tag)s || '@bench.example>',
                   t.partner_id, t.email_from, t.create_date, 1, 1, t.create_date, t.create_date
              FROM stueber_helpdesk_ticket t CROSS JOIN generate_series(1, 2) k
             WHERE t.id = ANY(%(ids)s)
            """,
            {"comment": comment, "tag": self.tag, "ids": ticket_ids},
        )
        self.cr.execute(
            """
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT 'stueber.helpdesk.ticket', id, partner_id FROM stueber_helpdesk_ticket
             WHERE id = ANY(%s) AND partner_id IS NOT NULL
            """,
            [ticket_ids],
        )

    # -- mails ----------------------------------------------------------

    def _mail(self, kind):
        self.counter += 1
        n = self.counter
        if kind == "reply":
            ticket = self.reply_targets[n % len(self.reply_targets)]
            partner = ticket.partner_id
            return REPLY_MAIL.format(
                name=partner.name,
                email=partner.email,
                support=self.support,
                number=ticket.number,
                subject=ticket.name,
                tag=self.tag,
                n=n,
            )
        self.new_count += 1
        partner = self.senders[self.new_count % len(self.senders)]
        return NEW_MAIL.format(name=partner.name, email=partner.email, support=self.support, tag=self.tag, n=n)

    def process(self, kind):
        """One mail through the gateway and its commit, as in the fetchmail loop (without SMTP)."""
        raw = self._mail(kind).encode()
        queries = self.cr.sql_log_count
        start = time.perf_counter()
        result = self.env["mail.thread"].message_process(None, raw)
        self.cr.postcommit.clear()  # would send the receipt over SMTP
        self.cr.commit()
        elapsed = time.perf_counter() - start
        if not result:
            raise RuntimeError(f"a {kind} mail was not accepted (see Unassigned Mail):\n{raw.decode()}")
        return elapsed, self.cr.sql_log_count - queries

    def run_level(self, mails):
        results = {"new": [], "reply": []}
        start = time.perf_counter()
        for index in range(mails):
            kind = "new" if index % 2 == 0 else "reply"
            results[kind].append(self.process(kind))
        total = time.perf_counter() - start
        return total, results

    def send_receipts(self):
        """The receipt cron's work for the new tickets of a level, a committed
        batch at a time: (receipts, seconds, queries)."""
        receipts = self.env["stueber.helpdesk.receipt"]
        queries = self.cr.sql_log_count
        start = time.perf_counter()
        count = 0
        while sent := receipts._send_pending():
            self.cr.postcommit.clear()  # the mail queue cron would send them
            self.cr.commit()
            count += sent
        return count, time.perf_counter() - start, self.cr.sql_log_count - queries


def report(level, tickets, total, results, mails):
    row = {"level": level, "tickets": tickets, "mails_per_s": mails / total}
    for kind, samples in results.items():
        times = [elapsed for elapsed, _queries in samples]
        queries = [count for _elapsed, count in samples]
        row[kind] = {
            "median_ms": statistics.median(times) * 1000,
            "per_s": 1 / statistics.median(times),
            "queries_median": statistics.median(queries),
            "queries_mean": statistics.mean(queries),
            "queries_max": max(queries),
        }
    print(
        f"{tickets:>8,} tickets | all: {row['mails_per_s']:6.1f} mails/s | "
        + " | ".join(
            f"{kind}: {row[kind]['per_s']:6.1f}/s (median {row[kind]['median_ms']:5.1f} ms), "
            f"queries/mail median {row[kind]['queries_median']:.0f} mean {row[kind]['queries_mean']:.1f} "
            f"max {row[kind]['queries_max']}"
            for kind in ("new", "reply")
        ),
        flush=True,
    )
    return row


def copy_database(source):
    """A throw-away copy of ``source`` (PostgreSQL template copy): the benchmark commits after each mail."""
    work = f"{source}_bench_{os.getpid()}"
    with closing(db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("CREATE DATABASE %s TEMPLATE %s", SQL.identifier(work), SQL.identifier(source)))
    return work


def drop_database(work):
    Registry.delete(work)
    close_db(work)
    with closing(db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(work)))
    shutil.rmtree(config.filestore(work), ignore_errors=True)


def main():
    args = parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    setup_odoo(args.database)
    work = copy_database(args.database)
    try:
        with Registry(work).cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"tz": "Europe/Berlin"})
            new_mails = WARMUP + args.mails * len(levels) // 2
            bench = Bench(env, senders=-(-new_mails // MAILS_PER_SENDER))
            bench.seed(levels[0])
            cr.commit()
            for index in range(WARMUP):
                bench.process("new" if index % 2 == 0 else "reply")
            print(f"Odoo {odoo.release.version}, copy of {args.database}, {args.mails} mails per level", flush=True)
            rows = []
            for level in levels:
                bench.seed(level)
                cr.commit()
                tickets = bench.ticket_count()
                total, results = bench.run_level(args.mails)
                rows.append(report(level, tickets, total, results, args.mails))
                receipts, seconds, queries = bench.send_receipts()
                if receipts:
                    print(
                        f"{'':>8}   receipt cron: {receipts} receipts, {seconds / receipts * 1000:5.1f} ms "
                        f"and {queries / receipts:.1f} queries per receipt",
                        flush=True,
                    )
            if len(rows) > 1:
                first, last = rows[0], rows[-1]
                print(
                    f"ratio {last['tickets']:,} vs {first['tickets']:,} tickets: "
                    f"mails/s {last['mails_per_s'] / first['mails_per_s']:.2f}x, "
                    f"queries/mail new {last['new']['queries_median'] / first['new']['queries_median']:.2f}x, "
                    f"reply {last['reply']['queries_median'] / first['reply']['queries_median']:.2f}x"
                )
    finally:
        drop_database(work)


if __name__ == "__main__":
    main()
