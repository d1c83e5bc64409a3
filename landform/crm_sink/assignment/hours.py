"""A tenant's working week, and time counted in it: speed to lead gives reps working hours, not nights."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DAYS = "12345"
DEFAULT_START, DEFAULT_END = "09:00", "17:00"
# Looking this far ahead for working time: a week with no working day at all must not loop forever.
_HORIZON_DAYS = 3 * 366


def parse_clock(raw: str) -> time:
    """ "09:00" as a time; ValueError when it is not a time of day."""
    hours, _sep, minutes = raw.strip().partition(":")
    return time(int(hours), int(minutes or 0))


@dataclass(frozen=True)
class WorkingWeek:
    """ISO weekdays (1 = Monday) and the hours of each, in one time zone."""

    zone: ZoneInfo
    days: frozenset[int]
    start: time
    end: time

    @classmethod
    def of(cls, timezone: str, days: str, start: str, end: str) -> WorkingWeek:
        """From stored settings; anything unreadable falls back to the default (Mon-Fri 09:00-17:00)."""
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("Europe/Amsterdam")
        try:
            opens, closes = parse_clock(start), parse_clock(end)
        except ValueError:
            opens, closes = parse_clock(DEFAULT_START), parse_clock(DEFAULT_END)
        weekdays = frozenset(int(d) for d in days if d in "1234567") or frozenset(range(1, 6))
        if closes <= opens:
            opens, closes = parse_clock(DEFAULT_START), parse_clock(DEFAULT_END)
        return cls(zone, weekdays, opens, closes)

    def _window(self, day: date) -> tuple[datetime, datetime]:
        # Each bound is placed in the zone on its own day, so a day with a DST change still opens at 09:00
        # local time; the arithmetic below is in UTC, where an hour is always an hour.
        opens = datetime.combine(day, self.start, tzinfo=self.zone).astimezone(UTC)
        closes = datetime.combine(day, self.end, tzinfo=self.zone).astimezone(UTC)
        return opens, closes

    def add(self, moment: datetime, minutes: int) -> datetime:
        """The moment `minutes` of working time after `moment`."""
        left = timedelta(minutes=minutes)
        current = moment.astimezone(UTC)
        day = current.astimezone(self.zone).date()
        for n in range(_HORIZON_DAYS):
            if (day + timedelta(days=n)).isoweekday() not in self.days:
                continue
            opens, closes = self._window(day + timedelta(days=n))
            current = max(current, opens)
            if current >= closes:
                continue
            if current + left <= closes:
                return current + left
            left -= closes - current
        return current + left

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time from `start` to `end` (zero if `end` is earlier)."""
        total = timedelta()
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            if day.isoweekday() in self.days:
                opens, closes = self._window(day)
                lower, upper = max(opens, start), min(closes, end)
                if upper > lower:
                    total += upper - lower
            day += timedelta(days=1)
        return total
