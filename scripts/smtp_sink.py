"""A local SMTP sink for the demo: accepts every mail on loopback and keeps it as an .eml file.

``scripts/run`` starts it and makes it the demo database's outgoing mail server, so the receipts
and answers Odoo sends can be read (any mail program opens .eml files) and nothing leaves the
machine. It is aiosmtpd's server with a handler that writes each message, as received, to
``<folder>/<date>-<time>-<n>.eml`` (written to a temporary name first, so a reader never sees
half a mail).

Usage::

    python scripts/smtp_sink.py --folder DIR [--host 127.0.0.1] [--port 8025]
"""

import argparse
import itertools
import os
import signal
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class EmlFolder:
    """aiosmtpd handler: each message becomes one .eml file in ``folder``."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{next(self.counter):04d}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.folder / name)
        print(f"{name}: {envelope.mail_from} -> {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", required=True, help="where the .eml files go (created if missing)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()

    controller = Controller(EmlFolder(args.folder), hostname=args.host, port=args.port)
    controller.start()  # returns once the server answers
    print(f"SMTP sink on {args.host}:{args.port}, mails kept in {args.folder}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
