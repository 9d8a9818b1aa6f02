import hashlib
import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import HelpdeskCase

CONFIRM_LINK_RE = re.compile(r"/web/signup/confirm/([\w-]+)")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class SignupCase(HttpCase, HelpdeskCase):
    """HTTP helpers for the registration and confirmation pages."""

    GOOD = {
        "name": "Erika Muster",
        "login": "erika@school-a.example",
        "phone": "030 1234567",
        "password": "Sehr-geheim-1",
        "confirm_password": "Sehr-geheim-1",
    }

    def setUp(self):
        super().setUp()
        # The demo database speaks only German; English visitors need their language active.
        self.env["res.lang"]._activate_lang("en_US")
        number = self.school_a.customer_number
        # typed loosely: spaces and lower case, as people do
        self.GOOD = dict(self.GOOD, customer_number=f" {number[:2]} {number[2:].lower()} ")

    def _csrf(self, url="/web/signup"):
        return CSRF_RE.search(self.url_open(url).text).group(1)

    def _signup(self, csrf=True, lang="en_US", **overrides):
        """POST the form as a visitor whose language (Odoo's ``frontend_lang`` cookie) is ``lang``."""
        data = dict(self.GOOD, **overrides)
        if csrf:
            data["csrf_token"] = self._csrf()
        data = {k: v for k, v in data.items() if v is not None}
        return self.url_open("/web/signup", data=data, cookies={"frontend_lang": lang})

    def _counts(self):
        """Partners, users and memberships, archived ones included."""
        env = self.env(context=dict(self.env.context, active_test=False))
        return (
            env["res.partner"].search_count([]),
            env["res.users"].search_count([]),
            env["stueber.helpdesk.membership"].search_count([]),
        )

    def _confirmation_link(self, user):
        mail = self.env["mail.mail"].search([("model", "=", "res.users"), ("res_id", "=", user.id)], limit=1)
        return CONFIRM_LINK_RE.search(mail.body_html).group(0)

    def _pending_portal_user(self, email, institution):
        """A registered, unconfirmed portal user whose confirmation mail just left."""
        user = new_test_user(self.env, email, groups="base.group_portal", email=email, name=email.split("@")[0])
        self.env["stueber.helpdesk.membership"].create(
            {"partner_id": user.partner_id.id, "institution_id": institution.id}
        )
        user._stueber_send_confirmation_mail()
        return user


