"""Why a website or a page could not be read, in words: a leaf of the catalogue (it imports
nothing of it), used by the checks and by the letters."""

from __future__ import annotations

from audit.observations import PageObservation

CAUSE_RU = {
    "dns": "доменное имя сайта не существует (DNS)",
    "resolver": "DNS-сервер проверяющего не дал ответа об имени сайта",
    "tls": "ошибка TLS-сертификата сайта",
    "timeout": "сайт не ответил вовремя (таймаут)",
    "connect": "не удалось соединиться с сайтом",
    "redirects": "слишком много перенаправлений (петля переадресации)",
    "too_large": "ответ сайта превышает допустимый размер",
    "protocol": "сайт нарушил протокол передачи данных (HTTP)",
    "blocked": "адрес сайта указывает на внутреннюю сеть (запрос запрещён)",
    "invalid_url": "адрес сайта некорректен",
    "not_html": "главная страница сайта не является HTML-страницей",
    "antibot": "вместо сайта получена страница защиты от ботов",
    "access_blocked": "вместо сайта получена страница блокировки доступа",
    "hosting_stub": "вместо сайта получена заглушка хостинга",
    "parked": "домен припаркован или не продлён (страница-заглушка регистратора)",
    "login_wall": "сайт требует входа по паролю",
    "empty": "на странице сайта нет ни текста, ни ссылок: содержимое сайта не получено",
}
CAUSE_EN = {
    "dns": "the site's domain name does not exist (DNS)",
    "resolver": "the auditor's DNS resolver gave no answer about the site's name",
    "tls": "TLS certificate error",
    "timeout": "the site did not answer in time (timeout)",
    "connect": "could not connect to the site",
    "redirects": "too many redirects (redirect loop)",
    "too_large": "the response is over the size limit",
    "protocol": "the site broke the HTTP protocol",
    "blocked": "the site's address points into a private network (request refused)",
    "invalid_url": "the site's address is invalid",
    "not_html": "the home page is not an HTML page",
    "antibot": "an anti-bot interstitial was served instead of the site",
    "access_blocked": "an access-blocking page was served instead of the site",
    "hosting_stub": "a hosting stub was served instead of the site",
    "parked": "the domain is parked or expired (registrar's stub page)",
    "login_wall": "the site asks for a password",
    "empty": "the site's page has neither text nor links: nothing of the site was received",
}
PAGE_CAUSE_RU = {
    "challenge": "соцсеть показала проверку «не робот» (anti-bot)",
    "login_wall": "соцсеть потребовала войти в учётную запись",
    "rate_limit": "превышен лимит запросов к API соцсети",
    "api_error": "API соцсети вернул ошибку",
    "unparsable": "ответ соцсети не удалось разобрать",
    "http": "соцсеть ответила кодом ошибки",
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
    cause = page.cause or "api_error"
    ru = PAGE_CAUSE_RU.get(cause) or CAUSE_RU.get(cause, cause)
    en = PAGE_CAUSE_EN.get(cause) or CAUSE_EN.get(cause, cause)
    if page.detail:
        en = f"{en} ({page.detail})"
    return ru, en
