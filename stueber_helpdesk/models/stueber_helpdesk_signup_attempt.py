import hashlib
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

_logger = logging.getLogger(__name__)

# At most this many failed registrations per client address, and per session, ...
MAX_FAILURES = 5
# ... within this window.
FAILURE_WINDOW = timedelta(minutes=10)


class StueberHelpdeskSignupAttempt(models.Model):
    """A failed registration, kept a day to rate-limit guessing.

    Customer numbers must not be found by trying: after ``MAX_FAILURES``
    failures from one client address or one session within
    ``FAILURE_WINDOW`` the sign-up form refuses to check anything until the
    window has passed. The session id is a credential, so only its hash is
    kept. Only administrators read these records.
    """

    _name = "stueber.helpdesk.signup.attempt"
    _description = "Failed Registration"
    _order = "id desc"
    _log_access = False

    create_date = fields.Datetime(readonly=True, default=fields.Datetime.now, index=True)
    ip_address = fields.Char(string="Client Address", readonly=True, index=True)
    session_hash = fields.Char(readonly=True, index=True)
    reason = fields.Char(readonly=True)

    @api.model
    def _session_hash(self, session_id):
        return hashlib.sha256((session_id or "").encode()).hexdigest()

    @api.model
    def _is_blocked(self, ip_address, session_id):
        """Whether the client address or the session failed too often lately."""
        recent = Domain("create_date", ">", fields.Datetime.now() - FAILURE_WINDOW)
        for field, value in (("ip_address", ip_address), ("session_hash", self._session_hash(session_id))):
            if self.sudo().search_count(recent & Domain(field, "=", value), limit=MAX_FAILURES) >= MAX_FAILURES:
                return True
        return False

    @api.model
    def _record_failure(self, ip_address, session_id, reason):
        _logger.warning("Failed registration from %s: %s", ip_address, reason)
        self.sudo().create({"ip_address": ip_address, "session_hash": self._session_hash(session_id), "reason": reason})

    @api.autovacuum
    def _gc_signup_attempts(self):
        self.sudo().search([("create_date", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
