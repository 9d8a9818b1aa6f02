import ipaddress
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.sql_db import Cursor
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Failed registrations allowed per window, by what they are counted against:
# (ir.config_parameter, default). Settings in readme/SECURITY.md.
LIMITS = {
    "client": ("stueber_helpdesk.signup_limit_client", 5),  # one client address (IPv6: its /64), one session
    "number": ("stueber_helpdesk.signup_limit_number", 10),  # one customer number, from anywhere
    "global": ("stueber_helpdesk.signup_limit_global", 100),  # all registrations together
}
WINDOW_PARAM, WINDOW_DEFAULT = "stueber_helpdesk.signup_limit_minutes", 10
# Longer input is no customer number: one counter for all of it, however long.
MAX_NUMBER_LENGTH = 32


class StueberHelpdeskSignupLimit(models.Model):
    """How many registrations failed lately, per client, customer number and in all.

    Customer numbers must not be found by trying. Every sign-up attempt
    first takes a place in each of its counters (``_count_attempt``): the
    client address (an IPv6 address counts as its /64 network, which one
    household or attacker usually holds whole), the session, the customer
    number typed, and one global counter. When any counter is over its
    limit, the form checks nothing until the counter's window has passed.
    A successful registration gives its places back (``_forgive``), so only
    failures count.

    Counting is one ``INSERT ... ON CONFLICT DO UPDATE`` per counter, in a
    short transaction of its own at READ COMMITTED: PostgreSQL's row lock
    makes parallel attempts wait for each other, so a burst of parallel
    requests gets no more tries than the same requests one by one, and the
    lock is held for a moment, not for the whole request.

    Keys are the counted thing itself (the address range, the number as
    typed, a hash of the session id); only administrators read them.
    """

    _name = "stueber.helpdesk.signup.limit"
    _description = "Registration Limit"
    _order = "window_start desc, id desc"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    window_start = fields.Datetime(required=True, readonly=True, index=True)
    attempts = fields.Integer(readonly=True)

    _key_uniq = models.Constraint("UNIQUE(key)", "One counter per key.")

    # ------------------------------------------------------------
    # KEYS
    # ------------------------------------------------------------

    @api.model
    def _client_key(self, address):
        """The client's address as counted: IPv4 as is, IPv6 as its /64 network."""
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return f"client:{address}"
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if ip.version == 6:
            return f"client:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
        return f"client:{ip}"

    @api.model
    def _keys(self, address, session_hash, customer_number):
        """{key: kind of limit} of one attempt."""
        keys = {self._client_key(address): "client", f"session:{session_hash}": "client", "global": "global"}
        if customer_number:
            keys[f"number:{customer_number[:MAX_NUMBER_LENGTH]}"] = "number"
        return keys

    @api.model
    def _limits(self):
        """({kind: failures allowed per window}, window)."""
        ICP = self.env["ir.config_parameter"].sudo()

        def number(param, default):
            try:
                return max(int(ICP.get_param(param, default)), 1)
            except ValueError:
                return default

        limits = {kind: number(param, default) for kind, (param, default) in LIMITS.items()}
        return limits, timedelta(minutes=number(WINDOW_PARAM, WINDOW_DEFAULT))

    # ------------------------------------------------------------
    # COUNTING
    # ------------------------------------------------------------

    @api.model
    def _count_attempt(self, keys):
        """Count one attempt against each of ``keys`` ({key: kind}), atomically.

        :return: when the client may try again (UTC datetime) if any counter
            is over its limit, else None
        """
        limits, window = self._limits()
        with self.env.registry.cursor() as cr:
            self._read_committed(cr)
            counts = [self._increment(cr, key, window) for key in sorted(keys)]
        retry = [
            start + window
            for (key, (attempts, start)) in zip(sorted(keys), counts, strict=True)
            if attempts > limits[keys[key]]
        ]
        return max(retry) if retry else None

    @api.model
    def _forgive(self, keys):
        """Give back the places of a successful attempt: only failures count."""
        with self.env.registry.cursor() as cr:
            self._read_committed(cr)
            cr.execute(
                SQL(
                    "UPDATE stueber_helpdesk_signup_limit SET attempts = GREATEST(attempts - 1, 0) WHERE key = ANY(%s)",
                    sorted(keys),
                )
            )

    @api.model
    def _read_committed(self, cr):
        """A transaction of its own sees the counters as committed by others.

        Under Odoo's REPEATABLE READ a concurrent update of the same counter
        would raise a serialization error instead of waiting for it. Test
        cursors share the test's transaction, where this is moot.
        """
        if isinstance(cr, Cursor):
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")

    @api.model
    def _increment(self, cr, key, window):
        """Add one attempt to the counter ``key`` (a new window when the last one is over).

        :return: (attempts in the window, window start)
        """
        now = fields.Datetime.now()
        cr.execute(
            SQL(
                """
                INSERT INTO stueber_helpdesk_signup_limit AS l (key, window_start, attempts)
                VALUES (%(key)s, %(now)s, 1)
                ON CONFLICT (key) DO UPDATE SET
                    attempts = CASE WHEN l.window_start <= %(expired)s THEN 1 ELSE l.attempts + 1 END,
                    window_start = CASE WHEN l.window_start <= %(expired)s THEN %(now)s ELSE l.window_start END
                RETURNING attempts, window_start
                """,
                key=key,
                now=now,
                expired=now - window,
            )
        )
        return cr.fetchone()

    @api.autovacuum
    def _gc_signup_limits(self):
        _limits, window = self._limits()
        self.sudo().search([("window_start", "<", fields.Datetime.now() - window - timedelta(hours=1))]).unlink()
