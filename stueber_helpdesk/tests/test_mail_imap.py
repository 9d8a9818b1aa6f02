"""End to end: a real IMAP/POP3 server (Debian's dovecot) on loopback, fetched
by Odoo's incoming mail server (``fetchmail.server``), through the gateway.

Each test class starts its own dovecot from a temporary configuration (a
free port on 127.0.0.1, plain-text login from a passwd file, a maildir in the
temporary directory) and stops it afterwards. No mock: the mails travel over
a socket in IMAP and POP3 and Odoo's fetch loop commits after each of them.
scripts/test installs dovecot (``dovecot-imapd``, ``dovecot-pop3d``); when
it is missing the tests fail and say so.
"""

import imaplib
import os
import poplib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from odoo.tests import tagged
from odoo.tools import mute_logger

from .mail_bombs import nested_mail
from .mail_common import HelpdeskMailCase

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "helpdesk", "secret"
NOBODY = 65534  # owner of the maildir when dovecot runs as root (it refuses uid 0 for mail)

CONFIG = """\
base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:{tmp}/mail/%u
pop3_uidl_format = %g
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {tmp}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={tmp}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
"""

CUSTOMER_MAIL = """\
From: teacher_a <teacher_a@school-a.example>
To: support@test.mycompany.com
Subject: Whiteboard in Raum 3 reagiert nicht
Date: Wed, 25 Nov 2026 07:45:00 +0100
Message-ID: <{tag}-customer@school-a.example>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Guten Morgen, das Whiteboard in Raum 3 reagiert nicht auf Berührung.
"""

REPLY_MAIL = """\
From: teacher_a <teacher_a@school-a.example>
To: support@test.mycompany.com
Subject: AW: [Ticket#{number}] Drucker druckt nicht
Date: Wed, 25 Nov 2026 07:46:00 +0100
Message-ID: <{tag}-reply@school-a.example>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Der Drucker geht wieder, danke für die schnelle Hilfe.
"""

STRANGER_MAIL = """\
From: Fritz Fremd <fritz.fremd@elsewhere.example>
To: support@test.mycompany.com
Subject: Anfrage ohne Registrierung
Date: Wed, 25 Nov 2026 07:47:00 +0100
Message-ID: <{tag}-stranger@elsewhere.example>
Content-Type: text/plain; charset=utf-8

Ich bin nicht registriert.
"""

