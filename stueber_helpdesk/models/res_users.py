import hashlib
import hmac
import secrets
from datetime import timedelta

from odoo import api, fields, models

# How long the link of a confirmation mail may be used.
CONFIRMATION_VALIDITY = timedelta(days=3)
# A new link is sent at most this often, so the "send again" button cannot flood a mailbox.
CONFIRMATION_RESEND_DELAY = timedelta(minutes=5)


def _hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class ResUsers(models.Model):
    """E-mail confirmation of self-registered portal users.

    The confirmation link carries a random token; only its SHA-256 hash is
    stored, with its expiry and the address it was sent to. The token is
    single-use: confirming clears it. A token sent to an address the user
    has changed since confirms nothing.
    """

    _inherit = "res.users"

    stueber_confirm_token_hash = fields.Char(copy=False, groups="base.group_system", index="btree_not_null")
    stueber_confirm_token_email = fields.Char(copy=False, groups="base.group_system")
    stueber_confirm_token_expiry = fields.Datetime(copy=False, groups="base.group_system")
    stueber_helpdesk_unavailable = fields.Boolean(
        string="Not Available for Tickets",
        help="Automatic assignment skips this agent (e.g. ill, or busy with a project).",
    )
    stueber_helpdesk_team_ids = fields.Many2many(
        "stueber.helpdesk.team",
        "stueber_helpdesk_team_member_rel",
        "user_id",
        "team_id",
        string="Helpdesk Teams",
    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        """An archived user leaves everything (``stueber.helpdesk.access``)."""
        if "active" not in vals:
            return super().write(vals)
        archived = self.filtered("active").partner_id if not vals["active"] else self.env["res.partner"]
        with self.env["stueber.helpdesk.access"]._watch(self.partner_id):
            res = super().write(vals)
        if archived:
            self.env["stueber.helpdesk.access"]._user_archived(archived)
        return res

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _stueber_confirmation_recently_sent(self):
        """Whether a link went out less than ``CONFIRMATION_RESEND_DELAY`` ago."""
        self.ensure_one()
        expiry = self.sudo().stueber_confirm_token_expiry
        return bool(expiry) and expiry - CONFIRMATION_VALIDITY + CONFIRMATION_RESEND_DELAY > fields.Datetime.now()

    def _stueber_send_confirmation_mail(self):
        """Issue a new confirmation token and mail its link at once.

        A new token replaces the previous one, so only the latest link works.
        """
        self.ensure_one()
        user = self.sudo()
        token = secrets.token_urlsafe(32)
        user.write(
            {
                "stueber_confirm_token_hash": _hash_token(token),
                "stueber_confirm_token_email": user.partner_id.email_normalized,
                "stueber_confirm_token_expiry": fields.Datetime.now() + CONFIRMATION_VALIDITY,
            }
        )
        url = f"{user.get_base_url()}/web/signup/confirm/{token}"
        template = self.env.ref("stueber_helpdesk.mail_template_signup_confirmation")
        self.env["stueber.helpdesk.customer.mail"]._send(
            template.with_context(stueber_confirm_url=url), user, force_send=True
        )

    @api.model
    def _stueber_user_by_confirmation_token(self, token):
        """The user whose current confirmation link carries ``token``, or no user.

        The link names no user: the token alone finds its owner (by the
        stored hash), so nobody can point the check at someone else's account.
        """
        if not token:
            return self.browse()
        user = self.sudo().search([("stueber_confirm_token_hash", "=", _hash_token(token))], limit=1)
        return user if user and user._stueber_check_confirmation_token(token) else self.browse()

    def _stueber_check_confirmation_token(self, token):
        """Whether ``token`` is this user's current, unexpired token for their current address."""
        self.ensure_one()
        user = self.sudo()
        if not (token and user.stueber_confirm_token_hash and user.stueber_confirm_token_expiry):
            return False
        if user.stueber_confirm_token_expiry < fields.Datetime.now():
            return False
        if user.stueber_confirm_token_email != user.partner_id.email_normalized:
            return False
        return hmac.compare_digest(user.stueber_confirm_token_hash, _hash_token(token))

    def _stueber_confirm_email(self, token):
        """Confirm the address with ``token``, once; then apply the memberships' policies.

        :return: whether the token was valid
        """
        self.ensure_one()
        if not self._stueber_check_confirmation_token(token):
            return False
        user = self.sudo()
        email = user.stueber_confirm_token_email
        user.write(
            {
                "stueber_confirm_token_hash": False,
                "stueber_confirm_token_email": False,
                "stueber_confirm_token_expiry": False,
            }
        )
        # res.partner re-checks the memberships when the confirmed address changes
        user.partner_id.stueber_confirmed_email = email
        return True

    # ------------------------------------------------------------
    # DATA PROTECTION
    # ------------------------------------------------------------

    def _deactivate_portal_user(self, **post):
        """Core portal's "delete my account" is the person's erasure request:
        the account goes at once (core), the data after staff decided."""
        partners = self.partner_id
        res = super()._deactivate_portal_user(**post)
        self.env["stueber.helpdesk.privacy"]._request_erasure(partners)
        return res
