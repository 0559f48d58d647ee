"""site.links.vk — the official website links the body's official VK page."""

from audit.checks import Check
from audit.checks._links import site_links_outcome
from audit.checks.legal import LAW_8FZ
from audit.model import Severity

CHECK = Check(
    id="site.links.vk",
    title_ru="Наличие на сайте ссылки на официальную страницу в «ВКонтакте»",
    title_en="Website links the official VK page",
    basis=(LAW_8FZ,),
    severity=Severity.VIOLATION,
    remediation_ru="Разместить на официальном сайте (в шапке, подвале или разделе «Контакты») "
    "ссылку на официальную страницу органа в «ВКонтакте».",
    remediation_en="Publish a link to the body's official VK page on the official website "
    "(header, footer or the contacts section).",
    evaluate=lambda entity, obs, policy: site_links_outcome("vk", entity, obs, policy),
)
