"""Mail intake side by side with the peer, OCA ``helpdesk_mgmt`` 19.0.1.3.2.

Both addons get the same data and the same raw mails in the same run, on the
same Odoo 19 and PostgreSQL, so the ratio ours/peer says what a school would
notice (issue 9 §3, PERFORMANCE.md):

- data: I = tickets / 50 institutions, 5 portal users each (registered and
  confirmed, verified members on our side; contacts of the institution's
  company on the peer's), 50 tickets per institution, a month old, a quarter
  of them closed; each ticket has its customer's first mail (with a
  Message-Id) and the customer as follower;
- mails: ``new`` mails from the portal users (round robin, so no sender
  comes near the loop threshold of 20 in two hours) and ``reply`` mails to
  an open ticket of theirs (``In-Reply-To`` the ticket's first mail, subject
  ``AW: [Ticket#N] ...``), every other mail with a 50 KB PDF attachment; the
  very same bytes go to both databases;
- timing: ``message_process`` as the fetchmail loop calls it, a commit every
  50 mails (the outgoing mails stay queued: nothing is sent), runs of 200
  mails per kind and product, both taking turns every 50 mails; each figure
  is the median of the runs (default 3). Besides mails per second (wall
  clock) it gives the CPU time of Odoo's process per mail, which other
  programs on a shared machine disturb much less. Queries are counted per
  mail (Odoo's cursor counter), the commit not included.

The peer is fetched from PyPI (``pip download --no-deps``) into
``~/.cache/stueber_helpdesk/peer`` and unpacked onto an addons path of its
own there: its code is never part of this repository.

Databases: ``<prefix>_ours_base`` / ``<prefix>_peer_base`` (the addon and
German installed, no demo data) and, per size, seeded templates
``<prefix>_ours_1k`` / ``<prefix>_peer_1k`` ... They are built once (100k:
a few minutes) and kept; each measurement works on throw-away copies
(``CREATE DATABASE ... TEMPLATE``) that are dropped at the end.

Usage (repository root, project virtualenv)::

    ~/.cache/stueber_helpdesk/venv/bin/python benchmarks/bench_mail_peer.py \\
        [--sizes 1000,100000] [--runs 3] [--mails 200] [--prefix shd_bench] [--rebuild]

Odoo is looked for in ``$ODOO_SRC`` (default ~/odoo-19.0); PostgreSQL via
PGHOST/PGPORT/PGUSER.
"""

import argparse
import base64
import glob
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from odoo_db import ODOO_SRC, REPO_DIR

PEER = "helpdesk_mgmt"
PEER_VERSION = "19.0.1.3.2"
PEER_CACHE = Path.home() / ".cache" / "stueber_helpdesk" / "peer" / PEER_VERSION
PEER_ADDONS = PEER_CACHE / "addons"

TICKETS_PER_INSTITUTION = 50
USERS_PER_INSTITUTION = 5
FIRST_NUMBER = 10001  # both number their tickets like ours: plain digits from 10001
COMMIT_EVERY = 50
WARMUP = 20
ATTACHMENT_SIZE = 50 * 1024
ALIAS_DOMAIN = "bench.example"
SUPPORT = f"support@{ALIAS_DOMAIN}"
PRODUCTS = ("ours", "peer")

NEW_MAIL = """\
From: {name} <{email}>
To: {support}
Subject: Beamer in Raum {n} zeigt kein Bild
Date: Mon, 30 Nov 2026 08:00:00 +0100
Message-ID: <bench-{tag}-new-{n}@schule.example>
MIME-Version: 1.0
"""

REPLY_MAIL = """\
From: {name} <{email}>
To: {support}
Subject: AW: [Ticket#{number}] Drucker {number} druckt nicht
Date: Mon, 30 Nov 2026 08:05:00 +0100
Message-ID: <bench-{tag}-reply-{n}@schule.example>
In-Reply-To: <bench-seed-{number}@schule.example>
References: <bench-seed-{number}@schule.example>
MIME-Version: 1.0
"""

NEW_TEXT = """\
Guten Morgen,

der Beamer in Raum {n} zeigt seit heute kein Bild mehr. Können Sie helfen?

Viele Grüße
{name}
"""

