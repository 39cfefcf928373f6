"""Event types registered by name: an unknown or malformed event is detected, never guessed.

A registered type is a pydantic model or a plain dataclass (domain events stay free of pydantic;
pydantic validates them through a TypeAdapter at the edge).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter, ValidationError

from shared.envelope import Envelope, EventMetadata
from shared.errors import MalformedEvent, UnknownEventType


@dataclass(frozen=True)
class _Registration:
    cls: type
    type_name: str
    version: int
    adapter: TypeAdapter


class EventRegistry:
    def __init__(self) -> None:
        self._by_name: dict[str, _Registration] = {}
        self._by_class: dict[type, _Registration] = {}

    def register(self, cls: type, *, type_name: str | None = None, version: int = 1) -> type:
        name = type_name or cls.__name__
        if name in self._by_name and self._by_name[name].cls is not cls:
            raise ValueError(f"event type {name} is already registered")
        registration = _Registration(cls, name, version, TypeAdapter(cls))
        self._by_name[name] = registration
        self._by_class[cls] = registration
        return cls

    def register_all(self, *classes: type) -> None:
        for cls in classes:
            self.register(cls)

    def __contains__(self, type_name: str) -> bool:
        return type_name in self._by_name

    @property
    def type_names(self) -> list[str]:
        return sorted(self._by_name)

    def registration_of(self, event: Any) -> _Registration:
        try:
            return self._by_class[type(event)]
        except KeyError:
            raise UnknownEventType(f"{type(event).__name__} is not a registered event") from None

    def dump(self, event: Any) -> dict[str, Any]:
        return self.registration_of(event).adapter.dump_python(event, mode="json")

    def load(self, type_name: str, data: dict[str, Any], version: int = 1) -> Any:
        registration = self._by_name.get(type_name)
        if registration is None:
            raise UnknownEventType(f"unknown event type {type_name!r}")
        if version > registration.version:
            raise MalformedEvent(
                f"{type_name} schema version {version} is newer than known {registration.version}"
            )
        try:
            return registration.adapter.validate_python(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise MalformedEvent(f"{type_name}: field {field!r}: {first['msg']}") from exc

    def version_of(self, type_name: str) -> int:
        """The schemaversion this registry writes (and the newest it reads) for a type."""
        return self._by_name[type_name].version

    def json_schema(self, type_name: str) -> dict[str, Any]:
        return dict(self._by_name[type_name].adapter.json_schema())

    def types_of(self, module_prefix: str) -> list[str]:
        return sorted(n for n, r in self._by_name.items() if r.cls.__module__.startswith(module_prefix))

    def envelope(
        self,
        event: Any,
        *,
        source: str,
        subject: str | None,
        metadata: EventMetadata,
        event_id: UUID | None = None,
    ) -> Envelope:
        """`event_id`: the envelope's id if drawn already (`shared.envelope.new_ids`), else a new one."""
        registration = self.registration_of(event)
        occurred = getattr(event, "occurred_at", None) or getattr(event, "at", None)
        extra: dict[str, Any] = {"time": occurred} if occurred is not None else {}
        if event_id is not None:
            extra["id"] = event_id
        return Envelope(
            source=source,
            type=registration.type_name,
            subject=subject,
            schemaversion=registration.version,
            correlationid=metadata.correlation_id,
            causationid=metadata.causation_id,
            actor=metadata.actor,
            data=self.dump(event),
            **extra,
        )

    def decode(self, envelope: Envelope) -> Any:
        return self.load(envelope.type, envelope.data, envelope.schemaversion)
