"""page.exists.ok — the body's official page in «Одноклассники» exists, not deleted or blocked."""

from audit.checks import Check
from audit.checks._exists import page_exists_outcome
from audit.checks.legal import LAW_8FZ, ORDER_2523, cite
from audit.model import Severity

CHECK = Check(
    id="page.exists.ok",
    title_ru="Официальная страница в «Одноклассники» существует",
    title_en="The official OK page exists",
    legal_basis=cite(LAW_8FZ, ORDER_2523),
    severity=Severity.VIOLATION,
    remediation_ru="Создать (восстановить) официальную страницу в «Одноклассники» и указать её "
    "адрес на официальном сайте и в реестре.",
    remediation_en="Create (or restore) the official OK page and publish its address on the "
    "official website and in the registry.",
    evaluate=lambda entity, obs, policy: page_exists_outcome("ok", entity, obs, policy),
    platform="ok",
)