# A charset no codec knows: Odoo's parser raises on it.
BROKEN_MAIL = """\
From: teacher_a <teacher_a@school-a.example>
To: support@test.mycompany.com
Subject: Kaputte Kodierung
Date: Wed, 25 Nov 2026 07:48:00 +0100
Message-ID: <{tag}-broken@school-a.example>
Content-Type: text/plain; charset="x-no-such-charset"

kaputt
"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Dovecot:
    """A throw-away dovecot serving one mailbox over IMAP and POP3 on loopback."""

    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="stueber-dovecot-"))
        self.imap_port, self.pop3_port = _free_port(), _free_port()
        self.process = None

    def start(self):
        self.tmp.chmod(0o755)  # dovecot's unprivileged login processes must reach base_dir
        (self.tmp / "mail").mkdir()
        uid = NOBODY if os.geteuid() == 0 else os.geteuid()
        if os.geteuid() == 0:
            os.chown(self.tmp / "mail", NOBODY, NOBODY)
        (self.tmp / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        config = self.tmp / "dovecot.conf"
        config.write_text(CONFIG.format(tmp=self.tmp, uid=uid, imap_port=self.imap_port, pop3_port=self.pop3_port))
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self._wait_until_listening()

    def _wait_until_listening(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"dovecot exited: {self.process.stdout.read().decode()}{self.log()}")
            try:
                with imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=2) as imap:
                    imap.login(USER, PASSWORD)
                    imap.select()
                return
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.05)
        raise AssertionError(f"dovecot did not answer on 127.0.0.1:{self.imap_port}\n{self.log()}")

    def log(self):
        path = self.tmp / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def deliver(self, *mails):
        """Put ``mails`` into the inbox, unread, the way an MTA would (IMAP APPEND)."""
        with imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=5) as imap:
            imap.login(USER, PASSWORD)
            for mail in mails:
                raw = mail if isinstance(mail, bytes) else mail.replace("\n", "\r\n").encode()
                imap.append("INBOX", "", None, raw)

    def empty(self):
        with imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=5) as imap:
            imap.login(USER, PASSWORD)
            _status, data = imap.select()
            if int(data[0]):
                imap.store("1:*", "+FLAGS", "\\Deleted")
                imap.expunge()

    def unread_count(self):
        with imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=5) as imap:
            imap.login(USER, PASSWORD)
            imap.select()
            _status, data = imap.search(None, "UNSEEN")
            return len(data[0].split())

    def message_count(self):
        pop = poplib.POP3("127.0.0.1", self.pop3_port, timeout=5)
        try:
            pop.user(USER)
            pop.pass_(PASSWORD)
            return pop.stat()[0]
        finally:
            pop.quit()


@tagged("post_install", "-at_install")
class TestMailFetchmail(HelpdeskMailCase):
    """Mail fetched from a real server by Odoo's incoming mail server becomes
    tickets, replies and Unassigned Mail; a broken mail in between is kept and
    blocks nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not os.path.exists(DOVECOT):
            raise AssertionError(
                "dovecot is not installed: the end-to-end mail test needs Debian's dovecot-imapd and "
                "dovecot-pop3d (scripts/test installs them when run as root)."
            )
        cls.dovecot = Dovecot()
        cls.addClassCleanup(cls.dovecot.stop)
        cls.dovecot.start()
        # Only our server: the fetch loop works through every confirmed server.
        cls.env["fetchmail.server"].search([]).action_archive()

    def setUp(self):
        super().setUp()
        self.dovecot.empty()

    def fetchmail_server(self, server_type, port):
        server = self.env["fetchmail.server"].create(
            {
                "name": f"Support inbox ({server_type})",
                "server_type": server_type,
                "server": "127.0.0.1",
                "port": port,
                "is_ssl": False,
                "user": USER,
                "password": PASSWORD,
            }
        )
        server.button_confirm_login()  # logs in to dovecot for real
        self.assertEqual(server.state, "done")
        return server

    def mails(self, tag):
        return [
            mail.format(tag=tag, number=self.ticket_a.number)
            for mail in (CUSTOMER_MAIL, BROKEN_MAIL, STRANGER_MAIL, REPLY_MAIL)
        ]

    def fetch(self, server):
        """Run Odoo's fetch loop; its cursor commits after each mail (into the test transaction here)."""
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            server.with_env(server.env(cr=cr)).fetch_mail()

    def assertFetched(self, tag):
        Ticket = self.env["stueber.helpdesk.ticket"]
        ticket = Ticket.search([("name", "=", "Whiteboard in Raum 3 reagiert nicht")])
        self.assertEqual(len(ticket), 1, "the confirmed customer's mail became a ticket")
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id)
        self.assertEqual(ticket.channel, "email")
        replies = self.ticket_a.message_ids.filtered(lambda m: m.message_id == f"<{tag}-reply@school-a.example>")
        self.assertEqual(len(replies), 1, "the AW: reply with the token landed on its ticket")
        kept = self.unassigned()
        self.assertEqual(
            {(mail.reason, mail.message_id) for mail in kept},
            {
                ("unknown_sender", f"<{tag}-stranger@elsewhere.example>"),
                ("error", f"<{tag}-broken@school-a.example>"),
            },
        )
        self.assertIn("LookupError", kept.filtered(lambda mail: mail.reason == "error").error)

    @mute_logger(
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_mail_guard",
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_unassigned_mail",
    )
    def test_imap_inbox_is_fetched_into_tickets_and_unassigned_mail(self):
        self.dovecot.deliver(*self.mails("imap"))
        self.assertEqual(self.dovecot.unread_count(), 4)
        self.fetch(self.fetchmail_server("imap", self.dovecot.imap_port))
        self.assertEqual(self.dovecot.unread_count(), 0, "every mail was handled, the broken one too")
        self.assertFetched("imap")

    @mute_logger(
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_mail_guard",
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_unassigned_mail",
    )
    def test_pop3_inbox_is_fetched_into_tickets_and_unassigned_mail(self):
        self.dovecot.deliver(*self.mails("pop3"))
        self.assertEqual(self.dovecot.message_count(), 4)
        self.fetch(self.fetchmail_server("pop", self.dovecot.pop3_port))
        self.assertEqual(self.dovecot.message_count(), 0, "POP3: every mail was handled and deleted")
        self.assertFetched("pop3")

    @mute_logger(
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_mail_guard",
        "odoo.addons.stueber_helpdesk.models.stueber_helpdesk_unassigned_mail",
    )
    def test_imap_mail_that_keeps_the_parser_busy_blocks_no_mail_behind_it(self):
        """A fetch run used to sit on such a mail for minutes (under --workers
        until the cron was killed, fetching it again on the next run)."""
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.mail_time_budget", 1)
        slow = nested_mail("slow-imap@school-a.example", depth=3, html_parts=8, html_size=20_000)
        self.dovecot.deliver(slow, CUSTOMER_MAIL.format(tag="after-slow"))
        started = time.monotonic()
        self.fetch(self.fetchmail_server("imap", self.dovecot.imap_port))
        self.assertLess(time.monotonic() - started, 10, "the slow mail was stopped at its budget")
        self.assertEqual(self.dovecot.unread_count(), 0, "both mails were handled: none is fetched again")
        kept = self.unassigned()
        self.assertEqual(kept.mapped("reason"), ["too_slow"])
        self.assertEqual(kept.eml_attachment_id.raw, slow)
        ticket = self.env["stueber.helpdesk.ticket"].search([("name", "=", "Whiteboard in Raum 3 reagiert nicht")])
        self.assertEqual(ticket.partner_id, self.teacher_a.partner_id, "the mail behind it became a ticket")