REPLY_TEXT = """\
Hallo, hier noch eine Ergänzung: es betrifft auch Raum {n}.

> Ihr Ticket wurde angelegt.
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="comma-separated ticket counts")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mails", type=int, default=200, help="mails per run, kind and product")
    parser.add_argument("--prefix", default="shd_bench", help="prefix of the databases")
    parser.add_argument("--rebuild", action="store_true", help="build the seeded templates again")
    parser.add_argument("--build-only", action="store_true", help="build the templates, measure nothing")
    return parser.parse_args()


# ----------------------------------------------------------------------------
# The peer and the databases
# ----------------------------------------------------------------------------


def ensure_peer_addon():
    """The peer's addon unpacked from its PyPI wheel onto an addons path of its own."""
    if (PEER_ADDONS / PEER / "__manifest__.py").exists():
        return
    PEER_CACHE.mkdir(parents=True, exist_ok=True)
    requirement = f"odoo-addon-{PEER.replace('_', '-')}=={PEER_VERSION}"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", requirement, "-d", str(PEER_CACHE)],
        check=True,
    )
    (wheel,) = glob.glob(str(PEER_CACHE / "*.whl"))
    prefix = f"odoo/addons/{PEER}/"
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.startswith(prefix) and not member.endswith("/"):
                target = PEER_ADDONS / PEER / member[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))


def addons_path():
    return f"{ODOO_SRC}/odoo/addons,{ODOO_SRC}/addons,{REPO_DIR},{PEER_ADDONS}"


def db_options():
    return [
        f"--db_host={os.environ.get('PGHOST', '127.0.0.1')}",
        f"--db_port={os.environ.get('PGPORT', '5432')}",
        f"--db_user={os.environ.get('PGUSER', 'root' if os.geteuid() == 0 else os.environ.get('USER', ''))}",
    ]


def psql(db, sql):
    result = subprocess.run(["psql", "-d", db, "-tAc", sql], capture_output=True, text=True, check=False)
    return result.stdout.strip()


def db_exists(db):
    return psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"


def ensure_base(db, module):
    """``module`` and German installed in ``db`` (no demo data)."""
    if db_exists(db) and psql(db, f"SELECT state FROM ir_module_module WHERE name = '{module}'") == "installed":
        return
    if db_exists(db):
        subprocess.run(["dropdb", db], check=True)
    print(f"Installing {module} into {db} (a few minutes)...", flush=True)
    subprocess.run(
        [
            sys.executable,
            f"{ODOO_SRC}/odoo-bin",
            f"--addons-path={addons_path()}",
            *db_options(),
            f"--database={db}",
            f"--init={module}",
            "--load-language=de_DE",
            "--stop-after-init",
            "--http-interface=127.0.0.1",
            "--http-port=0",
            "--log-level=warn",
        ],
        check=True,
    )


def copy_db(source, target):
    if db_exists(target):
        subprocess.run(["dropdb", target], check=True)
    subprocess.run(["createdb", "-T", source, target], check=True)


# ----------------------------------------------------------------------------
# Seeding: the same institutions, users, tickets, mails and followers for both
# ----------------------------------------------------------------------------


