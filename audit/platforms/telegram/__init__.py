"""Telegram public channels: outside the federal list (Government order 2523-р names VK and
OK), required only by a regional act or the audit's policy. Optional: registered only when a
policy, `--platforms` or the registry names it (see `audit.platforms.enable`)."""

from audit.platforms.base import Platform
from audit.platforms.telegram import urls

PLATFORM = Platform(
    key="telegram",
    name_ru="Телеграм",
    name_en="Telegram",
    in_ru="в «Телеграме»",
    hosts=urls.HOSTS,
    parse=urls.parse,
    page_url=urls.page_url,
    numeric_kinds=frozenset(),
    collector="audit.platforms.telegram.collector:collector",
    settings="audit.platforms.telegram.collector:TelegramSettings",
    federal=False,
    import_columns=("телеграм", "telegram", "телеграм-канал", "канал в телеграме"),
    # a channel has no «госорганизация» mark, no address, cover or community widgets, and its
    # comments live in a separate discussion group
    lacks=frozenset({"gov_mark", "address", "design", "widgets", "comments"}),
)
