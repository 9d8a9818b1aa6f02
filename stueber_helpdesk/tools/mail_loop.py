"""Mail loop protection: recognise mail that no automatic mail may answer.

An automatic answer (receipt, "please register" reply) to an automatic mail
(vacation notice, bounce, mailing list, another helpdesk's receipt, our own
notification) can start a mail loop between two robots. RFC 3834 asks every
responder to stay silent on such mail and to mark its own mail with
``Auto-Submitted``; these helpers do both.

Usage::

    from odoo.addons.stueber_helpdesk.tools.mail_loop import is_automatic_message

    if not is_automatic_message(message, own_addresses=...):
        ...  # an automatic reply is allowed

``message`` is the ``email.message.Message`` the gateway parsed; a
``message_parse`` dict also works, with the checks its keys allow (sender and
bounce only, as it keeps no raw headers).
"""

import re
from email.message import Message

from odoo.tools.mail import email_normalize, email_split

# Set on every automatic mail of this addon; recognises our own mail coming
# back (e.g. a customer's mail server bouncing or forwarding it to the alias).
OWN_AUTO_HEADER = "X-Stueber-Helpdesk-Auto"

# Headers of every automatic mail we send (RFC 3834, Microsoft's suppress header).
AUTOMATIC_MAIL_HEADERS = {
    "Auto-Submitted": "auto-generated",
    "X-Auto-Response-Suppress": "All",
    OWN_AUTO_HEADER: "1",
}

# Any of these headers marks the mail as sent by a robot, whatever its value.
_ROBOT_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "List-Id", OWN_AUTO_HEADER)
# Present on notifications sent by Odoo (ours or another Odoo helpdesk's).
_ODOO_HEADER = "X-Odoo-Objects"
_BULK_PRECEDENCE = {"bulk", "junk", "list"}
_ROBOT_LOCALPART = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+._-].*)?$",
    re.IGNORECASE,
)


def is_robot_address(email):
    """True for MAILER-DAEMON, postmaster, no-reply and bounce addresses."""
    addresses = email_split(email or "")
    localpart = addresses[0].rsplit("@", 1)[0] if addresses else ""
    return bool(_ROBOT_LOCALPART.match(localpart))


def _header(message, name):
    value = message.get(name)
    return str(value).strip() if value is not None else None


def _has_automatic_headers(message):
    auto_submitted = _header(message, "Auto-Submitted")
    if auto_submitted and auto_submitted.split(";", 1)[0].strip().lower() != "no":
        return True
    precedence = (_header(message, "Precedence") or "").lower()
    if precedence in _BULK_PRECEDENCE:
        return True
    if any(_header(message, name) is not None for name in (*_ROBOT_HEADERS, _ODOO_HEADER)):
        return True
    return_path = _header(message, "Return-Path")
    if return_path is not None and return_path.strip("<> ") == "":
        return True
    content_type = message.get_content_type()
    return content_type == "multipart/report"


def is_automatic_message(message, own_addresses=()):
    """Whether ``message`` was sent by a robot, so that no automatic mail may answer it.

    :param message: an ``email.message.Message`` or a ``message_parse`` dict
    :param own_addresses: normalised addresses our own mail is sent from
        (catchall, bounce, notification and alias addresses)
    """
    if isinstance(message, Message):
        if _has_automatic_headers(message):
            return True
        sender = _header(message, "From") or ""
    else:
        if message.get("is_bounce"):
            return True
        sender = message.get("email_from") or ""
    if is_robot_address(sender):
        return True
    return bool(own_addresses) and email_normalize(sender) in set(own_addresses)
