"""page.exists.vk — the body's official page in «ВКонтакте» exists, not deleted or blocked."""

from audit.checks import Check
from audit.checks._exists import page_exists_outcome
from audit.checks.legal import LAW_8FZ, PLATFORM_LIST
from audit.model import Severity

CHECK = Check(
    id="page.exists.vk",
    title_ru="Наличие официальной страницы в «ВКонтакте»",
    title_en="The official VK page exists",
    basis=(LAW_8FZ, PLATFORM_LIST),
    severity=Severity.VIOLATION,
    remediation_ru="Создать (восстановить) официальную страницу в «ВКонтакте» и указать её "
    "адрес на официальном сайте и в реестре.",
    remediation_en="Create (or restore) the official VK page and publish its address on the "
    "official website and in the registry.",
    evaluate=lambda entity, obs, policy: page_exists_outcome("vk", entity, obs, policy),
    platform="vk",
)
