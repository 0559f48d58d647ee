"""page.address — an address set in the page's settings, with a point on the map.

A rating criterion («Адрес, указанный в настройках страницы») and a regional sign of an
official page (Stavropol: «адрес с указанием точки на карте»), not a federal duty. An
address in the description text does not count: the criterion is the settings field."""

from audit.checks import Check, Outcome, outcome
from audit.checks.legal import RATING
from audit.model import Entity, Severity, Status
from audit.observations import PageSlot
from audit.policy import Policy


def evaluate(entity: Entity, slot: PageSlot, policy: Policy) -> Outcome:
    page, ev = slot.page, slot.evidence
    if page.address_set is None:
        return outcome(
            Status.ERROR,
            "Соцсеть не сообщает, указан ли адрес в настройках страницы; проверьте вручную.",
            "The platform does not say whether an address is set in the page's settings; "
            "check by hand.",
            ev,
        )
    if not page.address_set:
        return outcome(
            Status.FAIL,
            "Адрес в настройках страницы не указан.",
            "No address is set in the page's settings.",
            ev,
        )
    shown = f" ({page.addresses[0]})" if page.addresses else ""
    # coordinates VK leaves out are not proof that no point was set: never a failure
    point_ru = " с точкой на карте" if page.map_point else "; точка на карте в ответе не указана"
    point_en = " with a point on the map" if page.map_point else "; the answer gives no map point"
    return outcome(
        Status.PASS,
        f"Адрес указан в настройках страницы{shown}{point_ru}.",
        f"An address is set in the page's settings{shown}{point_en}.",
        ev,
    )


CHECK = Check(
    id="page.address",
    title_ru="Адрес в настройках страницы (с точкой на карте)",
    title_en="Address in the page's settings (with a map point)",
    basis=(RATING,),
    severity=Severity.WARNING,
    remediation_ru="Указать адрес органа в настройках сообщества («Адреса») и отметить его на "
    "карте.",
    remediation_en="Set the body's address in the community settings ('Addresses') and mark it "
    "on the map.",
    evaluate=evaluate,
    regional=True,
    per_platform=True,
    fact="address",
    optional=True,
)
