"""Phrases for page observations that could not be read (no imports from the catalogue)."""

from __future__ import annotations

from audit.observations import PageObservation

PAGE_CAUSE_RU = {
    "challenge": "соцсеть показала проверку «не робот» (anti-bot)",
    "login_wall": "соцсеть потребовала войти в учётную запись",
    "rate_limit": "превышен лимит запросов к API соцсети",
    "api_error": "API соцсети вернул ошибку",
    "unparsable": "ответ соцсети не удалось разобрать",
    "http": "соцсеть ответила ошибкой HTTP",
    "blocked_access": "соцсеть запретила доступ к странице",
    "access_blocked": "вместо страницы получена страница блокировки доступа",
}
PAGE_CAUSE_EN = {
    "challenge": "the platform showed an anti-bot challenge",
    "login_wall": "the platform asked to log in",
    "rate_limit": "the platform's API rate limit was exceeded",
    "api_error": "the platform's API returned an error",
    "unparsable": "the platform's answer could not be parsed",
    "http": "the platform answered with an HTTP error",
    "blocked_access": "the platform denied access to the page",
    "access_blocked": "an access-blocking page was served instead of the page",
}


def describe_page_error(page: PageObservation) -> tuple[str, str]:
    """Russian and English phrase for why a page could not be read."""
    from audit.checks._site import CAUSE_EN, CAUSE_RU  # fetch causes (timeout, dns, ...)

    cause = page.cause or "api_error"
    ru = PAGE_CAUSE_RU.get(cause) or CAUSE_RU.get(cause, cause)
    en = PAGE_CAUSE_EN.get(cause) or CAUSE_EN.get(cause, cause)
    if page.detail:
        en = f"{en} ({page.detail})"
    return ru, en
