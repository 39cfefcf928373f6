"""AsyncAPI 3.0 description of a service's topics, generated from its event registry.

A published message carries its payload schema and `x-schemaversion`; a consumed channel lists, per
topic, the types the service handles with the service's own tolerant view of each (`read.<Type>`),
so the catalogue shows which fields each consumer really reads. One computation keeps on each topic
only the types read there (`restrict_to_producers`): a service's own document (`/asyncapi.json`)
applies it to what its consumers declare they read from each topic (`ConsumerSpec.reads`, their views
grouped by producer), the catalogue, which sees every producer, to what each producer publishes; the
contract tests check that the two agree.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from shared.envelope import CONTENT_TYPE_HEADER, HEADER_PREFIX
from shared.registry import EventRegistry

READ_PREFIX = "read."  # component name of a consumer's view of another service's event
_ATTRIBUTES = (
    "id",
    "source",
    "type",
    "specversion",
    "time",
    "subject",
    "correlationid",
    "causationid",
    "schemaversion",
    "actor",
)


def asyncapi_document(
    *,
    service: str,
    version: str,
    publishes: tuple[str, EventRegistry, list[str]],
    consumes: list[tuple[str, list[str]]],
) -> dict[str, Any]:
    """`publishes` = (topic, registry, event types); `consumes` = [(topic, event types handled)]."""
    topic, registry, types = publishes
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for name in types:
        _add_schema(schemas, name, registry.json_schema(name))
        messages[name] = {
            "name": name,
            "title": name,
            "contentType": "application/json",
            "x-schemaversion": registry.version_of(name),
            "bindings": {"kafka": {"key": {"type": "string", "description": "ticket or aggregate id"}}},
            "headers": {"$ref": "#/components/schemas/CloudEventsHeaders"},
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }
    schemas["CloudEventsHeaders"] = _headers_schema()
    channels: dict[str, Any] = {
        "published": {
            "address": topic,
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in types},
        },
    }
    operations: dict[str, Any] = {"publish": {"action": "send", "channel": {"$ref": "#/channels/published"}}}
    for name in sorted({n for _, handled in consumes for n in handled}):
        if name in registry:
            _add_schema(schemas, name, registry.json_schema(name), prefix=READ_PREFIX)
    for index, (consumed_topic, handled) in enumerate(consumes):
        views = {n: _read_message(n, registry) for n in handled}
        channels[f"consumed{index}"] = _consumed_channel(consumed_topic, views)
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


def published_on(docs: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Topic -> the event types its producers publish there."""
    found: dict[str, set[str]] = {}
    for doc in docs:
        published = doc["channels"]["published"]
        found.setdefault(published["address"], set()).update(published["messages"])
    return found


def restrict_to_producers(doc: Mapping[str, Any], published: Mapping[str, Collection[str]]) -> dict[str, Any]:
    """`doc` with each consumed topic listing only the handled types its producer publishes there
    (a topic with no known producer keeps every handled type)."""
    restricted: dict[str, Any] = copy.deepcopy(dict(doc))
    channels = restricted["channels"]
    for key, channel in channels.items():
        if key.startswith("consumed") and channel["address"] in published:
            on_topic = published[channel["address"]]
            kept = {n: m for n, m in channel["messages"].items() if n in on_topic}
            channels[key] = _consumed_channel(channel["address"], kept)
    return restricted


def consumed_types(channel: Mapping[str, Any]) -> list[str]:
    return sorted(channel.get("messages", {}))


def _read_message(name: str, registry: EventRegistry) -> dict[str, Any]:
    """A handled type: the consumer's view and the newest schemaversion it reads."""
    message: dict[str, Any] = {"name": name}
    if name in registry:
        message["x-schemaversion"] = registry.version_of(name)
        message["payload"] = {"$ref": f"#/components/schemas/{READ_PREFIX}{name}"}
    return message


def _consumed_channel(topic: str, messages: Mapping[str, Any]) -> dict[str, Any]:
    names = sorted(messages)
    return {
        "address": topic,
        "description": "consumed: " + ", ".join(names),
        "messages": {n: messages[n] for n in names},
    }


def _add_schema(schemas: dict[str, Any], name: str, schema: dict[str, Any], prefix: str = "") -> None:
    """Put a pydantic schema and its `$defs` among the components (named `prefix` + name, `$ref`s
    pointing there); two different definitions under one name would make one of them silently
    wrong, so they raise (a consumer's views are prefixed: they may reuse a producer's names)."""
    schema = _components_refs(schema, "#/components/schemas/" + prefix)
    for def_name, definition in {**schema.pop("$defs", {}), name: schema}.items():
        if schemas.get(prefix + def_name, definition) != definition:
            raise ValueError(f"two different schemas named {prefix + def_name!r} in one AsyncAPI document")
        schemas[prefix + def_name] = definition


def _components_refs(node: Any, target: str) -> Any:
    if isinstance(node, dict):
        return {
            k: v.replace("#/$defs/", target) if k == "$ref" else _components_refs(v, target)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_components_refs(v, target) for v in node]
    return node


def _headers_schema() -> dict[str, Any]:
    properties = {HEADER_PREFIX + a: {"type": "string"} for a in _ATTRIBUTES}
    properties[CONTENT_TYPE_HEADER] = {
        "type": "string",
        "const": "application/json",
        "description": "the datacontenttype attribute (binary mode carries it as content-type)",
    }
    return {
        "type": "object",
        "description": "CloudEvents 1.0 Kafka binary mode: attributes travel as ce_* headers, "
        "datacontenttype as content-type (Kafka protocol binding 1.0, §3.2).",
        "properties": properties,
        "required": ["ce_id", "ce_source", "ce_type", "ce_specversion"],
    }
