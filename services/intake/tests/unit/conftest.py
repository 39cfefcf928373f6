"""The in-memory twin of intake's unit of work: handlers run through the bus with no I/O.

`FakeArchive` keeps the customer archive's read model as dicts (projected from the archive's events
on flush, or arranged directly) and answers `ticket_facts` with the same pure `assemble` the SQL
adapter uses; the streams, the archive and the read model's technicians are
shared by every unit of work of one test, as the database would be.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from intake.adapters.archive_facts import DEFAULT_POLICY, ArchiveFacts, assemble
from intake.adapters.phones import e164
from intake.adapters.repositories import (
    ComplaintRepository,
    ContractRepository,
    CustomerRepository,
    TicketRepository,
    UnitRepository,
)
from intake.domain import archive_events as e
from intake.domain.entitlement import PriorRepair
from intake.domain.events import Severity
from intake.service_layer.handlers import handlers

from shared.calendars.china import china_calendar
from shared.envelope import EventMetadata
from shared.messagebus import MessageBus
from shared.testing.fakes import InMemoryStreams, InMemoryUnitOfWork


class FakeArchive:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {
            kind: {} for kind in ("companies", "contacts", "sites", "contracts", "units")
        }
        self.repairs: list[tuple[str, str, PriorRepair]] = []  # (ticket id, unit id, repair)

    async def ticket_facts(
        self,
        *,
        customer_id: str,
        severity: Severity,
        caller_name: str,
        caller_phone: str,
        contract_id: str | None = None,
        site_id: str | None = None,
        unit_id: str | None = None,
        serial_number: str | None = None,
    ) -> ArchiveFacts:
        by_serial = unit_id is None and bool(serial_number)
        if by_serial:
            unit = next((u for u in self.rows["units"].values() if u["serial_number"] == serial_number), None)
        else:
            unit = self.rows["units"].get(unit_id or "")
        site = self.rows["sites"].get(site_id or (unit or {}).get("site_id") or "")
        contract = self.rows["contracts"].get(contract_id or (unit or {}).get("contract_id") or "")
        contact = next(
            (
                p
                for p in self.rows["contacts"].values()
                if p["company_id"] == customer_id and p["phone"] == (e164(caller_phone) or caller_phone)
            ),
            None,
        )
        return assemble(
            customer_id=customer_id,
            severity=severity,
            caller_name=caller_name,
            caller_phone=caller_phone,
            contract_id=contract_id,
            site_id=site_id,
            unit_id=unit_id,
            by_serial=by_serial,
            customer_known=customer_id in self.rows["companies"],
            unit=unit,
            site=site,
            contract=contract,
            contact_id=contact["id"] if contact else None,
            prior_repairs=tuple(r for _, u, r in self.repairs if unit and u == unit["id"]),
        )

    async def prior_repairs(self, unit_id: str, *, excluding_ticket: str) -> list[PriorRepair]:
        return [r for t, u, r in self.repairs if u == unit_id and t != excluding_ticket]

    async def row(self, kind: str, row_id: str) -> dict[str, Any] | None:
        row = self.rows[kind].get(row_id)
        return dict(row) if row else None

    async def exists(self, kind: str, row_id: str) -> bool:
        return row_id in self.rows[kind]

    async def contract_policy(self, customer_id: str, *, on: date) -> str:
        in_force = [
            k
            for k in self.rows["contracts"].values()
            if k["company_id"] == customer_id
            and k.get("starts_on", on) <= on
            and (k.get("ends_on") is None or k["ends_on"] >= on)
        ]
        in_force.sort(key=lambda k: (k.get("starts_on", on), k["id"]))
        return in_force[-1]["policy_id"] if in_force else DEFAULT_POLICY

    async def serial_taken(self, serial_number: str, *, by_other_than: str | None = None) -> bool:
        return any(
            u["serial_number"] == serial_number and u["id"] != by_other_than
            for u in self.rows["units"].values()
        )

    async def referenced(self, kind: str, row_id: str) -> bool:
        column = {"sites": "site_id", "contracts": "contract_id"}.get(kind)
        return column is not None and any(u.get(column) == row_id for u in self.rows["units"].values())

    def project(self, events: list[Any]) -> None:
        """The archive events' rows, as `archive_projection` writes them (days out of service kept)."""
        for event in events:
            if isinstance(event, (e.CustomerRegistered, e.CustomerRenamed)):
                self.rows["companies"][event.customer_id] = {"id": event.customer_id, "name": event.name}
            for kind, added, removed, id_field in _ROWS:
                if isinstance(event, added):
                    data = asdict(event)
                    row_id = data.pop(id_field)
                    data.pop("occurred_at")
                    kept = self.rows[kind].get(row_id, {"days_out_of_service": 0})
                    computed = {k: v for k, v in kept.items() if k == "days_out_of_service"}
                    company = data.pop("customer_id")
                    self.rows[kind][row_id] = {"id": row_id, "company_id": company, **data, **computed}
                elif isinstance(event, removed):
                    self.rows[kind].pop(getattr(event, id_field), None)


_ROWS = (
    ("contacts", (e.ContactAdded, e.ContactChanged), e.ContactRemoved, "contact_id"),
    ("sites", (e.SiteAdded, e.SiteChanged), e.SiteRemoved, "site_id"),
    ("units", (e.UnitRegistered, e.UnitChanged), e.UnitRemoved, "unit_id"),
    ("contracts", (e.ContractSigned, e.ContractChanged), e.ContractWithdrawn, "contract_id"),
)


class FakeTicketRows:
    def __init__(self) -> None:
        self.technicians: dict[str, str] = {}

    async def technician_of(self, ticket_id: str) -> str | None:
        return self.technicians.get(ticket_id)

    async def record_technician(self, ticket_id: str, technician_id: str) -> None:
        self.technicians[ticket_id] = technician_id


class FakeSlaReferences:
    """The policies and calendars the SLA monitor published, as a set."""

    def __init__(self) -> None:
        self.published: set[tuple[str, str]] = set()

    async def record(self, kind: str, reference_id: str, published_at: datetime) -> None:
        self.published.add((kind, reference_id))

    async def known(self, wanted: list[tuple[str, str]]) -> set[tuple[str, str]]:
        return {pair for pair in wanted if pair in self.published}


class FakeUnitOfWork(InMemoryUnitOfWork):
    def __init__(
        self,
        streams: InMemoryStreams,
        archive: FakeArchive,
        ticket_rows: FakeTicketRows,
        sla_references: FakeSlaReferences,
        metadata: EventMetadata | None = None,
    ) -> None:
        super().__init__(streams, metadata)
        self.tickets = TicketRepository(self)
        self.complaints = ComplaintRepository(self)
        self.customers = CustomerRepository(self)
        self.units = UnitRepository(self)
        self.contracts = ContractRepository(self)
        self.archive = archive
        self.ticket_rows = ticket_rows
        self.sla_references = sla_references

    async def flush(self) -> list[Any]:
        before = len(self.streams.appended)
        await super().flush()
        self.archive.project([event for _, event, _ in self.streams.appended[before:]])
        return []


class Intake:
    """A bus on fakes, with what a test needs to arrange and inspect."""

    def __init__(self) -> None:
        self.streams = InMemoryStreams()
        self.archive = FakeArchive()
        self.ticket_rows = FakeTicketRows()
        self.sla_references = FakeSlaReferences()
        self.bus = MessageBus(
            lambda metadata, conn: FakeUnitOfWork(
                self.streams, self.archive, self.ticket_rows, self.sla_references, metadata
            ),
            handlers(china_calendar()),
        )

    async def handle(self, command: Any, actor: str = "tester") -> Any:
        return await self.bus.handle(command, metadata=EventMetadata(actor=actor))

    def types(self, stream_id: str) -> list[str]:
        return [type(event).__name__ for event in self.streams.events(stream_id)]

    def customer(self) -> dict[str, str]:
        """A customer with a contact, a site, a contract (its policy published by the SLA monitor), a
        unit in warranty and one long out of it."""
        today = datetime.now(UTC).date()
        self.sla_references.published.add(("policy", "seed-003"))
        rows = self.archive.rows
        rows["companies"]["C-1"] = {"id": "C-1", "name": "Pearl Elevators"}
        rows["contacts"]["P-1"] = {
            "id": "P-1",
            "company_id": "C-1",
            "name": "Wang",
            "phone": "+8613800138000",
        }
        rows["sites"]["S-1"] = {"id": "S-1", "company_id": "C-1", "address": "1 Pudong", "region": "SH"}
        rows["contracts"]["K-1"] = {
            "id": "K-1",
            "company_id": "C-1",
            "policy_id": "seed-003",
            "calendar_id": "7x24",
            "on_site_regions": ["SH"],
            "remote_only_elsewhere": True,
            "account_engineer_id": "tech-1",
            "sales_rep_id": "sales-9",
            "three_guarantees_variant": "standard",
            "paid_maintenance_until": None,
        }
        for unit_id, serial, accepted, months in (
            ("U-1", "SN-0001", today - timedelta(days=100), 24),
            ("U-OLD", "SN-OLD", date(2019, 1, 1), 12),
        ):
            rows["units"][unit_id] = {
                "id": unit_id,
                "company_id": "C-1",
                "site_id": "S-1",
                "contract_id": "K-1",
                "serial_number": serial,
                "product_line": "elevator",
                "accepted_on": accepted,
                "purchased_on": None,
                "warranty_months": months,
                "days_out_of_service": 0,
            }
        rows["companies"]["C-2"] = {"id": "C-2", "name": "Other Co"}
        rows["sites"]["S-2"] = {"id": "S-2", "company_id": "C-2", "address": "2 Road", "region": "BJ"}
        return {"customer": "C-1", "unit": "U-1", "old_unit": "U-OLD", "other_customer": "C-2"}


@pytest.fixture
def intake() -> Intake:
    return Intake()
