"""A toy third platform, «Свисток» (whistle.test), defined inside the test suite only: what
adding a platform (MAX, Telegram channels) takes is this folder and one line naming it
(`PAGES_AUDIT_PLATFORMS=tests.toyplatform`, or a `pages_audit.platforms` entry point of an
installed package). Like MAX today, it is outside the federal list: a page there is required
only by a policy or a regional act."""

from audit.platforms import Platform
from tests.toyplatform import urls

PLATFORM = Platform(
    key="whistle",
    name_ru="Свисток",
    name_en="Whistle",
    in_ru="в «Свистке»",
    hosts=urls.HOSTS,
    parse=urls.parse,
    page_url=urls.page_url,
    numeric_kinds=frozenset(),
    collector="tests.toyplatform.collector:collector",
    settings="tests.toyplatform.collector:WhistleSettings",
    federal=False,
    import_columns=("свисток", "канал в свистке"),
)
