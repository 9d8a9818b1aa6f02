"""Make the SMTP sink of scripts/run the outgoing mail server of its database.

Run by scripts/run through ``odoo-bin shell`` (which provides ``env``; scripts/run commits
after it); the port comes from ``STUEBER_SMTP_PORT``. Mails that waited in the queue (e.g.
receipts of the demo tickets) are sent by the mail queue cron once the server is there.
"""
# ruff: noqa: F821 (``env`` is given by odoo-bin shell)

import os

NAME = "Demo SMTP sink (scripts/run)"
values = {
    "name": NAME,
    "smtp_host": "127.0.0.1",
    "smtp_port": int(os.environ.get("STUEBER_SMTP_PORT", "8025")),
    "smtp_encryption": "none",
    "smtp_authentication": "login",
    "smtp_user": False,
    "smtp_pass": False,
    "sequence": 1,
    "active": True,
}
server = env["ir.mail_server"].with_context(active_test=False).search([("name", "=", NAME)], limit=1)
if server:
    server.write(values)
else:
    env["ir.mail_server"].create(values)
