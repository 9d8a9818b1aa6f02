from odoo import api, fields, models

from ..tools.service_calendar import expand_date_ranges, public_holidays


class StueberHelpdeskSchoolHoliday(models.Model):
    """One school holiday period of a German state (imported from iCal)."""

    _name = "stueber.helpdesk.school.holiday"
    _description = "School Holiday"
    _order = "date_from, id"

    calendar_id = fields.Many2one("stueber.helpdesk.school.calendar", required=True, ondelete="cascade", index=True)
    state_id = fields.Many2one(related="calendar_id.state_id", store=True, index=True)
    name = fields.Char(required=True)
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    uid = fields.Char(string="iCal UID", required=True)

    _calendar_uid_uniq = models.Constraint("UNIQUE(calendar_id, uid)", "Each iCal event is imported once.")
    _dates_ordered = models.Constraint("CHECK(date_from <= date_to)", "A holiday ends on or after its first day.")

    @api.model
    def _closed_dates(self, state, start, end):
        """The days between ``start`` and ``end`` on which the schools of
        ``state`` (a res.country.state) are closed: school holidays and
        public holidays. One query."""
        holidays = (
            self.sudo().search_fetch(
                [("state_id", "=", state.id), ("date_from", "<=", end), ("date_to", ">=", start)],
                ["date_from", "date_to"],
            )
            if state
            else self.browse()
        )
        dates = expand_date_ranges([(h.date_from, h.date_to) for h in holidays], start, end)
        public = public_holidays(state.code if state else None, range(start.year, end.year + 1))
        return dates | {day for day in public if start <= day <= end}
