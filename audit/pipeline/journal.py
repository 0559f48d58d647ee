"""The run's journal in the history store: what makes a run resumable."""

from __future__ import annotations

from audit.codec import entity_json
from audit.history import site_down_streak
from audit.observations import PageObservation, SiteObservation
from audit.runner import EntityResult, Journal
from audit.serialize import page_from_json, page_record, site_from_json, site_record
from audit.store import Store
from audit.summary import Health, Summary


class StoreJournal(Journal):
    """Writes every website, every batch of pages and every finished body as it comes. A
    batch's bodies are one commit, websites are committed without an fsync of their own (an
    fsync per body and per website held the event loop for a tenth of a run). Killed, a run
    keeps every website and every batch checked; power loss may cost the websites since the
    last batch: resuming reads those again."""

    def __init__(self, store: Store, run_id: int):
        self.store, self.run_id = store, run_id
        self._sites = store.sites(run_id)
        # the report's summary and health, counted as the bodies are stored: the report then
        # need not read every body back for them (it does when a run was resumed)
        self.summary, self.health = Summary(), Health()

    def done_ids(self) -> set[str]:
        return self.store.done_ids(self.run_id)

    def site(self, entity_id: str) -> SiteObservation | None:
        record = self._sites.pop(entity_id, None)
        return site_from_json(record) if record is not None else None

    def save_site(self, entity_id: str, site: SiteObservation) -> None:
        self.store.save_site(self.run_id, entity_id, site_record(site))

    def batch(self):
        return self.store.transaction()

    def pages(self) -> dict[str, PageObservation]:
        return {url: page_from_json(r) for url, r in self.store.pages(self.run_id).items()}

    def save_pages(self, pages: dict[str, PageObservation]) -> None:
        if pages:
            self.store.save_pages(self.run_id, {u: page_record(p) for u, p in pages.items()})

    def done(self, position: int, result: EntityResult) -> None:
        body = entity_json(result)
        self.store.save_body(self.run_id, position, body)
        self.summary.add(body)
        self.health.add(body)

    def site_down_before(self, entity_id: str) -> list[str]:
        return site_down_streak(self.store, self.run_id, entity_id)
