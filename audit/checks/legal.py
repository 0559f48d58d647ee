"""What a check may cite, and what kind of source each citation is.

Reports are read by officials and prosecutors, so a citation is one of: an article and part of a
law verified in its text (`LAW_ARTICLE`), an act as a whole (`ACT`), or a labelled source that is
not law — the ministry's rating methodology (`RATING`), a regional act named in the audit's policy
(`REGION`) or the audit's own policy (`POLICY`). `VERIFIED` is the whole list; a test holds every
check to it, so no clause nobody has read (of ПП № 2560, say) can be cited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BasisKind(StrEnum):
    LAW_ARTICLE = "law_article"
    ACT = "act"
    RATING = "rating"
    REGION = "region"
    POLICY = "policy"


STRENGTH = (
    BasisKind.POLICY,
    BasisKind.REGION,
    BasisKind.RATING,
    BasisKind.ACT,
    BasisKind.LAW_ARTICLE,
)

BASIS_KIND_TITLES = {
    BasisKind.LAW_ARTICLE: ("норма закона", "an article of a law"),
    BasisKind.ACT: ("закон или акт Правительства в целом", "a law or government act as a whole"),
    BasisKind.RATING: ("методика рейтинга госпабликов", "the public pages' rating methodology"),
    BasisKind.REGION: ("региональный акт", "a regional act"),
    BasisKind.POLICY: ("политика проверки", "the audit's policy"),
}


@dataclass(frozen=True)
class LegalBasis:
    ru: str
    en: str
    kind: BasisKind
    for_courts: LegalBasis | None = None  # what courts are held to instead (their own law)

    def to_json(self) -> dict:
        return {"kind": self.kind.value, "ru": self.ru, "en": self.en}


# its number and date are not verified: cited by title
COURTS_LAW = LegalBasis(
    "Федеральный закон «Об обеспечении доступа к информации о деятельности судов в Российской "
    "Федерации» (в ред. Федерального закона от 14.07.2022 № 270-ФЗ)",
    "the Federal Law on access to information about the activity of courts in the Russian "
    "Federation (as amended by Federal Law No. 270-FZ of 14.07.2022)",
    BasisKind.ACT,
)
_8FZ_RU = (
    "Федерального закона от 09.02.2009 № 8-ФЗ «Об обеспечении доступа к информации о "
    "деятельности государственных органов и органов местного самоуправления»"
)
_8FZ_EN = (
    "Federal Law No. 8-FZ of 09.02.2009 on access to information about the activity of state "
    "bodies and local self-government bodies"
)
LAW_8FZ = LegalBasis(
    "Федеральный закон от 09.02.2009 № 8-ФЗ «Об обеспечении доступа к информации о деятельности "
    "государственных органов и органов местного самоуправления» (в ред. Федерального закона от "
    "14.07.2022 № 270-ФЗ)",
    f"{_8FZ_EN} (as amended by Federal Law No. 270-FZ of 14.07.2022)",
    BasisKind.ACT,
    COURTS_LAW,
)
PAGE_DEFINITION = LegalBasis(
    f"п. 6 ст. 1 {_8FZ_RU} (официальная страница — персональная страница, созданная "
    "государственным органом, органом местного самоуправления или подведомственной "
    "организацией и содержащая информацию об их деятельности)",
    f"Art. 1 item 6 of {_8FZ_EN} (an official page is a personal page created by a state body, a "
    "local self-government body or a subordinate organisation, holding information about its "
    "activity)",
    BasisKind.LAW_ARTICLE,
    COURTS_LAW,
)
OFFICIAL_SITE = LegalBasis(
    f"ч. 1 ст. 10 {_8FZ_RU}",
    f"Art. 10 part 1 of {_8FZ_EN}",
    BasisKind.LAW_ARTICLE,
    COURTS_LAW,
)
PLATFORM_LIST = LegalBasis(
    "распоряжение Правительства РФ от 02.09.2022 № 2523-р (перечень социальных сетей: "
    "«ВКонтакте», «Одноклассники»)",
    "Government Order No. 2523-r of 02.09.2022 (the designated networks: VK, OK)",
    BasisKind.ACT,
)
LIABILITY = LegalBasis(
    "ч. 2 ст. 13.27 Кодекса Российской Федерации об административных правонарушениях",
    "Art. 13.27 part 2 of the Code of Administrative Offences",
    BasisKind.LAW_ARTICLE,
)
RATING = LegalBasis(
    "критерий рейтинга госпабликов (Минцифры России, АНО «Диалог Регионы») и региональных "
    "требований; обязанность федеральным законом прямо не установлена",
    "a criterion of the public pages' rating (the Ministry of Digital Development, ANO Dialog "
    "Regions) and of regional rules; federal law sets no such duty expressly",
    BasisKind.RATING,
)
POLICY = LegalBasis(
    "политика проверки: числовой порог (федеральный закон чисел не устанавливает; порог "
    "может установить региональный акт)",
    "the audit's policy: a numeric threshold (federal law sets no number; a regional act may)",
    BasisKind.POLICY,
)
POLICY_TLS = LegalBasis(
    "политика проверки: защищённое соединение с официальным сайтом (федеральный закон этого "
    "прямо не устанавливает)",
    "the audit's policy: a secure connection to the official website (federal law does not say "
    "so expressly)",
    BasisKind.POLICY,
)
POLICY_PLATFORM = LegalBasis(
    "политика проверки или региональный акт: страница в соцсети или мессенджере вне "
    "федерального перечня (федеральный закон её не требует)",
    "the audit's policy or a regional act: a page on a network or messenger outside the "
    "federal list (federal law does not require it)",
    BasisKind.POLICY,
)
REGISTRY_DATA = LegalBasis(
    "сведения реестра проверки (сверка данных; не норма закона)",
    "the audit registry's data (a data check, not a rule of law)",
    BasisKind.POLICY,
)

VERIFIED: tuple[LegalBasis, ...] = (
    COURTS_LAW,
    LAW_8FZ,
    PAGE_DEFINITION,
    OFFICIAL_SITE,
    PLATFORM_LIST,
    LIABILITY,
    RATING,
    POLICY,
    POLICY_TLS,
    POLICY_PLATFORM,
    REGISTRY_DATA,
)

# A finding's own basis, when it is not the check's: a regional act the policy names, or the
# policy itself (a requirement beyond the federal minimum that no act was named for).
FINDING_REGION = "region"
FINDING_POLICY = "policy"


def regional_act_basis(act: str) -> LegalBasis:
    """The regional act a policy file names, cited as the policy gives it."""
    return LegalBasis(
        f"региональное требование: {act}", f"a regional requirement: {act}", BasisKind.REGION
    )


def weakest(bases: tuple[LegalBasis, ...]) -> BasisKind:
    """What a requirement rests on is as strong as its weakest part: an article and a policy
    number together are a policy number."""
    return min((b.kind for b in bases), key=STRENGTH.index)


def joined(bases: tuple[LegalBasis, ...], lang: str = "ru") -> str:
    return "; ".join(b.ru if lang == "ru" else b.en for b in bases)


def for_court(bases: tuple[LegalBasis, ...]) -> tuple[LegalBasis, ...]:
    """The same citation for a court: the courts' information law replaces 8-FZ, once."""
    out: list[LegalBasis] = []
    for b in bases:
        b = b.for_courts or b
        if b not in out:
            out.append(b)
    return tuple(out)
