"""The demo shows mail end to end (scripts/run): the support alias has a demo domain, a mail
piped through core's ``odoo-mailgate.py`` becomes a ticket with its receipt, and the local
SMTP sink keeps what Odoo sends as .eml files.

The sink and the set-up script live in the repository's ``scripts/`` beside this addon; the
test database has the demo data (scripts/test installs it).
"""

import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from unittest.mock import patch

from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tests.common import release_test_lock
from odoo.tools.misc import file_path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"

MAIL = """\
From: Thomas Becker <lehrer@grundschule-am-see.de>
To: support@stueber-demo.de
Subject: Beamer in Raum 12
Message-ID: <demo-roundtrip-beamer@grundschule-am-see.de>

Der Beamer in Raum 12 zeigt kein Bild.
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestDemoMailSetup(TransactionCase):
    def test_demo_support_alias_has_the_demo_domain(self):
        alias = self.env.ref("stueber_helpdesk.mail_alias_support")
        self.assertEqual(alias.alias_full_name, "support@stueber-demo.de")
        self.assertEqual(self.env.company.alias_domain_id, alias.alias_domain_id, "company mail uses the domain too")

    def test_sink_becomes_the_outgoing_server_once(self):
        """scripts/use_smtp_sink.py (run by scripts/run in ``odoo-bin shell``) creates the
        server on the first run and only updates it on the next ones."""
        script = SCRIPTS / "use_smtp_sink.py"
        for port in ("8025", "18025"):
            with patch.dict(os.environ, {"STUEBER_SMTP_PORT": port}):
                exec(compile(script.read_text(), str(script), "exec"), {"env": self.env})
        server = self.env["ir.mail_server"].search([("name", "=", "Demo SMTP sink (scripts/run)")])
        self.assertEqual(len(server), 1)
        self.assertEqual((server.smtp_host, server.smtp_port, server.smtp_encryption), ("127.0.0.1", 18025, "none"))
        self.assertEqual(self.env["ir.mail_server"].search([], limit=1), server, "it is the one Odoo picks first")


class TestSmtpSink(TransactionCase):
    def test_sink_keeps_each_mail_as_eml(self):
        folder = Path(tempfile.mkdtemp(prefix="stueber-outbox-"))
        port = _free_port()
        sink = subprocess.Popen(
            [sys.executable, str(SCRIPTS / "smtp_sink.py"), "--port", str(port), "--folder", str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.addCleanup(sink.wait, 10)
        self.addCleanup(sink.terminate)
        self.assertIn(b"SMTP sink on", sink.stdout.readline(), "the sink says where it listens once it does")
        for number in (1, 2):
            message = EmailMessage()
            message["From"] = "notifications@stueber-demo.de"
            message["To"] = "lehrer@grundschule-am-see.de"
            message["Subject"] = f"[Ticket#1000{number}] Ihre Anfrage ist eingegangen"
            message.set_content("Guten Tag, wir haben Ihre Anfrage erhalten.")
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
                smtp.send_message(message)
        deadline = time.monotonic() + 10
        while len(list(folder.glob("*.eml"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        files = sorted(folder.glob("*.eml"))
        self.assertEqual(len(files), 2, "one .eml per mail")
        self.assertIn(b"Subject: [Ticket#10001] Ihre Anfrage ist eingegangen", files[0].read_bytes())
        self.assertIn(b"wir haben Ihre Anfrage erhalten", files[1].read_bytes())
        self.assertFalse(list(folder.glob(".*")), "no half-written files are left")


@tagged("post_install", "-at_install")
class TestDemoMailRoundTrip(HttpCase):
    def test_mail_piped_through_mailgate_becomes_ticket_with_receipt(self):
        """What scripts/run prints: the demo teacher's mail, piped through core's mailgate
        script over XML-RPC, becomes a ticket, and the receipt cron queues its receipt for him."""
        admin = self.env.ref("base.user_admin")
        self.http_request_allow_all = True  # the mailgate script does not carry the test's cookie
        mailgate = file_path("mail/static/scripts/odoo-mailgate.py")
        with release_test_lock():  # let the server take the test cursor for the script's request
            result = subprocess.run(
                [
                    sys.executable,
                    mailgate,
                    "-d",
                    self.env.cr.dbname,
                    "-u",
                    str(admin.id),
                    "-p",
                    "admin",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.http_port()),
                ],
                input=MAIL.encode(),
                capture_output=True,
                timeout=60,
                check=False,
            )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        teacher = self.env.ref("stueber_helpdesk.demo_partner_lehrer_see")
        ticket = self.env["stueber.helpdesk.ticket"].search([("name", "=", "Beamer in Raum 12")])
        self.assertEqual(ticket.partner_id, teacher)
        self.assertEqual(ticket.channel, "email")
        self.assertTrue(ticket.receipt_pending, "the receipt cron sends it within seconds")
        self.env["stueber.helpdesk.receipt"]._send_pending()  # what the triggered cron does
        mails = self.env["mail.mail"].search([("model", "=", ticket._name), ("res_id", "=", ticket.id)])
        receipt = mails.filtered(lambda mail: teacher in mail.recipient_ids)
        self.assertEqual(len(receipt), 1)
        self.assertIn(f"[Ticket#{ticket.number}]", receipt.subject)
