"""OK's pages: through its API when the application's keys are set, else its public pages."""

from audit.collect.pages import PlatformCollector
from audit.platforms.ok.api import OkApi, OkSettings
from audit.platforms.ok.html import collect_ok_html
from audit.platforms.ok.pages import OkPages


def collector(fetcher, settings: OkSettings) -> PlatformCollector:
    api = OkApi(fetcher, settings) if settings.usable else None
    return PlatformCollector("ok", fetcher, settings, api, OkPages, collect_ok_html)
