"""site.links.ok — the official website links the body's official OK page."""

from audit.checks import Check
from audit.checks._links import site_links_outcome
from audit.checks.legal import LAW_8FZ
from audit.model import Severity

CHECK = Check(
    id="site.links.ok",
    title_ru="Наличие на сайте ссылки на официальную страницу в «Одноклассниках»",
    title_en="Website links the official OK page",
    basis=(LAW_8FZ,),
    severity=Severity.VIOLATION,
    remediation_ru="Разместить на официальном сайте (в шапке, подвале или разделе «Контакты») "
    "ссылку на официальную страницу органа в «Одноклассники».",
    remediation_en="Publish a link to the body's official OK page on the official website "
    "(header, footer or the contacts section).",
    evaluate=lambda entity, obs, policy: site_links_outcome("ok", entity, obs, policy),
)
