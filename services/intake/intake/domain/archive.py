"""The customer archive as three aggregates: a customer (with its contacts and sites), a unit, a contract.

Each is rebuilt from its own stream alone, so `as_of` answers what a record said at any instant
("what did the contract say when the ticket was reported"). Commands check only what the aggregate
itself knows (a contact or site of this customer, a record not removed); what spans aggregates (a
unit's site belongs to its customer, a serial number is unique) is checked by the handlers.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from intake.domain import archive_events as e
from intake.domain.errors import ArchiveError
from intake.domain.periods import is_time_zone
from shared.aggregate import Aggregate

_NOT_HERE = "no such record for this customer"


def _state(event: Any, *, drop: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in asdict(event).items() if k not in drop}


def _known(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in values.items() if k in names}


class Customer(Aggregate):
    def __init__(self) -> None:
        super().__init__()
        self.customer_id = ""
        self.name = ""
        self.registered_at: datetime | None = None
        self.contacts: dict[str, dict[str, Any]] = {}
        self.sites: dict[str, dict[str, Any]] = {}

    @classmethod
    def register(cls, customer_id: str, name: str, now: datetime) -> Customer:
        customer = cls()
        customer._record(e.CustomerRegistered(customer_id=customer_id, name=name, occurred_at=now))
        return customer

    def rename(self, name: str, now: datetime) -> None:
        self._record(e.CustomerRenamed(**self._base(now), name=name))

    def add_contact(self, contact_id: str, values: dict[str, Any], now: datetime) -> None:
        self._record(
            e.ContactAdded(**self._base(now), contact_id=contact_id, **_known(e.ContactAdded, values))
        )

    def change_contact(self, contact_id: str, values: dict[str, Any], now: datetime) -> None:
        self._require(self.contacts, contact_id)
        self._record(
            e.ContactChanged(**self._base(now), contact_id=contact_id, **_known(e.ContactChanged, values))
        )

    def remove_contact(self, contact_id: str, now: datetime) -> None:
        self._require(self.contacts, contact_id)
        self._record(e.ContactRemoved(**self._base(now), contact_id=contact_id))

    def add_site(self, site_id: str, values: dict[str, Any], now: datetime) -> None:
        self._record(e.SiteAdded(**self._base(now), site_id=site_id, **_known(e.SiteAdded, values)))

    def change_site(self, site_id: str, values: dict[str, Any], now: datetime) -> None:
        self._require(self.sites, site_id)
        self._record(e.SiteChanged(**self._base(now), site_id=site_id, **_known(e.SiteChanged, values)))

    def remove_site(self, site_id: str, now: datetime) -> None:
        self._require(self.sites, site_id)
        self._record(e.SiteRemoved(**self._base(now), site_id=site_id))

    def _base(self, now: datetime) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "occurred_at": now}

    @staticmethod
    def _require(records: dict[str, Any], record_id: str) -> None:
        if record_id not in records:
            raise ArchiveError(404, _NOT_HERE, "id")

    def _apply(self, event: Any) -> None:
        match event:
            case e.CustomerRegistered():
                self.customer_id, self.name, self.registered_at = (
                    event.customer_id,
                    event.name,
                    event.occurred_at,
                )
            case e.CustomerRenamed():
                self.name = event.name
            case e.ContactAdded() | e.ContactChanged():
                self.contacts[event.contact_id] = _state(event, drop=("occurred_at",))
            case e.ContactRemoved():
                self.contacts.pop(event.contact_id, None)
            case e.SiteAdded() | e.SiteChanged():
                self.sites[event.site_id] = _state(event, drop=("occurred_at",))
            case e.SiteRemoved():
                self.sites.pop(event.site_id, None)
            case _:
                super()._apply(event)


class _Record(Aggregate):
    """A unit or a contract: one record of a customer, registered, replaced whole, removed."""

    added: type
    changed: type
    removed_event: type
    id_field: str

    def __init__(self) -> None:
        super().__init__()
        self.state: dict[str, Any] = {}
        self.removed = False

    @property
    def record_id(self) -> str:
        return self.state[self.id_field]

    @property
    def customer_id(self) -> str:
        return self.state["customer_id"]

    def belongs_to(self, customer_id: str) -> bool:
        return not self.removed and self.customer_id == customer_id

    def change(self, values: dict[str, Any], now: datetime) -> None:
        self._record(self.changed(**self._ids(now), **_known(self.changed, values)))

    def remove(self, now: datetime) -> None:
        self._record(self.removed_event(**self._ids(now)))

    def _ids(self, now: datetime) -> dict[str, Any]:
        return {self.id_field: self.record_id, "customer_id": self.customer_id, "occurred_at": now}

    def _apply(self, event: Any) -> None:
        if isinstance(event, self.added | self.changed):
            self.state = _state(event, drop=("occurred_at",))
            self.removed = False
        elif isinstance(event, self.removed_event):
            self.removed = True
        else:
            super()._apply(event)


class Unit(_Record):
    added, changed, removed_event, id_field = e.UnitRegistered, e.UnitChanged, e.UnitRemoved, "unit_id"

    @classmethod
    def register(cls, unit_id: str, customer_id: str, values: dict[str, Any], now: datetime) -> Unit:
        unit = cls()
        ids: dict[str, Any] = {"unit_id": unit_id, "customer_id": customer_id, "occurred_at": now}
        unit._record(e.UnitRegistered(**ids, **_known(e.UnitRegistered, values)))
        return unit


class Contract(_Record):
    added, changed, removed_event = e.ContractSigned, e.ContractChanged, e.ContractWithdrawn
    id_field = "contract_id"

    @classmethod
    def sign(cls, contract_id: str, customer_id: str, values: dict[str, Any], now: datetime) -> Contract:
        contract = cls()
        ids: dict[str, Any] = {"contract_id": contract_id, "customer_id": customer_id, "occurred_at": now}
        contract._record(e.ContractSigned(**ids, **_known(e.ContractSigned, _terms(values))))
        return contract

    def change(self, values: dict[str, Any], now: datetime) -> None:
        super().change(_terms(values), now)


def _terms(values: dict[str, Any]) -> dict[str, Any]:
    """A contract's terms as its events hold them: regions a tuple; a time zone the tz database knows
    (its local dates decide entitlements, so a misspelt zone must not be saved)."""
    zone = values.get("time_zone")
    if zone is not None and not is_time_zone(zone):
        raise ArchiveError(422, "unknown time zone (an IANA name such as Asia/Shanghai)", "time_zone")
    if "on_site_regions" in values:
        return {**values, "on_site_regions": tuple(values["on_site_regions"])}
    return values
