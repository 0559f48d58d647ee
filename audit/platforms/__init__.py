"""The platforms the audit knows: one folder each (its address grammar in `urls`, its
descriptor in `__init__`, its API client, batched collector and public-page reader), and one
line each below. See `base` for what a descriptor holds."""

from audit.platforms import ok, vk
from audit.platforms.base import (
    PageRef,
    Platform,
    get_platform,
    name_en,
    name_ru,
    platform_for_host,
    platform_keys,
    platforms,
    register,
    unregister,
)

BUILTIN = (
    vk.PLATFORM,
    ok.PLATFORM,
)
for _platform in BUILTIN:
    register(_platform)

__all__ = [
    "BUILTIN",
    "PageRef",
    "Platform",
    "get_platform",
    "name_en",
    "name_ru",
    "platform_for_host",
    "platform_keys",
    "platforms",
    "register",
    "unregister",
]
