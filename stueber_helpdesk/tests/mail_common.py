from pathlib import Path

from odoo.addons.mail.tests.common import MailCase

from .common import HelpdeskCase

FIXTURES = Path(__file__).parent / "fixtures"


class HelpdeskMailCase(HelpdeskCase, MailCase):
    """HelpdeskCase with Odoo's mail test gateway: the support alias on the
    test alias domain, outgoing mail captured at the SMTP layer, and tracking
    on (the HelpdeskCase fixtures are created without it, so without mails)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._init_mail_gateway()
        cls._init_mail_servers()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_create_nolog=False))
        cls.env["ir.config_parameter"].set_param("mail.restrict.template.rendering", False)
        cls.alias = cls.env.ref("stueber_helpdesk.mail_alias_support")
        cls.alias.alias_domain_id = cls.mail_alias_domain
        cls.support_email = f"support@{cls.alias_domain}"
        # the Authentication-Results of this server count (sender authentication)
        cls.env["ir.config_parameter"].set_param("stueber_helpdesk.mail_auth_servers", "mx.vendor.example")
        for user in (cls.agent, cls.manager):
            user.notification_type = "email"

    def process_fixture(self, name, replace=None):
        """Feed a fixture from ``tests/fixtures`` through Odoo's mail gateway.

        ``replace`` maps text of the fixture to its replacement (placeholders
        such as ``@@NUMBER@@``, or a sender to vary); returns what
        ``message_process`` returns (the thread id, or False).
        """
        raw = (FIXTURES / name).read_bytes()
        for old, new in (replace or {}).items():
            raw = raw.replace(old.encode(), new.encode())
        with self.mock_mail_gateway():
            result = self.env["mail.thread"].message_process(None, raw)
            self.send_queue()
        return result

    def send_queue(self):
        """Run the tracking, post the pending receipts and send the mails
        queued meanwhile, through the SMTP layer.

        Outside tests, receipts are posted and mail is sent after the commit,
        which a test never reaches: the receipt cron and the mail queue cron
        would do it.
        """
        self.flush_tracking()
        self.env["stueber.helpdesk.receipt"]._send_pending()
        self._new_mails.filtered(lambda mail: mail.state == "outgoing").send()

    def sent_to(self, partner):
        """The mails sent to ``partner`` through SMTP (captured by mock_mail_gateway)."""
        return [mail for mail in self._mails if any(partner.email_normalized in to for to in mail["email_to"])]

    def unassigned(self):
        return self.env["stueber.helpdesk.unassigned.mail"].search([])
