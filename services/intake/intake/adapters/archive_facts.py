"""What tickets read from the customer archive, on the unit of work's connection (its transaction).

`ArchiveFacts` of a new ticket come in one round trip; within one unit of work (or a group of
openings sharing a memo) the same look-up is made once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.phones import e164
from intake.adapters.tables import contracts, sites, unit_repairs, units
from intake.domain.entitlement import Cause, PriorRepair
from intake.domain.errors import InvalidCommand
from intake.domain.events import Caller, Severity, TicketContext
from intake.domain.ticket import covers_on_site

DEFAULT_POLICY = "default"
DEFAULT_CALENDAR = "7x24"


@dataclass(frozen=True)
class ArchiveFacts:
    context: TicketContext
    caller: Caller
    contract: dict[str, Any] | None
    unit: dict[str, Any] | None
    prior_repairs: tuple[PriorRepair, ...] = ()  # the unit's recorded repairs (none without a unit)


def _columns(alias: str, table) -> str:
    return ", ".join(f"{alias}.{column.name} AS {alias}_{column.name}" for column in table.c)


def _facts_statement(unit_match: str):
    """Everything a new ticket needs from the archive, in one round trip.

    The unit is found by `unit_match` (its id or its serial number); site and contract are the ones
    named in the command, else the unit's. Each part is a LEFT JOIN, so a missing row comes back as
    NULL columns and `ticket_facts` reports it (in the same order as separate look-ups would).
    """
    return text(f"""
        SELECT co.id AS customer_found, {_columns("u", units)}, {_columns("s", sites)},
               {_columns("k", contracts)}, ct.id AS contact_id,
               r.fault_codes AS repair_fault_codes, r.resolved_ons AS repair_resolved_ons,
               r.causes AS repair_causes, r.reported_ons AS repair_reported_ons
        FROM (SELECT 1) AS one
        LEFT JOIN companies co ON co.id = :customer_id
        LEFT JOIN units u ON u.{unit_match} = :unit_key
        LEFT JOIN sites s ON s.id = COALESCE(CAST(:site_id AS text), u.site_id)
        LEFT JOIN contracts k ON k.id = COALESCE(CAST(:contract_id AS text), u.contract_id)
        LEFT JOIN LATERAL (
            SELECT id FROM contacts WHERE company_id = :customer_id AND phone = :phone LIMIT 1
        ) ct ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(fault_code ORDER BY ticket_id) AS fault_codes,
                   array_agg(resolved_on ORDER BY ticket_id) AS resolved_ons,
                   array_agg(cause ORDER BY ticket_id) AS causes,
                   array_agg(reported_on ORDER BY ticket_id) AS reported_ons
            FROM unit_repairs WHERE unit_id = u.id
        ) r ON true
    """)


_FACTS_BY_UNIT_ID = _facts_statement("id")
_FACTS_BY_SERIAL = _facts_statement("serial_number")


def _part(row, alias: str, table) -> dict[str, Any] | None:
    """The columns of one joined table as a row dict (None when the join found nothing)."""
    if row[f"{alias}_id"] is None:
        return None
    return {column.name: row[f"{alias}_{column.name}"] for column in table.c}


def _check_owner(
    part: dict[str, Any] | None, wanted: bool, customer_id: str, field: str, what: str | None = None
) -> None:
    """A row the command names (`wanted`) must exist and belong to the customer."""
    if wanted and (part is None or part["company_id"] != customer_id):
        raise InvalidCommand(f"unknown {what or field} for this customer", field=field)


def prior_repair(fault_code: str, resolved_on, cause: str | None, reported_on) -> PriorRepair:
    """A recorded repair as the rules see it (a cause never assessed: presumed a performance fault)."""
    return PriorRepair(
        fault_code=fault_code,
        resolved_on=resolved_on,
        cause=Cause(cause)
        if cause is not None and cause in Cause._value2member_map_
        else Cause.PERFORMANCE_FAULT,
        reported_on=reported_on,
    )


def _repairs(row) -> tuple[PriorRepair, ...]:
    codes = row["repair_fault_codes"] or ()
    days = row["repair_resolved_ons"] or ()
    causes = row["repair_causes"] or (None,) * len(codes)
    reported = row["repair_reported_ons"] or (None,) * len(codes)
    return tuple(map(prior_repair, codes, days, causes, reported))


async def row_by_id(conn: AsyncConnection, table, row_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(table).where(table.c.id == row_id))).mappings().first()
    return dict(row) if row else None


async def ticket_facts(
    conn: AsyncConnection,
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
    """The archive rows a new ticket refers to (one query), each checked to belong to the customer.

    A unit is looked up by `unit_id` when given, else by `serial_number`; the site and contract
    default to the unit's. `prior_repairs` are all the unit's recorded repairs: a ticket being opened
    has none of its own yet, so nothing needs excluding.
    """
    by_serial = unit_id is None and bool(serial_number)
    caller_phone = e164(caller_phone) or caller_phone  # E.164 when it is a valid number
    statement = _FACTS_BY_SERIAL if by_serial else _FACTS_BY_UNIT_ID
    row = (
        (
            await conn.execute(
                statement,
                {
                    "customer_id": customer_id,
                    "unit_key": serial_number if by_serial else unit_id,
                    "site_id": site_id or None,
                    "contract_id": contract_id or None,
                    "phone": caller_phone,
                },
            )
        )
        .mappings()
        .one()
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
        customer_known=row["customer_found"] is not None,
        unit=_part(row, "u", units),
        site=_part(row, "s", sites),
        contract=_part(row, "k", contracts),
        contact_id=row["contact_id"],
        prior_repairs=_repairs(row),
    )


def assemble(
    *,
    customer_id: str,
    severity: Severity,
    caller_name: str,
    caller_phone: str,
    contract_id: str | None,
    site_id: str | None,
    unit_id: str | None,
    by_serial: bool,
    customer_known: bool,
    unit: dict[str, Any] | None,
    site: dict[str, Any] | None,
    contract: dict[str, Any] | None,
    contact_id: str | None,
    prior_repairs: tuple[PriorRepair, ...],
) -> ArchiveFacts:
    """The facts from the rows found (checked in the order separate look-ups would report them).

    Pure, so the in-memory archive of the handler tests gives the same answers as this adapter."""
    if not customer_known:
        raise InvalidCommand("unknown customer", field="customer_id")
    if by_serial:
        _check_owner(unit, True, customer_id, "serial_number", what="serial number")
    else:
        _check_owner(unit, unit_id is not None, customer_id, "unit_id")
    _check_owner(site, (site_id or (unit and unit["site_id"])) is not None, customer_id, "site_id")
    _check_owner(
        contract, (contract_id or (unit and unit["contract_id"])) is not None, customer_id, "contract_id"
    )
    region = site["region"] if site else None
    return ArchiveFacts(
        context=TicketContext(
            customer_id=customer_id,
            contract_id=contract["id"] if contract else None,
            policy_id=contract["policy_id"] if contract else DEFAULT_POLICY,
            calendar_id=contract["calendar_id"] if contract else DEFAULT_CALENDAR,
            severity=severity,
            region=region,
            site_id=site["id"] if site else None,
            unit_id=unit["id"] if unit else None,
            product_line=unit["product_line"] if unit else None,
            region_class=site.get("region_class") if site else None,
            on_site_covered=covers_on_site(
                region,
                contract["on_site_regions"] if contract else None,
                has_contract=contract is not None,
                remote_only_elsewhere=bool(contract and contract["remote_only_elsewhere"]),
            ),
        ),
        caller=Caller(
            name=caller_name, phone=caller_phone, contact_id=contact_id, registered=contact_id is not None
        ),
        contract=contract,
        unit=unit,
        prior_repairs=prior_repairs if unit else (),
    )


async def prior_repairs(conn: AsyncConnection, unit_id: str, *, excluding_ticket: str) -> list[PriorRepair]:
    columns = (unit_repairs.c.fault_code, unit_repairs.c.resolved_on, unit_repairs.c.cause)
    rows = await conn.execute(
        select(*columns, unit_repairs.c.reported_on).where(
            unit_repairs.c.unit_id == unit_id, unit_repairs.c.ticket_id != excluding_ticket
        )
    )
    return [prior_repair(r.fault_code, r.resolved_on, r.cause, r.reported_on) for r in rows]


async def contract_policy(conn: AsyncConnection, customer_id: str, *, on: date) -> str:
    """The policy of the customer's contract in force `on` (the latest started), else the default."""
    policy = (
        await conn.execute(
            select(contracts.c.policy_id)
            .where(
                contracts.c.company_id == customer_id,
                contracts.c.starts_on <= on,
                or_(contracts.c.ends_on.is_(None), contracts.c.ends_on >= on),
            )
            .order_by(contracts.c.starts_on.desc(), contracts.c.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    return policy or DEFAULT_POLICY
