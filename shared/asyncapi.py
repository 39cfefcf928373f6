"""AsyncAPI 3.0 description of a service's topics, generated from its event registry."""

from __future__ import annotations

from typing import Any

from shared.registry import EventRegistry


def asyncapi_document(
    *,
    service: str,
    version: str,
    publishes: tuple[str, EventRegistry, list[str]],
    consumes: list[tuple[str, list[str]]],
) -> dict[str, Any]:
    """`publishes` = (topic, registry, event types); `consumes` = [(topic, event types)]."""
    topic, registry, types = publishes
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for name in types:
        schema = registry.json_schema(name)
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
        messages[name] = {
            "name": name,
            "title": name,
            "contentType": "application/json",
            "bindings": {"kafka": {"key": {"type": "string", "description": "ticket or aggregate id"}}},
            "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }
    schemas["CloudEventsHeaders"] = {
        "type": "object",
        "description": "CloudEvents 1.0 binary mode: attributes travel as ce_* Kafka headers.",
        "properties": {
            f"ce_{a}": {"type": "string"}
            for a in (
                "id",
                "source",
                "type",
                "specversion",
                "time",
                "subject",
                "datacontenttype",
                "correlationid",
                "causationid",
                "schemaversion",
                "actor",
            )
        },
        "required": ["ce_id", "ce_source", "ce_type", "ce_specversion"],
    }
    channels = {
        "published": {
            "address": topic,
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in types},
        },
    }
    operations = {"publish": {"action": "send", "channel": {"$ref": "#/channels/published"}}}
    for index, (consumed_topic, consumed_types) in enumerate(consumes):
        channels[f"consumed{index}"] = {
            "address": consumed_topic,
            "description": "consumed: " + ", ".join(consumed_types),
        }
        operations[f"consume{index}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/consumed{index}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": f"ServicePact {service} events", "version": version},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }
