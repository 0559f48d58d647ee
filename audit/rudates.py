"""Dates as VK and OK print them on public pages, in Moscow time.

«сегодня в 10:15», «вчера в 9:05», «5 мая в 12:00», «5 мая 2024», «5 мая 2024 в 12:00»,
«2 часа назад», «5 минут назад», «только что», ISO 8601 (a <time datetime=...>)
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

MSK = timezone(timedelta(hours=3), "MSK")
MONTHS = {
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "мая": 5, "май": 5, "июн": 6,
    "июл": 7, "авг": 8, "сен": 9, "окт": 10, "ноя": 11, "дек": 12,
}  # fmt: skip
_TIME = r"(?:\s*в\s*(\d{1,2}):(\d{2}))?"
_REL_DAY = re.compile(r"(сегодня|вчера|позавчера)" + _TIME, re.IGNORECASE)
_DAY_MONTH = re.compile(r"(\d{1,2})\s+([а-я]{3})[а-я]*\.?(?:\s+(\d{4}))?" + _TIME, re.IGNORECASE)
_AGO = re.compile(r"(\d+|одну|один|две|два|три)?\s*(секунд|минут|час)[а-я]*\s+назад", re.IGNORECASE)
_WORDS = {"одну": 1, "один": 1, "две": 2, "два": 2, "три": 3}


def parse_ru_date(text: str, now: datetime) -> datetime | None:
    """The moment a Russian date string names, relative to `now` (aware); None if not a date."""
    text = " ".join(text.split())
    if not text:
        return None
    try:
        iso = datetime.fromisoformat(text)
        return iso if iso.tzinfo else iso.replace(tzinfo=MSK)
    except ValueError:
        pass
    local = now.astimezone(MSK)
    if text.lower().startswith("только что"):
        return now
    if m := _AGO.search(text):
        n = _WORDS.get((m.group(1) or "1").lower()) or int(m.group(1) or 1)
        unit = {"секунд": 1, "минут": 60, "час": 3600}[m.group(2).lower()]
        return now - timedelta(seconds=n * unit)
    if m := _REL_DAY.search(text):
        back = {"сегодня": 0, "вчера": 1, "позавчера": 2}[m.group(1).lower()]
        day = local - timedelta(days=back)
        hour, minute = int(m.group(2) or 0), int(m.group(3) or 0)
        return day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if m := _DAY_MONTH.search(text):
        month = MONTHS.get(m.group(2).lower())
        if month is None:
            return None
        year = int(m.group(3)) if m.group(3) else local.year
        hour, minute = int(m.group(4) or 0), int(m.group(5) or 0)
        try:
            when = datetime(year, month, int(m.group(1)), hour, minute, tzinfo=MSK)
        except ValueError:
            return None
        if not m.group(3) and when > local + timedelta(days=1):
            when = when.replace(year=year - 1)  # «5 декабря» seen in January is last year
        return when
    return None


def format_ru_date(when: datetime, now: datetime) -> str:
    """The inverse, as VK prints post dates (used by the simulated web)."""
    local, today = when.astimezone(MSK), now.astimezone(MSK)
    hm = f"{local.hour}:{local.minute:02d}"
    if local.date() == today.date():
        return f"сегодня в {hm}"
    if local.date() == (today - timedelta(days=1)).date():
        return f"вчера в {hm}"
    names = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
             "сентября", "октября", "ноября", "декабря"]  # fmt: skip
    if local.year == today.year:
        return f"{local.day} {names[local.month - 1]} в {hm}"
    return f"{local.day} {names[local.month - 1]} {local.year}"


def format_msk(iso: str) -> str:
    """A stored UTC time as a reader in Russia writes it: 30.11.2026 11:26 МСК."""
    local = datetime.fromisoformat(iso).astimezone(MSK)
    return f"{local:%d.%m.%Y %H:%M} МСК"
