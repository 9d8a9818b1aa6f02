import base64
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import HelpdeskCase

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//Schulferien//DE\r
BEGIN:VEVENT\r
UID:ostern-2026\r
DTSTART;VALUE=DATE:20260330\r
DTEND;VALUE=DATE:20260411\r
SUMMARY:Osterferien\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:pfingsten-2026\r
DTSTART;VALUE=DATE:20260526\r
DTEND;VALUE=DATE:20260606\r
SUMMARY:Pfingstferien\r
END:VEVENT\r
END:VCALENDAR\r
"""


@tagged("post_install", "-at_install")
class TestSchoolCalendar(HelpdeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bayern = cls.env.ref("base.state_de_by")
        cls.calendar = cls.env["stueber.helpdesk.school.calendar"].create(
            {"name": "Schulferien Bayern (Test)", "state_id": cls.bayern.id}
        )

    def upload(self, text):
        self.calendar.ics_file = base64.b64encode(text.encode())
        self.calendar.action_import_file()

    def test_uploaded_ical_file_becomes_holidays_with_their_last_day(self):
        self.upload(ICS)
        easter = self.calendar.holiday_ids.filtered(lambda h: h.uid == "ostern-2026")
        self.assertEqual(easter.name, "Osterferien")
        self.assertEqual((easter.date_from, easter.date_to), (date(2026, 3, 30), date(2026, 4, 10)))
        self.assertEqual(easter.state_id, self.bayern)
        self.assertFalse(self.calendar.ics_file, "the file is not kept")
        self.assertTrue(self.calendar.last_import)

    def test_new_import_updates_moved_and_removes_cancelled_holidays(self):
        self.upload(ICS)
        moved = ICS.replace("20260411", "20260412").split("BEGIN:VEVENT\r\nUID:pfingsten")[0] + "END:VCALENDAR\r\n"
        self.upload(moved)
        self.assertEqual(self.calendar.holiday_ids.mapped("uid"), ["ostern-2026"])
        self.assertEqual(self.calendar.holiday_ids.date_to, date(2026, 4, 11))

    def test_file_that_is_no_ical_is_refused_and_keeps_the_holidays(self):
        self.upload(ICS)
        with self.assertRaises(UserError):
            self.upload("Das ist kein Kalender")
        self.assertEqual(len(self.calendar.holiday_ids), 2)

    def test_schools_are_closed_on_school_and_public_holidays_of_their_state(self):
        self.upload(ICS)
        closed = self.env["stueber.helpdesk.school.holiday"]._closed_dates(
            self.bayern, date(2026, 1, 1), date(2026, 4, 30)
        )
        self.assertIn(date(2026, 1, 6), closed, "Epiphany, a public holiday in Bayern")
        self.assertIn(date(2026, 4, 1), closed, "Easter holidays")
        self.assertNotIn(date(2026, 4, 13), closed)
        nrw = self.env["stueber.helpdesk.school.holiday"]._closed_dates(
            self.env.ref("base.state_de_nw"), date(2026, 1, 1), date(2026, 4, 30)
        )
        self.assertNotIn(date(2026, 1, 6), nrw)
        self.assertNotIn(date(2026, 4, 1), nrw, "another state's school holidays")

    def test_demo_schools_lie_in_different_states_with_imported_holidays(self):
        see = self.env.ref("stueber_helpdesk.demo_school_see")
        west = self.env.ref("stueber_helpdesk.demo_school_west")
        self.assertNotEqual(see.state_id, west.state_id)
        holidays = self.env["stueber.helpdesk.school.holiday"].search([("state_id", "in", (see | west).state_id.ids)])
        self.assertEqual(holidays.state_id, see.state_id | west.state_id)


class _IcalHandler(BaseHTTPRequestHandler):
    """Serves ICS at /ferien.ics and 404 elsewhere, like a state's holiday feed."""

    def do_GET(self):
        if self.path == "/ferien.ics":
            body = ICS.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestSchoolCalendarFetch(HelpdeskCase):
    """The cron fetches iCal URLs over real HTTP, from a small server on loopback."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _IcalHandler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.feed = f"http://127.0.0.1:{cls.server.server_port}"

    def test_cron_fetches_the_ical_url(self):
        calendar = self.env["stueber.helpdesk.school.calendar"].create(
            {
                "name": "Schulferien Bayern (URL)",
                "state_id": self.env.ref("base.state_de_by").id,
                "url": f"{self.feed}/ferien.ics",
            }
        )
        self.env["stueber.helpdesk.school.calendar"]._cron_fetch()
        self.assertEqual(len(calendar.holiday_ids), 2)
        self.assertFalse(calendar.last_error)

    def test_unreachable_url_keeps_the_holidays_and_notes_the_error(self):
        calendar = self.env["stueber.helpdesk.school.calendar"].create(
            {
                "name": "Schulferien Bayern (kaputt)",
                "state_id": self.env.ref("base.state_de_by").id,
                "url": f"{self.feed}/gibt-es-nicht.ics",
            }
        )
        calendar.ics_file = base64.b64encode(ICS.encode())
        calendar.action_import_file()
        self.env["stueber.helpdesk.school.calendar"]._cron_fetch()
        self.assertEqual(len(calendar.holiday_ids), 2)
        self.assertIn("404", calendar.last_error)
