"""page.gov_mark — the page carries the «госорганизация» mark (confirmed through Gosuslugi)."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import RATING
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    if page.gov_mark is None:
        return outcome(
            Status.ERROR,
            "Соцсеть не сообщила, есть ли у страницы отметка «госорганизация»; проверьте вручную.",
            "The platform did not say whether the page has the state-organisation mark; "
            "check by hand.",
            ev,
        )
    if page.gov_mark:
        return outcome(
            Status.PASS,
            "У страницы есть отметка «госорганизация».",
            "The page carries the state-organisation mark.",
            ev,
        )
    seen = (
        "в ответе программного интерфейса соцсети"
        if page.source == "api"
        else ("на публичной странице")
    )
    return outcome(
        Status.FAIL,
        f"Отметки «госорганизация» нет ({seen}).",
        f"No state-organisation mark ({'API' if page.source == 'api' else 'public page'}).",
        ev,
    )


CHECK = Check(
    id="page.gov_mark",
    title_ru="Отметка «госорганизация» (подтверждение через Госуслуги)",
    title_en="State-organisation mark (confirmed through Gosuslugi)",
    basis=(RATING,),
    severity=Severity.WARNING,
    remediation_ru="Подтвердить статус страницы через Госуслуги (управление сообществом → "
    "«Подтвердить статус через Госуслуги»).",
    remediation_en="Confirm the page through Gosuslugi (community management → "
    "'Confirm status through Gosuslugi').",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
    fact="gov_mark",
)
