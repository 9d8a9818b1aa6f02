import base64
import logging

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.service_calendar import parse_school_holidays_ical

_logger = logging.getLogger(__name__)

FETCH_TIMEOUT = 30  # seconds
FETCH_MAX_BYTES = 2 * 1024 * 1024


class StueberHelpdeskSchoolCalendar(models.Model):
    """The school holidays of one German state, imported from iCal.

    Staff upload an .ics file or give a URL that a cron fetches daily. While
    a school has holidays the clocks of reminders and auto-close stop for its
    tickets, so no school is closed out over the summer.

    Access: helpdesk users read, helpdesk managers manage.
    """

    _name = "stueber.helpdesk.school.calendar"
    _description = "School Holiday Calendar"
    _order = "state_id, id"

    name = fields.Char(required=True)
    state_id = fields.Many2one(
        "res.country.state",
        required=True,
        domain="[('country_id.code', '=', 'DE')]",
        index=True,
    )
    url = fields.Char(string="iCal URL", help="Fetched daily; the holidays it lists replace the imported ones.")
    ics_file = fields.Binary(string="iCal File", attachment=False)
    ics_filename = fields.Char()
    last_import = fields.Datetime(readonly=True)
    last_error = fields.Char(readonly=True)
    active = fields.Boolean(default=True)
    holiday_ids = fields.One2many("stueber.helpdesk.school.holiday", "calendar_id", string="School Holidays")
    holiday_count = fields.Integer(compute="_compute_holiday_count")

    @api.depends("holiday_ids")
    def _compute_holiday_count(self):
        for calendar in self:
            calendar.holiday_count = len(calendar.holiday_ids)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_import_file(self):
        self.ensure_one()
        if not self.ics_file:
            raise UserError(self.env._("Choose an iCal file (.ics) first."))
        self._import_ical(base64.b64decode(self.ics_file))
        self.write({"ics_file": False, "ics_filename": False})

    def action_fetch_url(self):
        self.ensure_one()
        if not self.url:
            raise UserError(self.env._("Enter the iCal URL first."))
        self._import_ical(self._fetch_url())

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _import_ical(self, data):
        """Replace the holidays from an iCal calendar: events are matched by
        their UID, so a new import updates dates and removes cancelled ones.

        :raises UserError: when the data is no iCal calendar (nothing changes)
        """
        self.ensure_one()
        try:
            events = parse_school_holidays_ical(data)
        except ValueError as error:
            raise UserError(self.env._("This is not an iCal calendar: %(error)s", error=error)) from error
        existing = {holiday.uid: holiday for holiday in self.holiday_ids}
        seen = set()
        to_create = []
        for event in events:
            seen.add(event["uid"])
            holiday = existing.get(event["uid"])
            if holiday:
                holiday.write({key: event[key] for key in ("name", "date_from", "date_to")})
            else:
                to_create.append({**event, "calendar_id": self.id})
        self.env["stueber.helpdesk.school.holiday"].create(to_create)
        self.holiday_ids.filtered(lambda h: h.uid not in seen).unlink()
        self.write({"last_import": fields.Datetime.now(), "last_error": False})
        return len(events)

    def _fetch_url(self):
        response = requests.get(self.url, timeout=FETCH_TIMEOUT, stream=True)
        response.raise_for_status()
        data = response.raw.read(FETCH_MAX_BYTES + 1, decode_content=True)
        if len(data) > FETCH_MAX_BYTES:
            raise UserError(self.env._("The iCal file is larger than 2 MB."))
        return data

    @api.model
    def _cron_fetch(self):
        """Fetch every calendar with a URL; a failing one keeps its holidays and notes the error."""
        for calendar in self.search([("url", "!=", False)]):
            try:
                data = calendar._fetch_url()
                with self.env.cr.savepoint():
                    calendar._import_ical(data)
            except (requests.RequestException, UserError) as error:
                _logger.warning("School holidays of %s could not be fetched: %s", calendar.name, error)
                calendar.last_error = str(error)[:250]
