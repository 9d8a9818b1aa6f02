"""Where the time of one incoming mail goes, on our side: Python (cProfile) and SQL.

Works on a throw-away copy of the seeded template of ``bench_mail_peer.py``
(``<prefix>_ours_<size>``, build it first), feeds the same kind of mails
(``new`` or ``reply``, every other with 50 KB attached) through
``message_process`` and prints

- the functions with the most cumulative time (cProfile), per mail;
- the queries per mail grouped by the chain of gateway/mail functions that
  issued them (outermost first), with their share of the SQL time.

Usage (repository root, project virtualenv)::

    ~/.cache/stueber_helpdesk/venv/bin/python benchmarks/profile_mail_intake.py \\
        [--kind new] [--mails 50] [--size 1000] [--prefix shd_bench] [--product ours]
"""

import argparse
import collections
import cProfile
import io
import pstats
import shutil
import subprocess
import sys
import time
import traceback

import bench_mail_peer as bench

# The functions a query is attributed to: the chain of these on its stack.
WATCHED = (
    "message_route",
    "_mail_route",
    "_mail_route_ticket",
    "_detect_loop_sender",
    "_detect_loop_headers",
    "_message_route_process",
    "message_new",
    "message_update",
    "_mail_send_receipt",
    "_generate_template",
    "_render_field",
    "_render_template",
    "message_post",
    "_message_create",
    "_message_post_process_attachments",
    "_message_auto_subscribe_notify",
    "_message_auto_subscribe",
    "message_subscribe",
    "_notify_thread",
    "_notify_get_recipients",
    "_notify_thread_by_inbox",
    "_notify_thread_by_email",
    "_notify_by_email_prepare_rendering_context",
    "_render_encapsulate",
    "_notify_by_email_render_layout",
    "_notify_thread_by_web_push",
    "_track_finalize",
    "_message_track",
    "_mail_find_partner_from_emails",
    "_partner_find_from_emails_single",
    "_message_parse_extract_payload",
    "_keep_message",
    "create",
    "flush_all",
    "_compute_field_value",
)


# The stages of a mail for the summary: parse, route, create, receipt, post, notify, attachments.
STAGES = (
    "message_process",
    "message_parse",
    "message_route",
    "_mail_route",
    "_detect_loop_sender",
    "_message_route_process",
    "message_new",
    "create",
    "_mail_send_receipt",
    "_generate_template",
    "_render_field",
    "message_post",
    "_message_create",
    "_notify_thread",
    "_notify_thread_by_email",
    "_notify_thread_by_inbox",
    "_notify_by_email_render_layout",
    "_render_encapsulate",
    "_message_post_process_attachments",
    "_file_write",
    "_message_auto_subscribe",
    "_partner_find_from_emails",
    "flush_all",
    "commit",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=("new", "reply"), default="new")
    parser.add_argument("--mails", type=int, default=50)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--prefix", default="shd_bench")
    parser.add_argument("--product", choices=bench.PRODUCTS, default="ours")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--stack", help="print the stack of the first query containing this text")
    return parser.parse_args()


class QueryLog:
    """Counts the cursor's queries by the chain of watched functions that issued them."""

    def __init__(self, cr, stack=None):
        self.cr = cr
        self.stack = stack
        self.counts = collections.Counter()
        self.seconds = collections.Counter()
        self._execute = cr.execute

    def __enter__(self):
        def execute(query, params=None, log_exceptions=True):
            start = time.perf_counter()
            try:
                return self._execute(query, params, log_exceptions)
            finally:
                text = " ".join(str(getattr(query, "code", query)).split())
                key = (self._chain(), text[:110])
                if self.stack and self.stack in text:
                    print(text[:300], "".join(traceback.format_stack()[-40:-2]), sep="\n")
                    self.stack = None
                self.counts[key] += 1
                self.seconds[key] += time.perf_counter() - start

        self.cr.execute = execute
        return self

    def __exit__(self, *exc):
        del self.cr.execute

    @staticmethod
    def _chain():
        chain = []
        for frame in traceback.extract_stack()[:-3]:
            name = frame.name
            if name in WATCHED and (not chain or chain[-1] != name):
                chain.append(name)
        return " > ".join(chain) or "(commit/other)"


def main():
    args = parse_args()
    bench.ensure_peer_addon()
    sys.path.insert(0, str(bench.ODOO_SRC))
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(
        [f"--addons-path={bench.addons_path()}", *bench.db_options(), "--log-level=warn"], setup_logging=True
    )
    template = f"{args.prefix}_{args.product}_{bench.label(args.size)}"
    work = f"{template}_profile"
    bench.copy_db(template, work)
    try:
        with Registry(work).cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            mails = bench.Mails(args.size, "profile")
            bench.process(env, mails.make(args.kind, "warm", bench.WARMUP))
            n = args.mails
            seconds, _cpu, queries = bench.process(env, mails.make(args.kind, "plain", n))
            print(
                f"{args.product}, {args.kind} mails at {args.size:,} tickets: {n / seconds:.1f} mails/s, "
                f"{seconds / n * 1000:.1f} ms and {sum(queries) / n:.1f} queries per mail (not profiled)\n"
            )
            profile = cProfile.Profile()
            profile.enable()
            bench.process(env, mails.make(args.kind, "prof", n))
            profile.disable()
            stream = io.StringIO()
            stats = pstats.Stats(profile, stream=stream).sort_stats("cumulative")
            stats.print_stats(args.top)
            # the stages of a mail, per mail (cumulative, so they nest)
            print("Stages of a mail (ms per mail, cumulative, profiled):")
            for (filename, line, function), row in sorted(stats.stats.items(), key=lambda item: -item[1][3]):
                if function in STAGES and "/odoo/orm/" not in filename:
                    where = filename.split("/addons/")[-1].split("/stueber_helpdesk/")[-1]
                    print(f"{row[3] / n * 1000:8.1f} ms  {row[1] / n:5.1f} calls  {function}  ({where}:{line})")
            print(stream.getvalue())
            with QueryLog(cr, args.stack) as log:  # a batch of its own: the stack walks would distort the profile
                bench.process(env, mails.make(args.kind, "sql", n))
            print("Queries per mail by issuing chain (outermost first):")
            total = sum(log.seconds.values())
            print(f"{sum(log.counts.values()) / n:6.2f} q  {total / n * 1000:6.2f} ms  in all")
            for key in sorted(log.counts, key=lambda key: (key[0], -log.counts[key])):
                if log.counts[key] >= n / 10:  # what most mails do
                    per_mail = log.counts[key] / n, log.seconds[key] / n * 1000
                    print(f"{per_mail[0]:6.2f} q  {per_mail[1]:6.2f} ms  {key[0]}\n{'':18}{key[1]}")
    finally:
        bench.drop_registry(work)
        subprocess.run(["dropdb", work], check=False)
        shutil.rmtree(config.filestore(work), ignore_errors=True)


if __name__ == "__main__":
    main()