def label(size):
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def seed(env, product, size):
    """Seed an empty base database by SQL bulk inserts (see the module docstring)."""
    cr = env.cr
    started = time.perf_counter()
    institutions = max(1, size // TICKETS_PER_INSTITUTION)
    company = env.company.id
    # institutions' contacts (companies) and their portal users' contacts
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, email, email_normalized, is_company, active, type, lang,
                                 company_id, create_date, write_date)
        SELECT 'Bench-Schule ' || i, 'Bench-Schule ' || i, 'sekretariat@schule-' || i || '.example',
               'sekretariat@schule-' || i || '.example', TRUE, TRUE, 'contact', 'de_DE', NULL, now(), now()
          FROM generate_series(1, %s) i
        RETURNING id
        """,
        [institutions],
    )
    school_partners = sorted(row[0] for row in cr.fetchall())
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [school_partners])
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, email, email_normalized, parent_id, commercial_partner_id,
                                 is_company, active, type, lang, partner_share, create_date, write_date)
        SELECT 'Lehrkraft ' || u.i || '-' || u.k, 'Bench-Schule ' || u.i || ', Lehrkraft ' || u.i || '-' || u.k,
               'lehrkraft' || u.k || '@schule-' || u.i || '.example',
               'lehrkraft' || u.k || '@schule-' || u.i || '.example',
               s.id, s.id, FALSE, TRUE, 'contact', 'de_DE', TRUE, now(), now()
          FROM (SELECT i, k FROM generate_series(1, %(n)s) i, generate_series(0, %(users)s - 1) k) u
          JOIN unnest(%(schools)s::int[]) WITH ORDINALITY AS s(id, i) ON s.i = u.i
         ORDER BY u.i, u.k
        RETURNING id
        """,
        {"n": institutions, "users": USERS_PER_INSTITUTION, "schools": school_partners},
    )
    customers = sorted(row[0] for row in cr.fetchall())
    # their portal accounts
    cr.execute(
        """
        INSERT INTO res_users (login, partner_id, company_id, active, share, notification_type, create_date,
                               write_date)
        SELECT p.email, p.id, %s, TRUE, TRUE, 'email', now(), now() FROM res_partner p WHERE p.id = ANY(%s)
        RETURNING id
        """,
        [company, customers],
    )
    users = [row[0] for row in cr.fetchall()]
    cr.execute(
        "INSERT INTO res_groups_users_rel (gid, uid) SELECT %s, unnest(%s::int[])",
        [env.ref("base.group_portal").id, users],
    )
    cr.execute("INSERT INTO res_company_users_rel (cid, user_id) SELECT %s, unnest(%s::int[])", [company, users])
    if product == "ours":
        _seed_ours_accounts(env, school_partners, customers)
    # tickets: ticket g belongs to institution (g-1)/50 and its customer g %% 5; every fourth is closed
    params = {
        "n": size,
        "first": FIRST_NUMBER,
        "customers": customers,
        "users": USERS_PER_INSTITUTION,
        "per": TICKETS_PER_INSTITUTION,
        "company": company,
    }
    if product == "ours":
        _seed_ours_tickets(env, params)
    else:
        _seed_peer_tickets(env, params)
    # the customer's first mail and the customer as follower (Discussions) of each ticket
    model = "stueber.helpdesk.ticket" if product == "ours" else "helpdesk.ticket"
    table = model.replace(".", "_")
    comment = env.ref("mail.mt_comment").id
    cr.execute(
        f"""
        INSERT INTO mail_message (model, res_id, message_type, subtype_id, body, subject, message_id,
                                  author_id, email_from, reply_to, date, create_date, write_date)
        SELECT %(model)s, t.id, 'email', %(comment)s, '<p>Der Drucker druckt nicht.</p>', t.name,
               '<bench-seed-' || t.number || '@schule.example>', t.partner_id,
               '"' || p.name || '" <' || p.email || '>', NULL, t.create_date, t.create_date, t.create_date
          FROM {table} t JOIN res_partner p ON p.id = t.partner_id
        """,
        {"model": model, "comment": comment},
    )
    cr.execute(
        f"""
        WITH followers AS (
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT %s, id, partner_id FROM {table}
            RETURNING id
        )
        INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
        SELECT id, %s FROM followers
        """,
        [model, comment],
    )
    sequence_code = "stueber.helpdesk.ticket" if product == "ours" else "helpdesk.ticket.sequence"
    sequence = env["ir.sequence"].search([("code", "=", sequence_code)], limit=1)
    sequence.write({"number_next": FIRST_NUMBER + size, "prefix": False, "padding": 5})
    _setup_alias(env, product)
    env.flush_all()
    for analyzed in ("res_partner", "res_users", table, "mail_message", "mail_followers"):
        cr.execute(f"ANALYZE {analyzed}")
    print(f"  seeded {product} {size:,} in {time.perf_counter() - started:.0f} s", flush=True)


