"""A burst of 1,000 mails in the mailbox, fetched by Odoo's fetchmail cron under ``--workers=2``.

Issue 9 §3: nothing lost, nothing twice, and how long it takes. The set-up is the production
one, on loopback:

- a throw-away dovecot (the one of ``tests/test_mail_imap.py``) holds the mailbox; the
  1,000 mails are put into it (IMAP APPEND) before Odoo looks: half new tickets from
  registered customers, half replies to their open tickets (In-Reply-To and ``[Ticket#N]``),
  every other one with a 50 KB PDF attached (the mails of ``bench_mail_peer.py``);
- ``odoo-bin --workers=2 --max-cron-threads=2`` serves a copy of the seeded 1k template of
  ``bench_mail_peer.py`` (build it first with ``bench_mail_peer.py --sizes 1000 --build-only``),
  with an incoming IMAP server and, as outgoing server, the SMTP sink of ``scripts/run``: the
  receipts really go out over SMTP, as in production;
- the fetchmail cron is triggered once; the clock runs until every mail is on a ticket or in
  Unassigned Mail and the mailbox has no unread mail left.

How Odoo 19's cron paces the work matters more than the speed of one mail: a cron job gets
10 seconds (``MIN_TIME_PER_JOB``); after that each of its remaining loops fetches a single
mail (new IMAP login each time), and a job that stops with mails left is started again at the
cron workers' next poll, about a minute later, unless ``ODOO_NOTIFY_CRON_CHANGES`` is set
(``--notify-cron-changes``).

Then it checks, by Message-Id, that each of the 1,000 mails was taken exactly once (one
message on a ticket or one entry in Unassigned Mail), that 500 tickets were created and that
each got one receipt through SMTP, and prints the time and mails per second.

Usage (repository root, project virtualenv)::

    ~/.cache/stueber_helpdesk/venv/bin/python benchmarks/bench_mail_burst.py [--mails 1000] [--prefix shd_bench]
"""

import argparse
import collections
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import bench_mail_peer as bench