@tagged("post_install", "-at_install")
class TestSignupForm(SignupCase):
    def assertRefusedAndNothingCreated(self, response, counts, field, message):
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self._counts(), counts, "a refused registration creates no partner, user or membership")
        self.assertIn(f'id="{field}_error"', response.text)
        self.assertIn(message, response.text)
        for kept in ("Erika Muster", "030 1234567"):
            self.assertIn(f'value="{kept}"', response.text, "the typed values are kept")
        self.assertNotIn("Sehr-geheim-1", response.text, "the password is never sent back")

    def test_signup_without_name_creates_nothing(self):
        counts = self._counts()
        response = self._signup(name="  ", phone="030 1234567")
        self.assertEqual(self._counts(), counts)
        self.assertIn('id="name_error"', response.text)
        self.assertIn("Please fill in this field.", response.text)

    def test_signup_without_phone_creates_nothing(self):
        counts = self._counts()
        response = self._signup(phone=None)
        self.assertEqual(self._counts(), counts)
        self.assertIn('id="phone_error"', response.text)
        self.assertIn('value="Erika Muster"', response.text)

    def test_signup_with_invalid_phone_creates_nothing(self):
        counts = self._counts()
        response = self._signup(phone="call me maybe")
        self.assertEqual(self._counts(), counts)
        self.assertIn("Please enter a valid phone number", response.text)
        self.assertIn('value="call me maybe"', response.text)

    def test_signup_with_malformed_email_creates_nothing(self):
        for login in ("erika", "erika@school", "Erika <erika@school-a.example>", "a@b.de, c@d.de"):
            counts = self._counts()
            response = self._signup(login=login)
            self.assertRefusedAndNothingCreated(response, counts, "login", "Please enter a valid e-mail address")
            self.env["stueber.helpdesk.signup.limit"].sudo().search([]).unlink()

    def test_signup_with_registered_email_in_other_case_creates_nothing(self):
        counts = self._counts()
        response = self._signup(login="Teacher_A@School-A.example")
        self.assertRefusedAndNothingCreated(response, counts, "login", "An account with this e-mail address exists")

    def test_signup_with_email_of_archived_user_creates_nothing(self):
        self.teacher_b.active = False
        counts = self._counts()
        response = self._signup(login="teacher_b@school-b.example")
        self.assertRefusedAndNothingCreated(response, counts, "login", "An account with this e-mail address exists")

    def test_signup_with_unknown_customer_number_creates_nothing(self):
        counts = self._counts()
        response = self._signup(customer_number="99999")
        self.assertRefusedAndNothingCreated(response, counts, "customer_number", "Please check the customer number")
        self.assertIn('value="99999"', response.text)

    def test_signup_with_customer_number_of_archived_institution_creates_nothing(self):
        self.school_b.active = False
        counts = self._counts()
        response = self._signup(customer_number=self.school_b.customer_number)
        self.assertRefusedAndNothingCreated(response, counts, "customer_number", "Please check the customer number")

    def test_signup_without_customer_number_creates_nothing(self):
        counts = self._counts()
        response = self._signup(customer_number="")
        self.assertRefusedAndNothingCreated(response, counts, "customer_number", "Please fill in this field.")

    def test_signup_with_short_password_creates_nothing(self):
        counts = self._counts()
        response = self._signup(password="kurz", confirm_password="kurz")
        self.assertRefusedAndNothingCreated(response, counts, "password", "at least 8 characters")

    def test_signup_message_is_in_the_visitors_language(self):
        response = self._signup(password="kurz", confirm_password="kurz", lang="de_DE")
        self.assertIn("mindestens 8 Zeichen", response.text)
        self.assertIn('value="Erika Muster"', response.text)
        self.assertIn('aria-label="Passwort anzeigen"', response.text)

    def test_signup_with_mismatched_passwords_creates_nothing(self):
        counts = self._counts()
        response = self._signup(confirm_password="Sehr-geheim-2")
        self.assertRefusedAndNothingCreated(response, counts, "confirm_password", "The passwords do not match")

    def test_unknown_customer_number_is_answered_like_any_wrong_input(self):
        """No oracle: same status, same page, same summary as another wrong field."""
        wrong_number = self._signup(customer_number="99999")
        wrong_phone = self._signup(phone="call me maybe")
        self.assertEqual(wrong_number.status_code, wrong_phone.status_code)
        for response in (wrong_number, wrong_phone):
            self.assertIn("Please correct the marked fields.", response.text)
            self.assertEqual(response.text.count('class="invalid-feedback'), 1)

    def test_signup_without_csrf_token_is_refused(self):
        counts = self._counts()
        response = self._signup(csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._counts(), counts)

    def test_signup_creates_logged_in_portal_user_with_pending_membership(self):
        counts = self._counts()
        response = self._signup(login="Erika@School-A.example")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/my"), response.url)
        user = self.env["res.users"].search([("login", "=", "erika@school-a.example")])
        self.assertTrue(user, "the login is the normalised address")
        self.assertTrue(user._is_portal())
        self.assertEqual(user.phone, "030 1234567")
        self.assertEqual(self._counts(), (counts[0] + 1, counts[1] + 1, counts[2] + 1))
        membership = user.partner_id.stueber_membership_ids
        self.assertEqual((membership.institution_id, membership.state), (self.school_a, "pending"))
        self.assertFalse(user.partner_id.parent_id, "never a child contact of the institution's company")
        self.assertFalse(user.partner_id.stueber_email_confirmed)
        self.assertIn("o_stueber_confirm_banner", response.text, "logged in: the portal asks to confirm")

    def test_signup_sends_confirmation_mail_at_once(self):
        self._signup()
        user = self.env["res.users"].search([("login", "=", "erika@school-a.example")])
        mail = self.env["mail.mail"].search([("model", "=", "res.users"), ("res_id", "=", user.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, user.partner_id)
        self.assertIn("'Auto-Submitted': 'auto-generated'", mail.headers)
        token = CONFIRM_LINK_RE.search(mail.body_html).group(1)
        stored = user.sudo().stueber_confirm_token_hash
        self.assertTrue(stored)
        self.assertNotIn(token, stored, "only a hash of the token is stored")
        expiry = user.sudo().stueber_confirm_token_expiry
        self.assertAlmostEqual(expiry, fields.Datetime.now() + timedelta(days=3), delta=timedelta(minutes=5))


@tagged("post_install", "-at_install")
class TestSignupRateLimit(SignupCase):
    def _add_failures(self, count, key, minutes_ago=0):
        self.env["stueber.helpdesk.signup.limit"].sudo().create(
            {
                "key": key,
                "attempts": count,
                "window_start": fields.Datetime.now() - timedelta(minutes=minutes_ago),
            }
        )

    def test_repeated_failures_block_even_a_correct_registration(self):
        with self.assertLogs("odoo.addons.stueber_helpdesk", "WARNING") as logs:
            for number in ("1", "2", "3", "4", "5"):
                self.assertEqual(self._signup(customer_number=number).status_code, 200)
            counts = self._counts()
            response = self._signup()
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many failed attempts", response.text)
        self.assertEqual(self._counts(), counts, "a blocked client creates nothing, even with correct values")
        self.assertTrue(any("too many failed attempts" in line for line in logs.output))
        self.assertEqual(sum("Failed registration from" in line for line in logs.output), 5)

    def test_failures_from_one_client_address_block_other_sessions(self):
        self.authenticate(None, None)
        self._add_failures(5, "client:127.0.0.1")
        self.assertEqual(self._signup().status_code, 429)

    def test_failures_in_one_session_block_other_addresses(self):
        self.authenticate(None, None)
        self._add_failures(5, f"session:{hashlib.sha256(self.session.sid.encode()).hexdigest()}")
        self.assertEqual(self._signup().status_code, 429)

    def test_old_failures_do_not_block(self):
        self._add_failures(5, "client:127.0.0.1", minutes_ago=11)
        counts = self._counts()
        self.assertEqual(self._signup().status_code, 200)
        self.assertEqual(self._counts()[1], counts[1] + 1)


@tagged("post_install", "-at_install")
class TestSignupConfirmation(SignupCase):
    def _post(self, link, csrf=True):
        data = {"confirm": "1"}  # url_open sends a GET when there is no data
        if csrf:
            data["csrf_token"] = self._csrf(link)
        return self.url_open(link, data=data)

    def test_confirmation_link_get_only_shows_a_button(self):
        """Mail scanners follow links: a GET must not use up the token."""
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        link = self._confirmation_link(user)
        response = self.url_open(link)
        self.assertEqual(response.status_code, 200)
        self.assertIn('class="o_stueber_signup_confirm"', response.text)
        self.assertFalse(user.partner_id.stueber_email_confirmed)
        self.assertTrue(user.sudo().stueber_confirm_token_hash)

    def test_confirmation_link_confirms_the_address_once(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        link = self._confirmation_link(user)
        response = self._post(link)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_stueber_membership_pending", response.text)
        self.assertTrue(user.partner_id.stueber_email_confirmed)
        self.assertEqual(user.partner_id.sudo().stueber_confirmed_email, "eva@school-a.example")

        reused = self.url_open(link)
        self.assertEqual(reused.status_code, 404)
        self.assertIn("o_stueber_signup_confirm_invalid", reused.text)

    def test_reused_confirmation_link_changes_nothing(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        link = self._confirmation_link(user)
        csrf = self._csrf(link)
        self.url_open(link, data={"csrf_token": csrf})
        user.partner_id.sudo().stueber_confirmed_email = False
        response = self.url_open(link, data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(user.partner_id.stueber_email_confirmed)

    def test_expired_confirmation_link_confirms_nothing(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        link = self._confirmation_link(user)
        csrf = self._csrf(link)
        user.sudo().stueber_confirm_token_expiry = fields.Datetime.now() - timedelta(minutes=1)
        response = self.url_open(link, data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(user.partner_id.stueber_email_confirmed)

    def test_forged_confirmation_token_confirms_nothing(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        other = self._pending_portal_user("max@school-a.example", self.school_a)
        real_link = self._confirmation_link(user)
        csrf = self._csrf(real_link)
        forged = real_link.rsplit("/", 1)[0] + "/" + "A" * 43
        truncated = real_link[:-1]
        for link in (forged, truncated, real_link + "A"):
            response = self.url_open(link, data={"csrf_token": csrf})
            self.assertEqual(response.status_code, 404, link)
        self.assertFalse(user.partner_id.stueber_email_confirmed)
        self.assertFalse(other.partner_id.stueber_email_confirmed)

    def test_confirmation_link_of_a_changed_address_confirms_nothing(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        link = self._confirmation_link(user)
        csrf = self._csrf(link)
        user.partner_id.email = "eva@elsewhere.example"
        self.assertEqual(self.url_open(link, data={"csrf_token": csrf}).status_code, 404)
        self.assertFalse(user.partner_id.stueber_email_confirmed)

    def test_confirmation_post_without_csrf_token_is_refused(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        response = self._post(self._confirmation_link(user), csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(user.partner_id.stueber_email_confirmed)

    def test_new_link_replaces_the_previous_one(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        first = self._confirmation_link(user)
        self.env["mail.mail"].search([("model", "=", "res.users"), ("res_id", "=", user.id)]).unlink()
        user._stueber_send_confirmation_mail()
        self.assertEqual(self.url_open(first).status_code, 404)
        self.assertEqual(self.url_open(self._confirmation_link(user)).status_code, 200)

    def test_resend_sends_a_new_link_at_most_every_few_minutes(self):
        user = self._pending_portal_user("eva@school-a.example", self.school_a)
        self.authenticate(user.login, user.login)
        mails = self.env["mail.mail"].search_count([("model", "=", "res.users"), ("res_id", "=", user.id)])
        response = self.url_open("/web/signup/confirm/resend", data={"csrf_token": self._csrf("/my")})
        self.assertIn("stueber_confirmation=recent", response.url)
        user.sudo().stueber_confirm_token_expiry -= timedelta(minutes=10)
        response = self.url_open("/web/signup/confirm/resend", data={"csrf_token": self._csrf("/my")})
        self.assertIn("stueber_confirmation=sent", response.url)
        self.assertEqual(
            self.env["mail.mail"].search_count([("model", "=", "res.users"), ("res_id", "=", user.id)]), mails + 1
        )


@tagged("post_install", "-at_install")
class TestSignupTour(SignupCase):
    def test_tour_register_with_a_wrong_number_first_then_confirm(self):
        self.start_tour("/web/signup", "stueber_helpdesk_signup_tour")
        user = self.env["res.users"].search([("login", "=", "erika.tour@school-a.example")])
        self.assertTrue(user)
        self.assertEqual(user.partner_id.stueber_membership_ids.institution_id, self.school_a)

        self.start_tour(self._confirmation_link(user), "stueber_helpdesk_signup_confirm_tour", login=user.login)
        self.assertTrue(user.partner_id.stueber_email_confirmed)
        self.assertEqual(user.partner_id.stueber_membership_ids.state, "pending")
