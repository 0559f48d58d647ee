"""Legal bases as they may be cited in reports.

Only acts, and article/part numbers confirmed in shared/law.md, are cited: the exact articles of
8-FZ that 270-FZ added for official pages are not verified yet, so those duties cite the act.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LegalBasis:
    ru: str
    en: str


LAW_8FZ = LegalBasis(
    "Федеральный закон от 09.02.2009 № 8-ФЗ «Об обеспечении доступа к информации о деятельности "
    "государственных органов и органов местного самоуправления» (в ред. Федерального закона "
    "от 14.07.2022 № 270-ФЗ)",
    "Federal Law No. 8-FZ of 09.02.2009 on access to information about the activity of state "
    "bodies and local self-government bodies (as amended by Federal Law No. 270-FZ of 14.07.2022)",
)
LAW_8FZ_SITE = LegalBasis(
    "ч. 1 ст. 10 Федерального закона от 09.02.2009 № 8-ФЗ «Об обеспечении доступа к информации "
    "о деятельности государственных органов и органов местного самоуправления»",
    "Art. 10 part 1 of Federal Law No. 8-FZ of 09.02.2009 on access to information about the "
    "activity of state bodies and local self-government bodies",
)
ORDER_2523 = LegalBasis(
    "распоряжение Правительства РФ от 02.09.2022 № 2523-р (перечень социальных сетей: "
    "«ВКонтакте», «Одноклассники»)",
    "Government Order No. 2523-r of 02.09.2022 (designated networks: VK, OK)",
)
DECREE_1802_POS = LegalBasis(
    "постановление Правительства РФ от 10.11.2020 № 1802 (Платформа обратной связи)",
    "Government Decree No. 1802 of 10.11.2020 (Feedback Platform, POS)",
)
COURTS_LAW = LegalBasis(
    "для судов — Федеральный закон «Об обеспечении доступа к информации о деятельности судов "
    "в Российской Федерации» (в ред. Федерального закона от 14.07.2022 № 270-ФЗ)",
    "for courts: the Federal Law on access to information about the activity of courts "
    "(as amended by Federal Law No. 270-FZ of 14.07.2022)",
)


def cite(*bases: LegalBasis) -> LegalBasis:
    """Join several bases into one citation."""
    return LegalBasis("; ".join(b.ru for b in bases), "; ".join(b.en for b in bases))


DECREE_2560 = LegalBasis(
    "постановление Правительства РФ от 31.12.2022 № 2560 (правила ведения официальных страниц)",
    "Government Decree No. 2560 of 31.12.2022 (rules for keeping official pages)",
)
GOV_MARK_PRACTICE = LegalBasis(
    "подтверждение страницы через Госуслуги (отметка «госорганизация») — методика рейтинга "
    "Минцифры России и региональные акты",
    "confirmation of the page through Gosuslugi (the «госорганизация» mark): the Ministry of "
    "Digital Development's rating methodology and regional acts",
)
POLICY_THRESHOLD = LegalBasis(
    "числовой порог — политика аудита (федеральный закон чисел не устанавливает)",
    "the numeric threshold is audit policy (federal law sets no number)",
)
AUDIT_POLICY_TLS = LegalBasis(
    "политика проверки: защищённое соединение с официальным сайтом (федеральный закон этого "
    "прямо не устанавливает)",
    "audit policy: a secure connection to the official website (federal law does not say so "
    "expressly)",
)
