"""Policies and calendars as the operators stored them (documents, ordered by id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select

from shared.domain_errors import NotFound
from sla_monitor.adapters.tables import calendars, policies
from sla_monitor.views import Reader


async def _documents(reader: Reader, table: Table, key: str) -> list[dict[str, Any]]:
    async with reader.engine.connect() as conn:
        return list((await conn.execute(select(table.c.document).order_by(table.c[key]))).scalars())


async def _document(reader: Reader, table: Table, key: str, item_id: str) -> dict[str, Any] | None:
    async with reader.engine.connect() as conn:
        query = select(table.c.document).where(table.c[key] == item_id)
        return (await conn.execute(query)).scalar_one_or_none()


async def list_policies(reader: Reader) -> list[dict[str, Any]]:
    return await _documents(reader, policies, "policy_id")


async def policy(reader: Reader, policy_id: str) -> dict[str, Any]:
    document = await _document(reader, policies, "policy_id", policy_id)
    if document is None:
        raise NotFound("policy", policy_id, field="policy_id")
    return document


async def list_calendars(reader: Reader) -> list[dict[str, Any]]:
    return await _documents(reader, calendars, "calendar_id")


async def calendar(reader: Reader, calendar_id: str) -> dict[str, Any]:
    document = await _document(reader, calendars, "calendar_id", calendar_id)
    if document is None:
        raise NotFound("calendar", calendar_id, field="calendar_id")
    return document
