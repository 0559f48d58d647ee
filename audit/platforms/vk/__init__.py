"""VK («ВКонтакте»): a platform of the federal list."""

from audit.platforms.base import Platform
from audit.platforms.vk import urls

PLATFORM = Platform(
    key="vk",
    name_ru="ВКонтакте",
    name_en="VK",
    in_ru="в «ВКонтакте»",
    hosts=urls.VK_HOSTS,
    parse=urls.parse,
    page_url=urls.page_url,
    numeric_kinds=frozenset({"club", "user"}),
    collector="audit.platforms.vk.collector:collector",
    settings="audit.platforms.vk.api:VkSettings",
    api_hosts=frozenset({"api.vk.com", "api.vk.ru"}),
    import_columns=(
        "вк",
        "вконтакте",
        "vk",
        "ссылка на госпаблик вк",
        "госпаблик вк",
        "страница вконтакте",
        "ссылка вк",
    ),
)
