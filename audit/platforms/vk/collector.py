"""VK's pages: through its API when a token is set, else its public pages."""

from audit.collect.pages import PlatformCollector
from audit.platforms.vk.api import VkApi, VkSettings
from audit.platforms.vk.html import collect_vk_html
from audit.platforms.vk.pages import VkPages


def collector(fetcher, settings: VkSettings) -> PlatformCollector:
    api = VkApi(fetcher, settings) if settings.token else None
    return PlatformCollector("vk", fetcher, settings, api, VkPages, collect_vk_html)
