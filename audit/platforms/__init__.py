"""The platforms the audit knows: one folder each (its address grammar in `urls`, its
descriptor in `__init__`, its API client, batched collector and public-page reader), and one
line each below. See `base` for what a descriptor holds.

More platforms come from plugins, registered after the built-in ones in every process of a
run: installed packages that declare a `pages_audit.platforms` entry point, and the modules
named in PAGES_AUDIT_PLATFORMS (comma-separated `module` or `module:attribute`; the attribute
defaults to PLATFORM). A plugin that does not load is not registered and is named in
`PLUGIN_PROBLEMS`: the command line refuses to start with it (exit 2)."""

import importlib
import os
from contextlib import contextmanager
from importlib.metadata import entry_points

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
# Shipped but off by default: a platform outside the federal list is audited only when a policy,
# `--platforms` or the registry names it (`enable`).
OPTIONAL = {"telegram": "audit.platforms.telegram"}
PLUGINS_ENV = "PAGES_AUDIT_PLATFORMS"
ENTRY_POINT_GROUP = "pages_audit.platforms"


def _plugin(spec: str) -> Platform:
    module, _, attribute = spec.strip().partition(":")
    found = getattr(importlib.import_module(module), attribute or "PLATFORM")
    if not isinstance(found, Platform):
        raise TypeError(f"{spec} is not an audit.platforms.Platform")
    return found


def _register_all() -> tuple[str, ...]:
    for platform in BUILTIN:
        register(platform)
    problems = []
    specs = [(ep.value, f"entry point {ep.name}") for ep in entry_points(group=ENTRY_POINT_GROUP)]
    specs += [(s, PLUGINS_ENV) for s in os.environ.get(PLUGINS_ENV, "").split(",") if s.strip()]
    for spec, origin in specs:
        try:
            register(_plugin(spec))
        except Exception as exc:  # named to the user by the command line, never a traceback
            problems.append(f"{origin}: {spec.strip()}: {type(exc).__name__}: {exc}")
    return tuple(problems)


PLUGIN_PROBLEMS = _register_all()


def enable(keys) -> None:
    """Register the optional platforms among `keys`, here and in every process this one starts
    (they read PLUGINS_ENV when they import this package)."""
    for key in keys:
        if key in OPTIONAL and key not in platform_keys():
            register(_plugin(OPTIONAL[key]))
            named = [s for s in os.environ.get(PLUGINS_ENV, "").split(",") if s.strip()]
            os.environ[PLUGINS_ENV] = ",".join([*named, OPTIONAL[key]])


@contextmanager
def enabling():
    """What `enable` does inside lasts as long as the block: a command run in-process (a test,
    a program calling `audit.cli.main`) leaves the platforms and the environment as it found
    them."""
    before, env = platform_keys(), os.environ.get(PLUGINS_ENV)
    try:
        yield
    finally:
        for key in platform_keys():
            if key not in before:
                unregister(key)
        if env is None:
            os.environ.pop(PLUGINS_ENV, None)
        else:
            os.environ[PLUGINS_ENV] = env


def known_keys() -> tuple[str, ...]:
    """The registered platforms and the optional ones not yet enabled."""
    return (*platform_keys(), *(k for k in OPTIONAL if k not in platform_keys()))


__all__ = [
    "BUILTIN",
    "OPTIONAL",
    "PLUGINS_ENV",
    "PLUGIN_PROBLEMS",
    "PageRef",
    "Platform",
    "enable",
    "enabling",
    "get_platform",
    "known_keys",
    "name_en",
    "name_ru",
    "platform_for_host",
    "platform_keys",
    "platforms",
    "register",
    "unregister",
]
