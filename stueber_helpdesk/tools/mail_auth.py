"""Sender authentication: what the operator's mail server says about a mail's ``From``.

Anyone can write any ``From:``. The receiving mail server (Postfix with
OpenDKIM/OpenDMARC, rspamd, Exchange, Google, Microsoft 365...) checks SPF,
DKIM and DMARC and writes its verdict into an ``Authentication-Results``
header (RFC 8601), naming itself by its *authserv-id*. A sender can write
such a header too, so only headers whose authserv-id the operator trusts
count; all others are ignored.

Usage::

    from odoo.addons.stueber_helpdesk.tools.mail_auth import sender_authentication

    auth = sender_authentication(message, trusted_ids={"mx.vendor.example"})
    if auth.authenticated:
        ...  # DMARC pass, or a DKIM pass aligned with the From domain

``message`` is the ``email.message.Message`` the gateway parsed.
"""

import re
from dataclasses import dataclass, field

from odoo.tools.mail import email_normalize

_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"^\s*([\w.-]+)\s*=\s*([\w-]+)")
_PROPERTY = re.compile(r"([\w-]+)\.([\w-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)")


@dataclass(frozen=True)
class MethodResult:
    """One result of an ``Authentication-Results`` header, e.g. ``dkim=pass header.d=school.example``."""

    method: str
    result: str
    properties: dict = field(default_factory=dict)  # "header.d" -> "school.example"


@dataclass(frozen=True)
class SenderAuthentication:
    """The trusted verdicts on one mail, and what they prove about its ``From``."""

    from_domain: str
    results: tuple = ()  # MethodResult of trusted headers only
    authenticated: bool = False  # DMARC pass, or a DKIM pass aligned with the From domain

    def summary(self):
        """The trusted results as staff read them, e.g. "dmarc=fail, dkim=none"."""
        if not self.results:
            return "no trusted Authentication-Results"
        return ", ".join(f"{result.method}={result.result}" for result in self.results)


def parse_authentication_results(value):
    """``(authserv_id, [MethodResult])`` of one header value (RFC 8601 §2.2).

    Comments are dropped; a malformed part is skipped, never guessed at.
    """
    text = value or ""
    while _COMMENT.search(text):  # nested comments, innermost first
        text = _COMMENT.sub(" ", text)
    parts = [part.strip() for part in text.split(";")]
    authserv_id = parts[0].split()[0].lower() if parts and parts[0].split() else ""
    results = []
    for part in parts[1:]:
        match = _RESULT.match(part)
        if not match or match.group(1).lower() == "none":
            continue
        properties = {
            f"{ptype.lower()}.{prop.lower()}": val.strip('"').lower()
            for ptype, prop, val in _PROPERTY.findall(part[match.end() :])
        }
        results.append(MethodResult(match.group(1).lower(), match.group(2).lower(), properties))
    return authserv_id, results


def _aligned(domain, from_domain):
    """Relaxed alignment (RFC 7489 §3.1.1), without a public-suffix list: the
    signing domain is the From domain or one of its parent domains (never a
    bare top-level domain)."""
    domain = (domain or "").lstrip("@").lower()
    if not domain or "." not in domain or not from_domain:
        return False
    return from_domain == domain or from_domain.endswith("." + domain)


def _proves_sender(result, from_domain):
    """A DMARC pass for the From domain (the verifier checked it against the
    From it saw when it names none), or a DKIM pass aligned with it."""
    if result.result != "pass" or not from_domain:
        return False
    if result.method == "dmarc":
        return result.properties.get("header.from", from_domain) == from_domain
    if result.method == "dkim":
        signer = result.properties.get("header.d") or result.properties.get("header.i", "").rpartition("@")[2]
        return _aligned(signer, from_domain)
    return False


def sender_authentication(message, trusted_ids, email_from=None):
    """What the trusted ``Authentication-Results`` headers of ``message`` prove.

    :param message: an ``email.message.Message``
    :param trusted_ids: authserv-ids of the operator's mail servers (any case)
    :param email_from: the ``From`` address (default: the message's ``From`` header)
    """
    email = email_normalize(email_from or str(message.get("From") or "")) or ""
    from_domain = email.rpartition("@")[2]
    trusted = {authserv_id.strip().lower() for authserv_id in trusted_ids or () if authserv_id.strip()}
    results = []
    for header in message.get_all("Authentication-Results") or []:
        authserv_id, header_results = parse_authentication_results(str(header))
        if authserv_id in trusted:
            results.extend(header_results)
    authenticated = any(_proves_sender(result, from_domain) for result in results)
    return SenderAuthentication(from_domain=from_domain, results=tuple(results), authenticated=authenticated)
