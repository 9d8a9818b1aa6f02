"""19.0.1.2.0: receipt and status mails carry each recipient's own link.

The templates live in a ``noupdate`` file, so an upgrade would keep their
old text with the ticket's shared link (``get_portal_url()``), which goes
to every recipient and on with every forward. Templates that still hold it
are reset to the new text (the link now comes from the mail layout, one per
recipient); templates staff rewrote without it are left alone.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

TEMPLATES = ("stueber_helpdesk.mail_template_ticket_receipt", "stueber_helpdesk.mail_template_ticket_status")


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in TEMPLATES:
        template = env.ref(xmlid, raise_if_not_found=False)
        if template and "get_portal_url()" in (template.body_html or ""):
            _logger.info("Resetting %s: its text held the ticket's shared link", xmlid)
            template.reset_template()
