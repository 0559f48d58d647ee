"""What a platform is to the audit, as a value, and the registry every stage reads.

A platform is declared once (`Platform`): its key (stored in finding keys such as
`page.exists.vk`, in registry fields and report columns), its names, the grammar that reduces
every form of a page's address to one canonical `PageRef`, and where its collector lives. The
collector is named by a "module:function" string so that checks, the store and the reports,
which read the descriptor, never load the HTTP stack it uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# (host, path, query, fragment) -> (reference, is_content_link) | None
Grammar = Callable[[str, str, dict[str, list[str]], str], "tuple[PageRef, bool] | None"]


@dataclass(frozen=True)
class Platform:
    key: str
    name_ru: str  # as reports name it, without quotes: ВКонтакте
    name_en: str
    in_ru: str  # the phrase titles use ("в «Одноклассниках»": the case differs per name)
    hosts: frozenset[str]
    parse: Grammar
    page_url: Callable[[str, str], str]  # (kind, key) -> canonical URL
    numeric_kinds: frozenset[str]  # kinds whose key is a number (club, group…), not a name
    collector: str  # "module:function(fetcher, settings) -> PageCollector", collection layer
    settings: str  # "module:Class": the collector's settings, built with no arguments by default
    # Counts toward the federal minimum of one official page (Government order 2523-р names
    # VK and OK); a page elsewhere is required only by a policy or a regional act.
    federal: bool = True
    api_hosts: frozenset[str] = frozenset()  # where its API answers (letters name the platform)
    import_columns: tuple[str, ...] = ()  # table headers (lower case) holding its page's address
    # what the platform has no notion of (gov_mark, address, design, widgets, comments): the
    # checks about it do not apply to its pages
    lacks: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PageRef:
    """A canonical reference to a page on a platform."""

    platform: str
    kind: str  # vk: screen_name|club|user ; ok: shortname|group|profile
    key: str  # screen name / shortname (lower case) or numeric id

    @property
    def url(self) -> str:
        return _REGISTRY[self.platform].page_url(self.kind, self.key)

    @property
    def is_numeric(self) -> bool:
        return self.kind in _REGISTRY[self.platform].numeric_kinds


_REGISTRY: dict[str, Platform] = {}
_BY_HOST: dict[str, Platform] = {}


def register(platform: Platform) -> None:
    """Add a platform (the built-in ones are registered by `audit.platforms`; a plugin or a
    test adds its own). Its key and hosts must be new."""
    if platform.key in _REGISTRY:
        raise ValueError(f"platform {platform.key!r} is already registered")
    if taken := platform.hosts & _BY_HOST.keys():
        raise ValueError(f"hosts already belong to another platform: {sorted(taken)}")
    _REGISTRY[platform.key] = platform
    _BY_HOST.update(dict.fromkeys(platform.hosts, platform))


def unregister(key: str) -> None:
    platform = _REGISTRY.pop(key)
    for host in platform.hosts:
        _BY_HOST.pop(host, None)


def platforms() -> tuple[Platform, ...]:
    """Every registered platform, in registration order (the order of report columns)."""
    return tuple(_REGISTRY.values())


def platform_keys() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def get_platform(key: str) -> Platform:
    return _REGISTRY[key]


def platform_for_host(host: str) -> Platform | None:
    return _BY_HOST.get(host)


def name_ru(key: str) -> str:
    """The platform's Russian name; an unknown key (a history from a plugin) as it is."""
    platform = _REGISTRY.get(key)
    return platform.name_ru if platform else key


def name_en(key: str) -> str:
    platform = _REGISTRY.get(key)
    return platform.name_en if platform else key
