"""page.exists.<platform> — the body's official page on the platform exists, not deleted or
blocked (one check per platform: page.exists.vk, page.exists.ok)."""

from audit.checks import Check
from audit.checks._exists import page_exists_outcome
from audit.checks.legal import LAW_8FZ, PLATFORM_LIST
from audit.model import Severity

CHECK = Check(
    id="page.exists",
    title_ru="Наличие официальной страницы {in_ru}",
    title_en="The official {name_en} page exists",
    basis=(LAW_8FZ, PLATFORM_LIST),
    severity=Severity.VIOLATION,
    remediation_ru="Создать (восстановить) официальную страницу {in_ru} и указать её "
    "адрес на официальном сайте и в реестре.",
    remediation_en="Create (or restore) the official {name_en} page and publish its address on "
    "the official website and in the registry.",
    evaluate=page_exists_outcome,
    family=True,
)
