import io
import json
import zipfile

from markupsafe import Markup

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .privacy_common import PNG, PrivacyCase
from .test_portal import PortalHelpdeskCase


class PrivacyExportCase(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hilde_ticket.with_user(cls.agent).message_post(
            body=Markup("<p>Interne Notiz: Kundin war unfreundlich</p>"),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        cls.hilde_ticket.message_post(
            body=Markup("<p>mit Datei</p>"),
            author_id=cls.hilde.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachments=[("../../etc/passwd", b"evil")],
        )

    def open_zip(self, content):
        archive = zipfile.ZipFile(io.BytesIO(content))
        self.assertIsNone(archive.testzip())
        return archive

    def assert_hildes_export(self, archive):
        names = archive.namelist()
        data = json.loads(archive.read("data.json"))
        self.assertEqual(data["account"]["email"], self.EMAIL)
        self.assertEqual(data["account"]["phone"], self.PHONE)
        self.assertEqual([m["institution"] for m in data["account"]["memberships"]], [self.school_a.name])
        self.assertEqual([t["number"] for t in data["tickets"]], [self.hilde_ticket.number])
        ticket = data["tickets"][0]
        bodies = " ".join(m["body"] for m in ticket["messages"])
        self.assertIn("Screenshot anbei", bodies)
        self.assertIn("erledigt", bodies, "staff answers are part of the ticket")
        self.assertNotIn("Interne Notiz", archive.read(f"tickets/{self.hilde_ticket.number}.html").decode())
        self.assertNotIn("Interne Notiz", json.dumps(data))
        png_paths = [f["path"] for m in ticket["messages"] for f in m["files"] if f["name"] == "zeugnis.png"]
        self.assertEqual(len(png_paths), 1)
        self.assertEqual(archive.read(png_paths[0]), PNG)
        self.assertIn(f"tickets/{self.hilde_ticket.number}.html", names)
        page = archive.read(f"tickets/{self.hilde_ticket.number}.html").decode()
        self.assertIn("Zeugnisdruck", page)
        self.assertIn("zeugnis.png", page)
        self.assertEqual([m["ticket"] for m in data["messages_elsewhere"]], [self.colleague_ticket.number])
        # only her data: not the colleague's ticket itself, nor another school's
        everything = " ".join(archive.read(name).decode(errors="ignore") for name in names)
        self.assertNotIn(self.colleague_ticket.name, everything)
        self.assertNotIn(self.ticket_b.name, everything)
        for name in names:
            self.assertFalse(name.startswith("/") or ".." in name.split("/"), name)
        return data


@tagged("post_install", "-at_install")
class TestPrivacyExportStaff(PrivacyExportCase):
    def test_staff_export_wizard_produces_the_zip_and_logs_it(self):
        wizard = (
            self.env["stueber.helpdesk.privacy.export"]
            .with_user(self.agent)
            .create({"partner_id": self.hilde.partner_id.id})
        )
        wizard.action_export()
        self.assertTrue(wizard.export_filename.endswith(".zip"))
        self.assert_hildes_export(self.open_zip(wizard.export_file))
        log = self.privacy_logs("export_staff")
        self.assertEqual((log.user_id, log.subject_partner_ref), (self.agent, self.hilde.partner_id.id))
        self.assertNotIn(self.NAME, log.note)

    def test_sender_chosen_file_name_stays_inside_the_zip(self):
        _filename, content = self.env["stueber.helpdesk.privacy"]._export_zip(self.hilde.partner_id)
        archive = self.open_zip(content)
        evil = [name for name in archive.namelist() if name.endswith("etc_passwd")]
        self.assertEqual(len(evil), 1)
        self.assertTrue(evil[0].startswith(f"tickets/{self.hilde_ticket.number}/"))

    def test_subject_with_markup_is_shown_as_text_in_the_html_page(self):
        self.hilde_ticket.name = "<script>alert(1)</script>"
        _filename, content = self.env["stueber.helpdesk.privacy"]._export_zip(self.hilde.partner_id)
        archive = self.open_zip(content)
        for name in ("index.html", f"tickets/{self.hilde_ticket.number}.html"):
            page = archive.read(name).decode()
            self.assertNotIn("<script>", page)
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)

    def test_portal_user_and_employee_cannot_use_the_staff_export(self):
        for user in (self.teacher_a, self.employee):
            with self.assertRaises(AccessError):
                self.env["stueber.helpdesk.privacy.export"].with_user(user).create(
                    {"partner_id": self.hilde.partner_id.id}
                )


@tagged("post_install", "-at_install")
class TestPrivacyExportPortal(PortalHelpdeskCase, PrivacyExportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hilde.lang = "en_US"

    def test_my_data_page_offers_download_and_erasure(self):
        self.login(self.hilde)
        page = self.tree(self.get_page("/my/privacy"))
        self.assertTrue(page.xpath("//a[@href='/my/privacy/export']"))
        self.assertTrue(page.xpath("//a[hasclass('o_stueber_privacy_erasure')]"))

    def test_person_downloads_zip_of_own_data(self):
        self.login(self.hilde)
        response = self.get_page("/my/privacy/export")
        self.assertEqual(response.headers["Content-Type"], "application/zip")
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assert_hildes_export(self.open_zip(response.content))
        log = self.env["stueber.helpdesk.privacy.log"].sudo().search([("action", "=", "export_portal")])
        self.assertEqual(log.user_id, self.hilde)

    def test_colleague_download_holds_only_the_colleagues_data(self):
        self.login(self.teacher_a)
        data = json.loads(self.open_zip(self.get_page("/my/privacy/export").content).read("data.json"))
        self.assertEqual(data["account"]["email"], self.teacher_a.email)
        self.assertNotIn(self.EMAIL, json.dumps(data))
        self.assertNotIn(self.hilde_ticket.number, [t["number"] for t in data["tickets"]])

    def test_logged_out_visitor_gets_no_export(self):
        response = self.get_page("/my/privacy/export", status=303)
        self.assertIn("/web/login", response.headers["Location"])