def _seed_ours_accounts(env, school_partners, customers):
    """Institutions with customer numbers, confirmed e-mails and verified memberships."""
    cr = env.cr
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_institution (name, customer_number, partner_id, membership_policy, active,
                                                  company_id, create_date, write_date)
        SELECT 'Bench-Schule ' || s.i, (50000 + s.i)::text, s.id, 'approval', TRUE, %s, now(), now()
          FROM unnest(%s::int[]) WITH ORDINALITY AS s(id, i)
         ORDER BY s.i
        RETURNING id
        """,
        [env.company.id, school_partners],
    )
    institutions = [row[0] for row in cr.fetchall()]
    cr.execute("UPDATE res_partner SET stueber_confirmed_email = email_normalized WHERE id = ANY(%s)", [customers])
    cr.execute(
        """
        INSERT INTO stueber_helpdesk_membership (partner_id, institution_id, state, company_id, create_date, write_date)
        SELECT c.id, (%s::int[])[1 + (c.n - 1) / %s], 'verified', %s, now(), now()
          FROM unnest(%s::int[]) WITH ORDINALITY AS c(id, n)
        """,
        [institutions, USERS_PER_INSTITUTION, env.company.id, customers],
    )


def _stages(env, model, closed_field):
    stages = env[model].search([], order="sequence, id")
    open_stages = stages.filtered(lambda s: not s[closed_field])
    closed = stages.filtered(closed_field)
    return open_stages[:2].ids, closed[:1].id


def _seed_ours_tickets(env, params):
    open_ids, closed_id = _stages(env, "stueber.helpdesk.stage", "is_closed")
    env.cr.execute(
        """
        INSERT INTO stueber_helpdesk_ticket
               (number, name, description, partner_id, email_from, institution_id, stage_id, is_closed,
                closed_date, priority, channel, company_id, active, create_date, write_date)
        SELECT (%(first)s + g - 1)::text, 'Drucker ' || (%(first)s + g - 1) || ' druckt nicht',
               '<p>Der Drucker druckt nicht.</p>', p.id, p.email, i.id, s.stage_id, g %% 4 = 0,
               CASE WHEN g %% 4 = 0 THEN now() - interval '29 days' END,
               '0', 'email', %(company)s, TRUE,
               now() - interval '30 days' - (g || ' seconds')::interval,
               now() - interval '30 days' - (g || ' seconds')::interval
          FROM generate_series(1, %(n)s) g
          JOIN res_partner p ON p.id = (%(customers)s::int[])[1 + ((g - 1) / %(per)s) * %(users)s + g %% %(users)s]
          JOIN stueber_helpdesk_institution i ON i.partner_id = p.parent_id,
               LATERAL (SELECT CASE WHEN g %% 4 = 0 THEN %(closed)s
                                    ELSE (%(open)s::int[])[1 + g %% 2] END AS stage_id) s
        """,
        {**params, "open": open_ids, "closed": closed_id},
    )


def _seed_peer_tickets(env, params):
    open_ids, closed_id = _stages(env, "helpdesk.ticket.stage", "closed")
    channel = env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email").id
    env.cr.execute(
        """
        INSERT INTO helpdesk_ticket
               (number, name, description, partner_id, commercial_partner_id, partner_name, partner_email,
                stage_id, closed_date, last_stage_update, priority, kanban_state, channel_id, company_id, active,
                create_date, write_date)
        SELECT (%(first)s + g - 1)::text, 'Drucker ' || (%(first)s + g - 1) || ' druckt nicht',
               '<p>Der Drucker druckt nicht.</p>', p.id, p.parent_id, p.name, p.email, s.stage_id,
               CASE WHEN g %% 4 = 0 THEN now() - interval '29 days' END,
               now() - interval '30 days', '1', 'normal', %(channel)s, %(company)s, TRUE,
               now() - interval '30 days' - (g || ' seconds')::interval,
               now() - interval '30 days' - (g || ' seconds')::interval
          FROM generate_series(1, %(n)s) g
          JOIN res_partner p ON p.id = (%(customers)s::int[])[1 + ((g - 1) / %(per)s) * %(users)s + g %% %(users)s],
               LATERAL (SELECT CASE WHEN g %% 4 = 0 THEN %(closed)s
                                    ELSE (%(open)s::int[])[1 + g %% 2] END AS stage_id) s
        """,
        {**params, "open": open_ids, "closed": closed_id, "channel": channel},
    )


def _setup_alias(env, product):
    """support@bench.example creates tickets in both."""
    domain = env["mail.alias.domain"].search([("name", "=", ALIAS_DOMAIN)]) or env["mail.alias.domain"].create(
        {"name": ALIAS_DOMAIN}
    )
    aliases = {"ours": "stueber_helpdesk.mail_alias_support", "peer": "helpdesk_mgmt.mail_alias_lead_info_helpdesk"}
    env.ref(aliases[product]).write({"alias_name": "support", "alias_domain_id": domain.id})


def ensure_templates(sizes, prefix, rebuild):
    ensure_base(f"{prefix}_ours_base", "stueber_helpdesk")
    ensure_base(f"{prefix}_peer_base", PEER)
    from odoo import api
    from odoo.modules.registry import Registry

    for size in sizes:
        for product in PRODUCTS:
            template = f"{prefix}_{product}_{label(size)}"
            if (
                db_exists(template)
                and not rebuild
                and psql(template, "SELECT 1 FROM ir_config_parameter WHERE key = 'bench.seeded'") == "1"
            ):
                continue
            print(f"Building {template}...", flush=True)
            copy_db(f"{prefix}_{product}_base", template)
            with Registry(template).cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                seed(env, product, size)
                env["ir.config_parameter"].set_param("bench.seeded", "1")
            drop_registry(template)


def drop_registry(db):
    from odoo.modules.registry import Registry
    from odoo.sql_db import close_db

    Registry.delete(db)
    close_db(db)


# ----------------------------------------------------------------------------
# Mails
# ----------------------------------------------------------------------------


class Mails:
    """The raw mails of one run: the same bytes for both products."""

    def __init__(self, size, seed_value):
        self.size = size
        self.institutions = max(1, size // TICKETS_PER_INSTITUTION)
        self.random = random.Random(seed_value)
        self.customers = self.institutions * USERS_PER_INSTITUTION
        self.next_sender = 0
        # open tickets (every fourth is closed), visited in a scattered order
        self.open_tickets = [g for g in range(1, size + 1) if g % 4]
        self.random.shuffle(self.open_tickets)
        self.next_ticket = 0

    @staticmethod
    def _customer(index):
        """Name and address of customer ``index`` (0-based, as seeded)."""
        i, k = index // USERS_PER_INSTITUTION + 1, index % USERS_PER_INSTITUTION
        return f"Lehrkraft {i}-{k}", f"lehrkraft{k}@schule-{i}.example"

    def _new(self, tag, n):
        # a stride coprime with the number of customers visits them all before repeating
        self.next_sender = (self.next_sender + 7919) % self.customers
        name, email = self._customer(self.next_sender)
        head = NEW_MAIL.format(name=name, email=email, support=SUPPORT, tag=tag, n=n)
        return head, NEW_TEXT.format(n=n, name=name)

    def _reply(self, tag, n):
        g = self.open_tickets[self.next_ticket % len(self.open_tickets)]
        self.next_ticket += 1
        institution = (g - 1) // TICKETS_PER_INSTITUTION
        name, email = self._customer(institution * USERS_PER_INSTITUTION + g % USERS_PER_INSTITUTION)
        number = FIRST_NUMBER + g - 1
        head = REPLY_MAIL.format(name=name, email=email, support=SUPPORT, tag=tag, n=n, number=number)
        return head, REPLY_TEXT.format(n=n)

    def make(self, kind, tag, count):
        mails = []
        for n in range(count):
            head, text = (self._new if kind == "new" else self._reply)(tag, n)
            mails.append(self._mime(head, text, with_attachment=n % 2 == 1, n=n))
        return mails

    def _mime(self, head, text, with_attachment, n):
        if not with_attachment:
            return (
                head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + text
            ).encode()
        payload = base64.encodebytes(self.random.randbytes(ATTACHMENT_SIZE)).decode()
        return (
            head
            + 'Content-Type: multipart/mixed; boundary="bench-boundary"\n\n'
            + "--bench-boundary\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            + text
            + "\n--bench-boundary\n"
            + f'Content-Type: application/pdf; name="Fehlerbild-{n}.pdf"\n'
            + f'Content-Disposition: attachment; filename="Fehlerbild-{n}.pdf"\n'
            + "Content-Transfer-Encoding: base64\n\n"
            + payload
            + "--bench-boundary--\n"
        ).encode()


# ----------------------------------------------------------------------------
# Measurement
# ----------------------------------------------------------------------------


def process(env, mails):
    """Feed ``mails`` through the gateway like the fetchmail loop, a commit every 50.

    Returns the wall-clock seconds, the CPU seconds of this process (Odoo's Python: what the
    other programs on a shared machine do not distort) and the queries of each mail."""
    cr = env.cr
    queries = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for index, raw in enumerate(mails, 1):
        before = cr.sql_log_count
        result = env["mail.thread"].message_process(None, raw)
        queries.append(cr.sql_log_count - before)
        if not result:
            raise RuntimeError(f"a mail was not accepted:\n{raw[:600].decode()}")
        if index % COMMIT_EVERY == 0 or index == len(mails):
            cr.postcommit.clear()  # would send the queued mails over SMTP
            cr.commit()
    return time.perf_counter() - start, time.process_time() - cpu_start, queries


def measure_size(size, prefix, runs, count):
    from odoo import api
    from odoo.modules.registry import Registry

    works = {product: f"{prefix}_{product}_{label(size)}_run" for product in PRODUCTS}
    for product, work in works.items():
        copy_db(f"{prefix}_{product}_{label(size)}", work)
    cursors = {product: Registry(work).cursor() for product, work in works.items()}
    try:
        envs = {product: api.Environment(cr, api.SUPERUSER_ID, {}) for product, cr in cursors.items()}
        samples = {(product, kind): [] for product in PRODUCTS for kind in ("new", "reply")}
        warmup = Mails(size, "warm-up")
        for kind in ("new", "reply"):
            mails = warmup.make(kind, "warmup", WARMUP)
            for env in envs.values():
                process(env, mails)
        for run in range(runs):
            generator = Mails(size, f"run-{run}")
            for kind in ("new", "reply"):
                mails = generator.make(kind, f"run{run}", count)
                spent = {product: [0.0, 0.0, []] for product in PRODUCTS}
                # both take turns every 50 mails, so a busy moment of the machine hits both alike
                for turn, first in enumerate(range(0, count, COMMIT_EVERY)):
                    for product in PRODUCTS if (run + turn) % 2 == 0 else PRODUCTS[::-1]:
                        seconds, cpu, queries = process(envs[product], mails[first : first + COMMIT_EVERY])
                        spent[product][0] += seconds
                        spent[product][1] += cpu
                        spent[product][2] += queries
                for product, (seconds, cpu, queries) in spent.items():
                    sample = (count / seconds, cpu / count * 1000, statistics.median(queries), max(queries))
                    samples[product, kind].append(sample)
                    print(
                        f"  {label(size):>5} run {run + 1} {kind:5} {product}: {sample[0]:5.1f} mails/s, "
                        f"{sample[1]:5.1f} ms CPU/mail, queries/mail median {sample[2]:.0f} max {sample[3]}",
                        flush=True,
                    )
        _check_outcome(envs, size, runs, count)
        return samples
    finally:
        for cr in cursors.values():
            cr.close()
        for work in works.values():
            drop_registry(work)
            subprocess.run(["dropdb", work], check=False)
            from odoo.tools import config

            shutil.rmtree(config.filestore(work), ignore_errors=True)


def _check_outcome(envs, size, runs, count):
    """Both took every mail the same way: the new tickets and the replies are where they belong."""
    expected_new = WARMUP + runs * count
    for product, env in envs.items():
        model = "stueber.helpdesk.ticket" if product == "ours" else "helpdesk.ticket"
        tickets = env[model].with_context(active_test=False).search_count([])
        if tickets != size + expected_new:
            raise RuntimeError(f"{product}: {tickets} tickets, expected {size + expected_new}")
        messages = env["mail.message"].search_count([("model", "=", model), ("message_id", "=like", "<bench-%")])
        if messages != size + 2 * expected_new:
            raise RuntimeError(f"{product}: {messages} customer mails on tickets, expected {size + 2 * expected_new}")


def report(results, sizes):
    print(
        "\nMail intake, medians of the runs: mails/s (wall clock), queries per mail, and the CPU time of "
        "Odoo's process per mail (less disturbed by other programs on the machine):\n"
    )
    print("| | peer | ours | ours / peer (mails/s) | ours / peer (CPU) |")
    print("|---|---|---|---|---|")
    for size in sizes:
        samples = results[size]
        for kind, title in (("new", "new ticket by mail"), ("reply", "reply by mail")):
            row = {
                product: [statistics.median(column) for column in zip(*samples[product, kind], strict=True)]
                for product in PRODUCTS
            }
            cells = {
                product: f"{rate:.1f} mails/s, {queries:.0f} q/mail, {cpu:.1f} ms CPU"
                for product, (rate, cpu, queries, _max) in row.items()
            }
            print(
                f"| {title}, {label(size)} tickets | {cells['peer']} | {cells['ours']} "
                f"| {row['ours'][0] / row['peer'][0]:.2f} | {row['peer'][1] / row['ours'][1]:.2f} |"
            )


def main():
    args = parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    ensure_peer_addon()
    sys.path.insert(0, str(ODOO_SRC))
    from odoo.tools import config

    config.parse_config([f"--addons-path={addons_path()}", *db_options(), "--log-level=warn"], setup_logging=True)
    ensure_templates(sizes, args.prefix, args.rebuild)
    if args.build_only:
        return
    import odoo

    print(
        f"Odoo {odoo.release.version}, {PEER} {PEER_VERSION}; {args.runs} runs of {args.mails} mails per kind, "
        f"every other with {ATTACHMENT_SIZE // 1024} KB attached, commit every {COMMIT_EVERY}",
        flush=True,
    )
    results = {size: measure_size(size, args.prefix, args.runs, args.mails) for size in sizes}
    report(results, sizes)


if __name__ == "__main__":
    main()
