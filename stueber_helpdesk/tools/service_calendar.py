"""Plain date helpers of the service levels: public holidays, working days,
school holidays from iCal. No models here; the SLA and reminder code passes
in what it read from the database.

Usage::

    from odoo.addons.stueber_helpdesk.tools.service_calendar import public_holidays

    public_holidays("DE-BY", [2026])  # {date(2026, 1, 6): "Epiphany", ...}
"""

import datetime
from functools import lru_cache

import holidays
import icalendar


def state_subdivision(state_code):
    """The ``holidays`` subdivision of a German state code of ``res.country.state``
    ("DE-BY" or "BY" → "BY"); None when the package does not know it."""
    code = (state_code or "").upper().removeprefix("DE-")
    return code if code in holidays.country_holidays("DE").subdivisions else None


@lru_cache(maxsize=64)
def _public_holidays_year(subdivision, year):
    return dict(holidays.country_holidays("DE", subdiv=subdivision, years=year, language="de"))


def public_holidays(state_code, years):
    """The statutory public holidays of a German state in ``years``: {date: name}.

    Without a known state only the nationwide holidays count.
    """
    subdivision = state_subdivision(state_code)
    result = {}
    for year in sorted(set(years)):
        result.update(_public_holidays_year(subdivision, year))
    return result


def working_days_between(start, end, closed_dates=frozenset()):
    """How many working days (Monday to Friday, not in ``closed_dates``)
    lie after ``start`` up to and including ``end`` (both dates)."""
    if end <= start:
        return 0
    days = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        if day.weekday() < 5 and day not in closed_dates:
            days += 1
        day += datetime.timedelta(days=1)
    return days


def expand_date_ranges(ranges, start, end):
    """The dates of ``ranges`` ((date_from, date_to) pairs, both inclusive)
    that lie between ``start`` and ``end``."""
    dates = set()
    for date_from, date_to in ranges:
        day = max(date_from, start)
        while day <= min(date_to, end):
            dates.add(day)
            day += datetime.timedelta(days=1)
    return dates


def _as_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def parse_school_holidays_ical(data):
    """The holidays of an iCal calendar (``bytes`` or ``str``) as dicts with
    ``uid``, ``name``, ``date_from`` and ``date_to`` (inclusive dates).

    All-day events end the day after their last day (RFC 5545 DTEND is
    exclusive); events without a UID get one from their dates and name.

    :raises ValueError: when the data is no iCal calendar
    """
    calendar = icalendar.Calendar.from_ical(data)
    result = []
    for event in calendar.walk("VEVENT"):
        start = event.get("DTSTART")
        if start is None:
            continue
        date_from = _as_date(start.dt)
        end = event.get("DTEND")
        if end is not None:
            end_value = end.dt
            date_to = _as_date(end_value)
            if not isinstance(end_value, datetime.datetime) and date_to > date_from:
                date_to -= datetime.timedelta(days=1)
        else:
            date_to = date_from
        name = str(event.get("SUMMARY") or "").strip() or "?"
        uid = str(event.get("UID") or f"{date_from.isoformat()}-{date_to.isoformat()}-{name}")
        result.append({"uid": uid, "name": name, "date_from": date_from, "date_to": max(date_to, date_from)})
    return result
