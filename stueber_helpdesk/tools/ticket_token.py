"""The ticket token of mail subjects, "[Ticket#10001]": written and read here only.

Customers answer by mail and keep the token in the subject; the gateway finds
the ticket by it. Everything that writes the token (subjects of staff answers,
receipt and status mails) calls ``format_token``, everything that reads it
``find_number`` or ``strip_tokens``, so the format has one home.
"""

import re

TOKEN_FORMAT = "[Ticket#{number}]"

# The token as mail clients give it back: any case and spacing.
_TOKEN = re.compile(r"\[\s*ticket\s*#\s*(\d+)\s*\]", re.IGNORECASE)


def format_token(number):
    """The token of the ticket with ``number``: "[Ticket#10001]"."""
    return TOKEN_FORMAT.format(number=number)


def find_number(subject):
    """The ticket number of the first token in ``subject``, or None."""
    match = _TOKEN.search(subject or "")
    return match.group(1) if match else None


def strip_tokens(subject):
    """``subject`` without any ticket token, spaces tidied."""
    return " ".join(_TOKEN.sub("", subject or "").split())
