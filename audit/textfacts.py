"""Contact facts found in free text (page descriptions): phones, e-mails, postal addresses."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zа-я]{2,}", re.IGNORECASE)
# +7 / 8 followed by 10 digits in the usual groupings: 8 (81234) 5-67-89, +7 912 345-67-89
PHONE = re.compile(r"(?<![\d\w])(?:\+7|8)[\s(-]*\d{3,5}[\s)-]*\d{1,3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")
# a six-digit postal index, or a street marker followed by a name
ADDRESS = re.compile(
    r"(?<!\d)\d{6}(?!\d)[,\s]|\b(?:ул|улица|пр-т|проспект|пер|переулок|пл|площадь|ш|шоссе|"
    r"наб|набережная|бульвар|б-р|мкр)\.?\s+[А-ЯЁ0-9]",
)


def phones(text: str | None) -> list[str]:
    found = []
    for m in PHONE.finditer(text or ""):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) == 11:
            found.append(m.group().strip())
    return found


def emails(text: str | None) -> list[str]:
    return [m.group() for m in EMAIL.finditer(text or "")]


def has_address(text: str | None) -> bool:
    return bool(ADDRESS.search(text or ""))


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
