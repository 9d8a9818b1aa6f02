import re
import statistics
import threading
import time
import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from .test_signup import SignupCase

ERROR_ID_RE = re.compile(r'id="(\w+)_error"')
FEEDBACK_RE = re.compile(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</', re.DOTALL)
LIMIT = "stueber.helpdesk.signup.limit"


@tagged("post_install", "-at_install")
class TestSignupNoOracle(SignupCase):
    """A failed sign-up tells nothing about whether the customer number exists."""

    def setUp(self):
        super().setUp()
        # many tries in one test: the limits are tested on their own below
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.signup_limit_client", "1000")

    def _answer(self, response, number):
        """What a visitor learns from a refused form: status, marked fields, messages."""
        text = response.text.replace(number, "@@NUMBER@@")
        return (
            response.status_code,
            ERROR_ID_RE.findall(text),
            [" ".join(message.split()) for message in FEEDBACK_RE.findall(text)],
            "Please correct the marked fields." in text,
        )

    def _right_and_wrong(self, **overrides):
        right_number = self.school_a.customer_number
        right = self._signup(customer_number=right_number, **overrides)
        wrong = self._signup(customer_number="97531", **overrides)
        return self._answer(right, right_number), self._answer(wrong, "97531")

    def test_registered_email_with_guessed_number_tells_nothing_about_the_number(self):
        counts = self._counts()
        right, wrong = self._right_and_wrong(login="teacher_b@school-b.example")
        self.assertEqual(right, wrong)
        self.assertEqual(right[1], ["login"], "only the address is marked, whatever the number")
        self.assertEqual(self._counts(), counts)

    def test_any_other_wrong_field_with_guessed_number_tells_nothing_about_the_number(self):
        for overrides in (
            {"confirm_password": "Anders-geheim-2"},
            {"phone": "call me maybe"},
            {"password": "kurz", "confirm_password": "kurz"},
            {"name": ""},
        ):
            right, wrong = self._right_and_wrong(**overrides)
            self.assertEqual(right, wrong, overrides)
            self.assertNotIn("customer_number", right[1], overrides)

    def test_wrong_number_alone_is_marked_on_the_number(self):
        response = self._signup(customer_number="97531")
        self.assertEqual(self._answer(response, "97531")[1], ["customer_number"])

    def test_registered_email_answer_takes_as_long_with_a_right_or_a_wrong_number(self):
        """Same work either way: the number is looked up always, judged last."""
        timings = {"right": [], "wrong": []}
        numbers = {"right": self.school_a.customer_number, "wrong": "97531"}
        for _round in range(8):
            for label, number in numbers.items():
                started = time.perf_counter()
                self._signup(login="teacher_b@school-b.example", customer_number=number)
                timings[label].append(time.perf_counter() - started)
        right, wrong = (statistics.median(timings[label]) for label in ("right", "wrong"))
        self.assertLess(abs(right - wrong), max(0.05, 0.5 * min(right, wrong)), timings)


@tagged("post_install", "-at_install")
class TestSignupRateLimitsHold(SignupCase):
    def _counter(self, key, attempts, minutes_ago=0):
        self.env[LIMIT].sudo().create(
            {"key": key, "attempts": attempts, "window_start": fields.Datetime.now() - timedelta(minutes=minutes_ago)}
        )

    def test_guesses_against_one_number_from_anywhere_lock_that_number(self):
        self._counter(f"number:{self.school_a.customer_number}", 10)
        self.authenticate(None, None)  # a fresh session; the client address has no failures
        counts = self._counts()
        response = self._signup()
        self.assertEqual(response.status_code, 429)
        self.assertEqual(self._counts(), counts, "locked: nothing is checked or created")
        other = self._signup(customer_number=self.school_b.customer_number, login="eva@school-b.example")
        self.assertEqual(other.status_code, 200, "another institution's number is not locked")

    def test_global_ceiling_locks_every_registration(self):
        self._counter("global", 100)
        self.authenticate(None, None)
        self.assertEqual(self._signup().status_code, 429)

    def test_lockout_says_when_to_retry(self):
        self._counter("client:127.0.0.1", 5, minutes_ago=4)
        response = self._signup()
        self.assertEqual(response.status_code, 429)
        retry_after = int(response.headers["Retry-After"])
        self.assertAlmostEqual(retry_after, 6 * 60, delta=30)
        self.assertIn("Please try again in 6 minutes", response.text)

    def test_forged_forwarded_for_header_does_not_escape_the_client_limit(self):
        """Without ``proxy_mode`` Odoo ignores X-Forwarded-*: a client cannot pose as another."""
        self._counter("client:127.0.0.1", 5)
        self.authenticate(None, None)
        response = self.url_open(
            "/web/signup",
            data={**self.GOOD, "csrf_token": self._csrf()},
            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "school.example"},
        )
        self.assertEqual(response.status_code, 429)

    def test_ipv6_clients_of_one_64_network_share_a_limit(self):
        Limit = self.env[LIMIT]
        same = {Limit._client_key("2001:db8:1:2::1"), Limit._client_key("2001:db8:1:2:ffff:ab:cd:ef")}
        self.assertEqual(same, {"client:2001:db8:1:2::/64"})
        self.assertNotEqual(Limit._client_key("2001:db8:1:3::1"), "client:2001:db8:1:2::/64")
        self.assertEqual(Limit._client_key("::ffff:192.0.2.7"), "client:192.0.2.7")

    def test_successful_registrations_do_not_count_against_the_number(self):
        self.env["ir.config_parameter"].set_param("stueber_helpdesk.signup_limit_number", "2")
        for name in ("eva", "max", "ida"):
            self.authenticate(None, None)
            response = self._signup(login=f"{name}@school-a.example")
            self.assertTrue(response.url.endswith("/my"), name)
        counter = self.env[LIMIT].sudo().search([("key", "=", f"number:{self.school_a.customer_number}")])
        self.assertEqual(counter.attempts, 0)


@tagged("post_install", "-at_install")
class TestSignupCountingIsAtomic(TransactionCase):
    """Parallel attempts get no extra tries.

    Each thread counts through its own database connection (outside the
    test's transaction, as parallel requests do), all released at once.
    """

    def setUp(self):
        super().setUp()
        self.key = f"client:test-{uuid.uuid4()}"
        self.addCleanup(self._delete_counter)

    def _delete_counter(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM stueber_helpdesk_signup_limit WHERE key = %s", [self.key])

    def _attempt(self, barrier, refused):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            barrier.wait(timeout=30)
            refused.append(bool(env[LIMIT]._count_attempt({self.key: "client"})))

    def test_parallel_attempts_against_one_client_get_no_extra_tries(self):
        parallel = 12
        barrier, refused = threading.Barrier(parallel), []
        threads = [threading.Thread(target=self._attempt, args=(barrier, refused)) for _i in range(parallel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(len(refused), parallel)
        self.assertEqual(refused.count(False), 5, "exactly the limit (5) is checked, however parallel")
        with self.registry.cursor() as cr:
            cr.execute("SELECT attempts FROM stueber_helpdesk_signup_limit WHERE key = %s", [self.key])
            self.assertEqual(cr.fetchone()[0], parallel, "every attempt counted, none lost")
