"""page.pos_widget — a Gosuslugi feedback (ПОС) form, widget or link on the page itself.

The rating scores «Виджеты (0/1/2)»; federal law sets no such duty. Neither VK nor OK
publishes a community's widgets or apps: what the platform does publish (the description,
links, the site field) can show a ПОС form; when it shows none, the widget may still be
there, so the finding is "check by hand", never a failure."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import RATING
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    if page.pos_on_page:
        return outcome(
            Status.PASS,
            "На странице есть ссылка на форму обратной связи Госуслуг (pos.gosuslugi.ru).",
            "The page links a Gosuslugi feedback form (pos.gosuslugi.ru).",
            ev,
        )
    return outcome(
        Status.ERROR,
        "Соцсеть не сообщает о виджетах и приложениях сообщества, а в описании и ссылках "
        "страницы формы обратной связи Госуслуг нет; проверьте виджет вручную.",
        "The platform does not publish a community's widgets and apps, and the page's "
        "description and links hold no Gosuslugi feedback form; check the widget by hand.",
        ev,
    )


CHECK = Check(
    id="page.pos_widget",
    title_ru="Виджет или форма обратной связи Госуслуг на странице",
    title_en="Gosuslugi feedback widget or form on the page",
    basis=(RATING,),
    severity=Severity.WARNING,
    remediation_ru="Подключить орган к платформе обратной связи Госуслуг и разместить её "
    "виджет или форму на странице (нужна роль администратора сообщества).",
    remediation_en="Connect the body to the Gosuslugi feedback platform and place its widget "
    "or form on the page (a community administrator's role is needed).",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
    fact="widgets",
    optional=True,
)
