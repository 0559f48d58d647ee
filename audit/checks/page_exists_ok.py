"""page.exists.ok — the body's official page in «Одноклассники» exists, not deleted or blocked."""

from audit.checks import Check
from audit.checks._exists import page_exists_outcome
from audit.checks.legal import LAW_8FZ, PLATFORM_LIST
from audit.model import Severity

CHECK = Check(
    id="page.exists.ok",
    title_ru="Наличие официальной страницы в «Одноклассниках»",
    title_en="The official OK page exists",
    basis=(LAW_8FZ, PLATFORM_LIST),
    severity=Severity.VIOLATION,
    remediation_ru="Создать (восстановить) официальную страницу в «Одноклассники» и указать её "
    "адрес на официальном сайте и в реестре.",
    remediation_en="Create (or restore) the official OK page and publish its address on the "
    "official website and in the registry.",
    evaluate=lambda entity, obs, policy: page_exists_outcome("ok", entity, obs, policy),
    platform="ok",
)
