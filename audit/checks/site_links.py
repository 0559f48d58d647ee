"""site.links.<platform> — the official website links the body's official page on the platform
(one check per platform: site.links.vk, site.links.ok)."""

from audit.checks import Check
from audit.checks._links import site_links_outcome
from audit.checks.legal import LAW_8FZ
from audit.model import Severity

CHECK = Check(
    id="site.links",
    title_ru="Наличие на сайте ссылки на официальную страницу {in_ru}",
    title_en="Website links the official {name_en} page",
    basis=(LAW_8FZ,),
    severity=Severity.VIOLATION,
    remediation_ru="Разместить на официальном сайте (в шапке, подвале или разделе «Контакты») "
    "ссылку на официальную страницу органа {in_ru}.",
    remediation_en="Publish a link to the body's official {name_en} page on the official website "
    "(header, footer or the contacts section).",
    evaluate=site_links_outcome,
    family=True,
)
