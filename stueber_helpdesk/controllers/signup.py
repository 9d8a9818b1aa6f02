import hashlib
import logging
import re

import werkzeug

from odoo import fields, http
from odoo.addons.auth_signup.controllers.main import AuthSignupHome
from odoo.addons.auth_signup.models.res_partner import SignupError
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.http import request
from odoo.tools import email_normalize
from odoo.tools.sql import escape_psql

_logger = logging.getLogger(__name__)

# A plain address with a dot in its domain; ``email_normalize`` alone accepts "a@b" and "Name <a@b>".
EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()/.\-]{3,30}$")
SIGNUP_FIELDS = ("name", "login", "phone", "customer_number", "password", "confirm_password")


class StueberAuthSignup(AuthSignupHome):
    """Free sign-up for customers: e-mail, password, name, phone and customer number.

    Every check runs before anything is written, and a failure creates no
    partner, user or membership. Failures are counted per client address
    (IPv6: per /64), per session, per customer number and in all
    (``stueber.helpdesk.signup.limit``): after too many, the form checks
    nothing until the time it names, so customer numbers cannot be found by
    trying.

    No oracle: the customer number is judged only when every other field is
    right. A form with any other error gets the same answer whether the
    number exists or not (same fields marked, same messages, the same
    lookup done either way), so a registered address plus a guessed number
    tells nothing.

    Sign-up with an invitation token (staff invited someone) stays Odoo's.
    """

    def get_auth_signup_qcontext(self):
        qcontext = super().get_auth_signup_qcontext()
        qcontext.update({key: request.params[key] for key in ("phone", "customer_number") if key in request.params})
        return qcontext

    @http.route()
    def web_auth_signup(self, *args, **kw):
        qcontext = self.get_auth_signup_qcontext()
        if request.httprequest.method != "POST" or qcontext.get("token"):
            return super().web_auth_signup(*args, **kw)
        if not qcontext.get("signup_enabled"):
            raise werkzeug.exceptions.NotFound()

        Limit = request.env["stueber.helpdesk.signup.limit"].sudo()
        keys = Limit._keys(
            request.httprequest.remote_addr,
            hashlib.sha256((request.session.sid or "").encode()).hexdigest(),
            request.env["stueber.helpdesk.institution"].normalize_customer_number(qcontext.get("customer_number")),
        )
        retry_at = Limit._count_attempt(keys)
        if retry_at:
            _logger.warning("Registration refused for %s: too many failed attempts", request.httprequest.remote_addr)
            return self._stueber_render_locked(qcontext, retry_at)

        errors, institution = self._stueber_check_signup(qcontext)
        if not errors:
            try:
                with request.env.cr.savepoint():
                    user = self._stueber_create_account(qcontext, institution)
            except (SignupError, UserError) as error:
                _logger.warning("Registration of %s failed: %s", qcontext.get("login"), error)
                errors = {"login": request.env._("Your account could not be created. Please contact our support.")}
        if errors:
            _logger.warning(
                "Failed registration from %s: %s", request.httprequest.remote_addr, ", ".join(sorted(errors))
            )
            qcontext["errors"] = errors
            qcontext["error"] = request.env._("Please correct the marked fields.")
            return self._stueber_render_signup(qcontext, status=200)

        Limit._forgive(keys)
        user._stueber_send_confirmation_mail()
        credential = {"login": user.login, "password": qcontext["password"], "type": "password"}
        request.session.authenticate(request.env, credential)
        return request.redirect(qcontext.get("redirect") or "/my", local=True)

    @http.route(
        "/web/signup/confirm/<string:token>",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
        methods=["GET", "POST"],
    )
    def stueber_signup_confirm(self, token, **kw):
        """Confirm an e-mail address by the link of the confirmation mail.

        GET only shows a button: mail scanners that follow links must not use
        up the single-use token. The POST (with CSRF token) confirms. The link
        names no user: the token finds its owner.
        """
        user = request.env["res.users"]._stueber_user_by_confirmation_token(token)
        if not user:
            return request.render("stueber_helpdesk.signup_confirm_invalid", {}, status=404)
        if request.httprequest.method != "POST":
            return request.render("stueber_helpdesk.signup_confirm", {"action": request.httprequest.path})
        user._stueber_confirm_email(token)
        return request.render(
            "stueber_helpdesk.signup_confirm_done",
            {"memberships": user.partner_id.stueber_membership_ids, "logged_in": request.env.user == user},
        )

    @http.route("/web/signup/confirm/resend", type="http", auth="user", methods=["POST"], website=True, sitemap=False)
    def stueber_signup_confirm_resend(self, **kw):
        """Send the logged-in user a new confirmation link, at most every few minutes."""
        user = request.env.user
        if user.partner_id.stueber_email_confirmed:
            return request.redirect("/my")
        if user._stueber_confirmation_recently_sent():
            return request.redirect("/my?stueber_confirmation=recent")
        user._stueber_send_confirmation_mail()
        return request.redirect("/my?stueber_confirmation=sent")

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _stueber_render_signup(self, qcontext, status):
        """The form again, with what the visitor typed except the passwords."""
        qcontext = {key: value for key, value in qcontext.items() if key not in ("password", "confirm_password")}
        response = request.render("auth_signup.signup", qcontext, status=status)
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        return response

    def _stueber_render_locked(self, qcontext, retry_at):
        """The form, refused until ``retry_at`` (UTC): the page and the
        ``Retry-After`` header say when to try again."""
        seconds = max(int((retry_at - fields.Datetime.now()).total_seconds()), 1)
        minutes = -(-seconds // 60)
        qcontext["error"] = request.env._(
            "Too many failed attempts. Please try again in %(minutes)s minutes or contact our support.",
            minutes=minutes,
        )
        response = self._stueber_render_signup(qcontext, status=429)
        response.headers["Retry-After"] = str(seconds)
        return response

    def _stueber_check_signup(self, qcontext):
        """Check every field; nothing is written here.

        The customer number is looked up always, and judged only when
        everything else is right (no oracle, see the class).

        :return: ({field: message}, the institution of the customer number)
        """
        _ = request.env._
        values = {field: (qcontext.get(field) or "").strip() for field in SIGNUP_FIELDS}
        errors = {}
        missing = _("Please fill in this field.")
        for field in SIGNUP_FIELDS:
            if not values[field]:
                errors[field] = missing

        email = email_normalize(values["login"])
        if values["login"] and not (email and EMAIL_RE.match(email) and email == values["login"].lower()):
            errors["login"] = _("Please enter a valid e-mail address, like name@school.example.")
        elif values["login"] and self._stueber_email_registered(email):
            errors["login"] = _(
                "An account with this e-mail address exists already. Please log in or reset your password."
            )

        if values["name"] and len(values["name"]) > 128:
            errors["name"] = _("Please enter a shorter name.")
        if values["phone"] and not PHONE_RE.match(values["phone"]):
            errors["phone"] = _("Please enter a valid phone number, like 030 1234567.")

        password = qcontext.get("password") or ""
        if password:
            try:
                request.env["res.users"]._check_password_policy([password])
            except UserError as error:
                errors["password"] = error.args[0]
            if qcontext.get("confirm_password") and password != qcontext.get("confirm_password"):
                errors["confirm_password"] = _("The passwords do not match. Please type them again.")

        Institution = request.env["stueber.helpdesk.institution"].sudo()
        number = Institution.normalize_customer_number(values["customer_number"])
        institution = Institution.search([("customer_number", "=", number), ("active", "=", True)], limit=1)
        if values["customer_number"] and not institution and not errors:
            errors["customer_number"] = _(
                "Please check the customer number. You find it on your contract or ask your institution."
            )
        return errors, institution

    def _stueber_email_registered(self, email):
        """Whether a user (archived ones too) logs in with, or has, this address, in any case."""
        Users = request.env["res.users"].sudo().with_context(active_test=False)
        domain = Domain("login", "=ilike", escape_psql(email)) | Domain("partner_id.email_normalized", "=", email)
        return bool(Users.search_count(domain, limit=1))

    def _stueber_create_account(self, qcontext, institution):
        """Create the portal user and their pending membership of ``institution``.

        The partner is a contact of its own, never a child of the
        institution's company partner.
        """
        email = email_normalize(qcontext["login"])
        values = {
            "login": email,
            "email": email,
            "name": qcontext["name"].strip(),
            "phone": qcontext["phone"].strip(),
            "password": qcontext["password"],
        }
        lang = request.env.context.get("lang")
        if lang in dict(request.env["res.lang"].get_installed()):
            values["lang"] = lang
        Users = request.env["res.users"].sudo()
        Users.signup(values)
        user = Users.search([("login", "=", email)], limit=1)
        request.env["stueber.helpdesk.membership"].sudo().create(
            {"partner_id": user.partner_id.id, "institution_id": institution.id}
        )
        return user
