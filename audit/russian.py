"""Russian as a reader expects it: plural forms after a number, the decimal comma."""

from __future__ import annotations


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form after `n`: 1 запись, 3 записи, 5 записей (11-14 take the third form)."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count(n: int, one: str, few: str, many: str) -> str:
    return f"{n} {plural(n, one, few, many)}"


def number(value: float | int | None, digits: int = 1, lang: str = "ru") -> str:
    """A figure as the language writes it: 28,6 in Russian, 28.6 in English; — for none."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    return text.replace(".", ",") if lang == "ru" else text
