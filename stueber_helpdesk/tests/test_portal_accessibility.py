"""The customer's pages, checked by axe-core in headless Chromium.

axe-core is the accessibility checker the portal is held to: labels, alt texts,
headings, landmarks, contrast and ARIA, by the WCAG 2.1 A and AA rules.
``scripts/test`` installs a pinned axe-core and names its file in
``STUEBER_AXE_JS``; without it this test fails, it never skips.
"""

import base64
import json
import os
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import tagged

from ..models.res_users import _hash_token
from .test_portal import PNG, PortalHelpdeskCase

AXE_JS = os.environ.get(
    "STUEBER_AXE_JS", str(Path.home() / ".cache/stueber_helpdesk/npm/node_modules/axe-core/axe.min.js")
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Loads axe-core into the page and runs it once the page and its widgets are
# up.  Every violation is reported with the elements it concerns and fails the
# test through console.error.
#
# One exception, for what this addon does not draw: the colours of Odoo's own
# portal chatter (mail's components, in the shadow root #chatterRoot), whose
# dates are small muted text below 4.5:1.  Everything else in the chatter
# (names, labels, alt texts) is checked.
AXE_RUN = """
(async () => {
    %(before)s
    await new Promise((resolve, reject) => {
        const script = Object.assign(document.createElement("script"), {src: %(axe_url)s});
        script.onload = resolve;
        script.onerror = () => reject(new Error("axe-core did not load"));
        document.head.appendChild(script);
    });
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: %(tags)s},
        resultTypes: ["violations"],
    });
    const inCoreChatter = (node) => Array.isArray(node.target[0]) && node.target[0][0] === "#chatterRoot";
    const violations = results.violations
        .map((violation) => ({
            rule: violation.id,
            help: violation.help,
            elements: violation.nodes
                .filter((node) => !(violation.id === "color-contrast" && inCoreChatter(node)))
                .map((node) => node.html.slice(0, 200)),
        }))
        .filter((violation) => violation.elements.length);
    if (violations.length) {
        console.error("axe-core violations on " + location.pathname + ": " + JSON.stringify(violations, null, 1));
    } else {
        console.log("test successful");
    }
})();
"""


# JavaScript for ``assert_accessible(before=...)``: posts the page's form
# ``form`` with ``values`` changed and shows the server's answer in place of
# the page's body (its styles are the same page's); ``expect`` must be in it.
SUBMIT_FORM = """
    const form = document.querySelector(%(form)s);
    const data = new FormData(form);
    Object.entries(%(values)s).forEach(([field, value]) => data.set(field, value));
    const answer = await fetch(form.action, {method: "POST", body: data});
    const page = new DOMParser().parseFromString(await answer.text(), "text/html");
    if (!page.querySelector(%(expect)s)) {
        throw new Error("the answer to the form has no " + %(expect)s);
    }
    document.body.replaceWith(document.adoptNode(page.body));
"""


def submit_form(form, values, expect):
    return SUBMIT_FORM % {"form": json.dumps(form), "values": json.dumps(values), "expect": json.dumps(expect)}


@tagged("post_install", "-at_install")
class TestPortalAccessibility(PortalHelpdeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.axe_url = cls._serve_axe()
        # A ticket page with everything it can show: an image, a file, a reply.
        cls.ticket_a.sudo().message_post(
            body="Der Drucker im Lehrerzimmer meldet Papierstau.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=cls.teacher_a.partner_id.id,
        )
        for name, raw, mimetype in [("screen.png", PNG, "image/png"), ("log.txt", b"paper jam", "text/plain")]:
            attachment = cls.env["ir.attachment"].create(
                {
                    "name": name,
                    "datas": base64.b64encode(raw),
                    "mimetype": mimetype,
                    "res_model": cls.ticket_a._name,
                    "res_id": cls.ticket_a.id,
                }
            )
            attachment.generate_access_token()
        cls.ticket_solved = cls.env["stueber.helpdesk.ticket"].create(
            {
                "name": "Beamer-Fernbedienung fehlt",
                "partner_id": cls.teacher_a.partner_id.id,
                "stage_id": cls.env.ref("stueber_helpdesk.stage_solved").id,
            }
        )
        cls.env["stueber.helpdesk.membership"].search(
            [("partner_id", "=", cls.secretary_a.partner_id.id), ("institution_id", "=", cls.school_a.id)]
        ).is_institution_admin = True

    @classmethod
    def _serve_axe(cls):
        """axe-core as a public attachment: the page loads it like any script
        (the test transaction is the server's, so nothing outlives the test)."""
        if not Path(AXE_JS).is_file():
            raise AssertionError(f"axe-core is missing ({AXE_JS}): scripts/test installs it, or set STUEBER_AXE_JS.")
        axe = cls.env["ir.attachment"].create(
            {
                "name": "axe.min.js",
                "raw": Path(AXE_JS).read_bytes(),
                "mimetype": "text/javascript",
                "public": True,
            }
        )
        return f"/web/content/{axe.id}"

    def assert_accessible(self, url, login=None, ready=None, before=""):
        """axe-core finds nothing on ``url``; ``before`` is JavaScript run
        first, e.g. to bring the page into another state."""
        code = AXE_RUN % {"axe_url": json.dumps(self.axe_url), "tags": json.dumps(WCAG_TAGS), "before": before}
        self.browser_js(url, code, ready=ready, login=login)

    def test_signup_page_is_accessible(self):
        self.assert_accessible("/web/signup")

    def test_signup_page_with_errors_is_accessible(self):
        """The refused form, as the server answers it: each field marked and
        its message tied to it (shown in place of the page's body, whose
        styles are the same)."""
        wrong = {
            "name": " ",
            "login": "no-address",
            "phone": "call me",
            "customer_number": "00000",
            "password": "short",
            "confirm_password": "other",
        }
        self.assert_accessible("/web/signup", before=submit_form("form.oe_signup_form", wrong, ".is-invalid"))

    def test_confirmation_pages_are_accessible(self):
        """The page of the link in the confirmation mail, and the one after confirming."""
        token = "accessible-confirmation-token"
        self.newcomer_a.sudo().write(
            {
                "stueber_confirm_token_hash": _hash_token(token),
                "stueber_confirm_token_email": self.newcomer_a.partner_id.email_normalized,
                "stueber_confirm_token_expiry": fields.Datetime.now() + timedelta(days=1),
            }
        )
        url = f"/web/signup/confirm/{token}"
        self.assert_accessible(url)
        confirmed = submit_form("form.o_stueber_signup_confirm", {}, ".o_stueber_signup_confirm_done")
        self.assert_accessible(url, before=confirmed)

    def test_invalid_confirmation_link_page_is_accessible(self):
        self.assert_accessible("/web/signup/confirm/no-such-token")

    def test_login_page_is_accessible(self):
        self.assert_accessible("/web/login")

    def test_portal_home_is_accessible(self):
        self.assert_accessible("/my", login=self.teacher_a.login)

    def test_pending_member_banner_is_accessible(self):
        self.assert_accessible("/my/tickets", login=self.newcomer_a.login)

    def test_ticket_list_is_accessible(self):
        self.assert_accessible("/my/tickets?groupby=status", login=self.teacher_a.login)

    def test_new_ticket_form_is_accessible(self):
        self.assert_accessible("/my/tickets/new", login=self.teacher_a.login)

    def test_refused_new_ticket_form_is_accessible(self):
        refused = submit_form("form.o_stueber_new_ticket_form", {"name": ""}, ".o_stueber_form_error")
        self.assert_accessible("/my/tickets/new", login=self.teacher_a.login, before=refused)

    def test_ticket_page_is_accessible(self):
        # The conversation is a widget mounted after load: check it too.
        self.assert_accessible(
            f"/my/tickets/{self.ticket_a.id}",
            login=self.teacher_a.login,
            ready="!!document.querySelector('#chatterRoot')?.shadowRoot?.querySelector('.o-mail-Message')",
        )

    def test_ticket_page_in_german_is_accessible(self):
        self.teacher_a.lang = "de_DE"
        self.assert_accessible(
            f"/my/tickets/{self.ticket_a.id}",
            login=self.teacher_a.login,
            ready="document.documentElement.lang === 'de-DE'"
            " && !!document.querySelector('#chatterRoot')?.shadowRoot?.querySelector('.o-mail-Message')",
        )

    def test_solved_ticket_page_is_accessible(self):
        self.assert_accessible(f"/my/tickets/{self.ticket_solved.id}", login=self.teacher_a.login)

    def test_my_data_page_is_accessible(self):
        self.assert_accessible("/my/privacy", login=self.teacher_a.login)

    def test_institution_page_is_accessible(self):
        self.assert_accessible("/my/institution", login=self.secretary_a.login)
