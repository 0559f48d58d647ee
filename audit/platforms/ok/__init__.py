"""OK («Одноклассники»): a platform of the federal list."""

from audit.platforms.base import Platform
from audit.platforms.ok import urls

PLATFORM = Platform(
    key="ok",
    name_ru="Одноклассники",
    name_en="OK",
    in_ru="в «Одноклассниках»",
    hosts=urls.OK_HOSTS,
    parse=urls.parse,
    page_url=urls.page_url,
    numeric_kinds=frozenset({"group", "profile"}),
    collector="audit.platforms.ok.collector:collector",
    settings="audit.platforms.ok.api:OkSettings",
    api_hosts=frozenset({"api.ok.ru"}),
    import_columns=(
        "ок",
        "одноклассники",
        "ok",
        "ссылка на госпаблик ок",
        "госпаблик ок",
        "страница в одноклассниках",
        "ссылка ок",
    ),
)