TIMEOUT = 3600


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=1000, help="mails in the burst (half new, half replies)")
    parser.add_argument("--prefix", default="shd_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database and logs for a look")
    parser.add_argument(
        "--notify-cron-changes",
        action="store_true",
        help="run Odoo with ODOO_NOTIFY_CRON_CHANGES=1: a cron job that stopped with work left is started "
        "again at once instead of at the cron workers' next poll (about a minute)",
    )
    return parser.parse_args()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def burst_mails(count):
    """``count`` raw mails, new ones and replies in turns, as ``str`` for IMAP APPEND."""
    mails = bench.Mails(1000, "burst")
    new = mails.make("new", "burst", count // 2)
    replies = mails.make("reply", "burst", count - count // 2)
    return [mail.decode() for pair in zip(new, replies, strict=False) for mail in pair]


def configure(db, imap_port, login, smtp_port):
    """The incoming IMAP server (confirmed) and the SMTP sink as outgoing server."""
    from odoo import api
    from odoo.modules.registry import Registry

    with Registry(db).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env["ir.mail_server"].create(
            {
                "name": "Burst SMTP sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "smtp_encryption": "none",
                "smtp_authentication": "login",
            }
        )
        server = env["fetchmail.server"].create(
            {
                "name": "Burst mailbox",
                "server_type": "imap",
                "server": "127.0.0.1",
                "port": imap_port,
                "is_ssl": False,
                "user": login[0],
                "password": login[1],
            }
        )
        server.button_confirm_login()  # connects once, sets it 'done' and activates the fetchmail cron
        cron = env.ref("mail.ir_cron_mail_gateway_action")
        cron.nextcall = "2100-01-01 00:00:00"  # not before the clock starts
    bench.drop_registry(db)


def trigger_fetchmail(db):
    from odoo import api
    from odoo.modules.registry import Registry

    with Registry(db).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env.ref("mail.ir_cron_mail_gateway_action")._trigger()  # NOTIFY after commit: the cron workers wake up


def taken(db, tag):
    """Per Message-Id of the burst: how often it is on a ticket and in Unassigned Mail."""
    rows = bench.psql(
        db,
        f"""
        SELECT message_id, 'ticket' FROM mail_message
         WHERE model = 'stueber.helpdesk.ticket' AND message_id LIKE '<bench-{tag}-%'
        UNION ALL
        SELECT message_id, 'unassigned' FROM stueber_helpdesk_unassigned_mail WHERE message_id LIKE '<bench-{tag}-%'
        """,
    )
    return [tuple(line.split("|")) for line in rows.splitlines() if line]


def wait_for_http(port, server):
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("odoo-bin exited before it served")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError("odoo-bin did not answer within 5 minutes")


def main():
    args = parse_args()
    sys.path.insert(0, str(bench.ODOO_SRC))
    from odoo.tools import config

    config.parse_config(
        [f"--addons-path={bench.addons_path()}", *bench.db_options(), "--log-level=warn"], setup_logging=True
    )
    # the end-to-end test's throw-away dovecot (importable once Odoo knows the addons path)
    from odoo.addons.stueber_helpdesk.tests.test_mail_imap import PASSWORD, USER, Dovecot

    template = f"{args.prefix}_ours_1k"
    if not bench.db_exists(template):
        raise SystemExit(f"{template} is missing: run benchmarks/bench_mail_peer.py --sizes 1000 --build-only")
    db = f"{args.prefix}_burst"
    bench.copy_db(template, db)
    work = Path(tempfile.mkdtemp(prefix="stueber-burst-"))
    outbox = work / "outbox"
    dovecot = Dovecot()
    sink = server = None
    try:
        dovecot.start()
        mails = burst_mails(args.mails)
        dovecot.deliver(*mails)
        print(f"{dovecot.unread_count()} unread mails in the mailbox", flush=True)
        smtp_port, http_port = free_port(), free_port()
        sink = subprocess.Popen(
            [
                sys.executable,
                str(Path(bench.REPO_DIR) / "scripts" / "smtp_sink.py"),
                "--port",
                str(smtp_port),
                "--folder",
                str(outbox),
            ],
            stdout=subprocess.DEVNULL,
        )
        configure(db, dovecot.imap_port, (USER, PASSWORD), smtp_port)
        log = work / "odoo.log"
        server = subprocess.Popen(
            [
                sys.executable,
                f"{bench.ODOO_SRC}/odoo-bin",
                f"--addons-path={bench.addons_path()}",
                *bench.db_options(),
                f"--database={db}",
                f"--db-filter=^{db}$",
                "--workers=2",
                "--max-cron-threads=2",
                "--http-interface=127.0.0.1",
                f"--http-port={http_port}",
                f"--logfile={log}",
                "--log-level=info",
            ],
            start_new_session=True,  # its workers are stopped with it, as a group
            env={**os.environ, **({"ODOO_NOTIFY_CRON_CHANGES": "1"} if args.notify_cron_changes else {})},
        )
        wait_for_http(http_port, server)
        started = time.perf_counter()
        trigger_fetchmail(db)
        bench.drop_registry(db)
        done, last_report = [], 0
        while time.perf_counter() - started < TIMEOUT:
            done = taken(db, "burst")
            if len(done) >= args.mails and dovecot.unread_count() == 0:
                break
            if time.perf_counter() - last_report > 30:
                print(f"  {time.perf_counter() - started:5.0f} s: {len(done)} mails taken", flush=True)
                last_report = time.perf_counter()
            time.sleep(1)
        elapsed = time.perf_counter() - started
        report(db, args.mails, mails, done, elapsed, outbox, dovecot, args.notify_cron_changes)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        if sink is not None:
            sink.terminate()
            sink.wait(timeout=10)
        dovecot.stop()
        if not args.keep:
            subprocess.run(["dropdb", db], check=False)
            shutil.rmtree(config.filestore(db), ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"Kept database {db} and {work}")


def report(db, count, mails, done, elapsed, outbox, dovecot, notify):
    counts = collections.Counter(message_id for message_id, _where in done)
    sent = {line.split("Message-ID: ")[1].split("\n")[0] for line in mails}
    lost = sent - counts.keys()
    twice = [message_id for message_id, n in counts.items() if n > 1]
    unassigned = sum(1 for _id, where in done if where == "unassigned")
    new_tickets = int(
        bench.psql(db, "SELECT count(*) FROM stueber_helpdesk_ticket WHERE create_date > now() - interval '1 day'")
    )
    # receipts: one per new ticket, sent through SMTP (the sink's .eml files) or still queued
    tickets_with_receipt, receipts, queued = bench.psql(
        db,
        """
        SELECT count(DISTINCT m.res_id), count(*), count(mm.id) FILTER (WHERE mm.state = 'outgoing')
          FROM mail_message m LEFT JOIN mail_mail mm ON mm.mail_message_id = m.id
         WHERE m.model = 'stueber.helpdesk.ticket' AND m.message_type = 'auto_comment'
           AND m.create_date > now() - interval '1 day'
        """,
    ).split("|")
    smtp_sent = len(list(outbox.glob("*.eml")))
    print(
        f"\nBurst of {count} mails (fetchmail cron, --workers=2{', ODOO_NOTIFY_CRON_CHANGES=1' if notify else ''}): "
        f"{elapsed:.0f} s, {count / elapsed:.2f} mails/s\n"
        f"  taken: {len(counts)} distinct mails ({unassigned} in Unassigned Mail), lost: {len(lost)}, "
        f"twice: {len(twice)}; unread left in the mailbox: {dovecot.unread_count()}\n"
        f"  new tickets: {new_tickets} (expected {count // 2}); receipts: {receipts} for {tickets_with_receipt} "
        f"tickets, {smtp_sent} sent through SMTP, {queued} waiting in the mail queue"
    )
    if lost or twice or len(counts) != count or new_tickets != count // 2 or int(receipts) != new_tickets:
        raise SystemExit(f"FAILED: lost {sorted(lost)[:5]}, twice {twice[:5]}")


if __name__ == "__main__":
    main()
