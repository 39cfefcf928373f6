"""Is every event a writer may send one that a reader accepts? Checked on JSON Schemas, no I/O.

Two questions share this one check (see tests/contracts):
- a consumer's tolerant view (the reader) against the producer's event (the writer): every field the
  view requires exists in the event, with a type the view accepts;
- a producer's event today (the writer) against its committed catalogue entry of the same
  schemaversion (the reader, with every field required, since some consumer may read any of them):
  within a version fields are only ever added, never removed or retyped (and never made nullable).

A writer's field with a default is still sent (the registry dumps every field), so presence is read
from the writer's `properties`, not its `required`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]
_REF_PREFIXES = ("#/$defs/", "#/components/schemas/")
_NO = object()
_MAX_DEPTH = 32
# A reader's constraint -> whether the writer's bound of the same kind (w) stays within the reader's (r).
_BOUNDS = {
    "maxLength": lambda w, r: w <= r,
    "maxItems": lambda w, r: w <= r,
    "maximum": lambda w, r: w <= r,
    "exclusiveMaximum": lambda w, r: w <= r,
    "minLength": lambda w, r: w >= r,
    "minItems": lambda w, r: w >= r,
    "minimum": lambda w, r: w >= r,
    "exclusiveMinimum": lambda w, r: w >= r,
    "pattern": lambda w, r: w == r,
}


class Side:
    """One schema with the definitions its `$ref`s point into."""

    def __init__(self, schema: Schema, defs: Mapping[str, Schema] | None = None) -> None:
        self.schema = schema
        self.defs = {**(defs or {}), **schema.get("$defs", {})}

    def at(self, schema: Schema) -> Schema:
        seen = 0
        while "$ref" in schema:
            ref = schema["$ref"]
            name = next((ref[len(p) :] for p in _REF_PREFIXES if ref.startswith(p)), None)
            if name is None or name not in self.defs or seen > 50:
                raise ValueError(f"cannot resolve {ref}")
            schema, seen = self.defs[name], seen + 1
        return schema


def consumer_breaks(docs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Each consumer's views (`read.<Type>` in its AsyncAPI document, as the service itself writes it:
    each handled type on the topic it declares reading it from) against the schema its producer
    publishes; a handled type that no producer publishes on any topic it is listed on is reported too."""
    problems: list[str] = []
    for consumer, doc in docs.items():
        handled: dict[str, list[str]] = {}
        for channel in _consumed(doc):
            for type_name, message in channel["messages"].items():
                found = _producers_of(docs, channel["address"], type_name)
                handled.setdefault(type_name, []).extend(found)
                for producer in found:
                    about = f"{consumer} reads {type_name} from {channel['address']} ({producer})"
                    problems += [f"{about}: {p}" for p in _view_breaks(doc, message, docs[producer])]
        topics = ", ".join(sorted({c["address"] for c in _consumed(doc)}))
        problems += [
            f"{consumer} handles {name}, which no producer publishes on {topics}"
            for name, producers in handled.items()
            if not producers
        ]
    return problems


def catalogue_breaks(committed: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """What a producer's current document breaks of its committed one: within a topic and a
    schemaversion a published type stays, and each of its fields keeps a type its readers accept."""
    before, now = committed["channels"]["published"], current["channels"]["published"]
    if before["address"] != now["address"]:
        return []  # a new topic is a new contract
    problems: list[str] = []
    for type_name in before["messages"]:
        old = committed["components"]["messages"][type_name]
        new = current["components"]["messages"].get(type_name)
        if type_name not in now["messages"] or new is None:
            problems.append(f"{type_name} is no longer published on {now['address']}")
            continue
        old_version, new_version = old.get("x-schemaversion", 1), new.get("x-schemaversion", 1)
        if new_version < old_version:
            problems.append(f"{type_name}: schemaversion went back from {old_version} to {new_version}")
        elif new_version == old_version:
            reader = Side(_payload(committed, old), committed["components"]["schemas"])
            writer = Side(_payload(current, new), current["components"]["schemas"])
            problems += incompatibilities(reader, writer, name=type_name, every_field_read=True)
    return problems


def _view_breaks(
    consumer_doc: Mapping[str, Any], message: Mapping[str, Any], producer_doc: Mapping[str, Any]
) -> list[str]:
    type_name = message["name"]
    published = producer_doc["components"]["messages"][type_name]
    if "payload" not in message:
        return [f"{type_name} has no registered view in the consumer"]
    version, reads = published.get("x-schemaversion", 1), message.get("x-schemaversion", 1)
    if reads < version:
        return [f"published as schemaversion {version}, the consumer reads up to {reads}"]
    reader = Side(_payload(consumer_doc, message), consumer_doc["components"]["schemas"])
    writer = Side(_payload(producer_doc, published), producer_doc["components"]["schemas"])
    return incompatibilities(reader, writer, name=type_name)


def _producers_of(docs: Mapping[str, Mapping[str, Any]], topic: str, type_name: str) -> list[str]:
    return [
        service
        for service, doc in docs.items()
        if (published := doc["channels"]["published"])["address"] == topic
        and type_name in published["messages"]
    ]


def _consumed(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for key, c in doc["channels"].items() if key.startswith("consumed")]


def _payload(doc: Mapping[str, Any], message: Mapping[str, Any]) -> Schema:
    ref = message["payload"]["$ref"]
    return doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def incompatibilities(reader: Side, writer: Side, *, name: str, every_field_read: bool = False) -> list[str]:
    """Why some event `writer` may send would not satisfy `reader` (empty: compatible).

    every_field_read: treat every reader field as required (a committed schema as the reader)."""
    return _accepts(reader, reader.schema, writer, writer.schema, name, every_field_read)


def _accepts(rs: Side, r: Schema, ws: Side, w: Schema, path: str, all_read: bool) -> list[str]:
    r, w = rs.at(r), ws.at(w)
    if not _constrains(r) or path.count(".") + path.count("[") > _MAX_DEPTH:  # Any; or a recursive type
        return []
    branches = w.get("anyOf") or w.get("oneOf")
    if branches:  # each thing the writer may send must be accepted
        return [p for branch in branches for p in _accepts(rs, r, ws, branch, path, all_read)]
    options = r.get("anyOf") or r.get("oneOf")
    if options:
        found = [_accepts(rs, option, ws, w, path, all_read) for option in options]
        if any(not problems for problems in found):
            return []
        inside = [problems for problems in found if all(_deeper(p, path) for p in problems)]
        return min(inside, key=len) if inside else [_mismatch(path, r, w)]
    if "const" in r:
        return [] if w.get("const", _NO) == r["const"] else [_mismatch(path, r, w)]
    if "enum" in r:
        sent = [w["const"]] if "const" in w else w.get("enum")
        if sent is None or not set(sent) <= set(r["enum"]):
            return [f"{path}: the writer may send values outside {sorted(r['enum'])}"]
        return []
    r_type, w_type = r.get("type"), _type_of(w)
    if r_type is not None and not (w_type == r_type or (r_type == "number" and w_type == "integer")):
        return [_mismatch(path, r, w)]
    problems = _bounds(r, w, path)
    if "format" in r and w.get("format") != r["format"]:
        problems.append(_mismatch(path, r, w))
    if r_type == "array":
        problems += _items(rs, r, ws, w, path, all_read)
    if r_type == "object":
        problems += _fields(rs, r, ws, w, path, all_read)
    return problems


def _fields(rs: Side, r: Schema, ws: Side, w: Schema, path: str, all_read: bool) -> list[str]:
    sent = w.get("properties", {})
    problems: list[str] = []
    for field, field_schema in r.get("properties", {}).items():
        where = f"{path}.{field}"
        if field in sent:
            problems += _accepts(rs, field_schema, ws, sent[field], where, all_read)
        elif all_read or field in r.get("required", ()):
            problems.append(f"{where}: required by the reader, missing from the writer")
    extra = r.get("additionalProperties")
    if isinstance(extra, Mapping) and _constrains(rs.at(extra)):
        w_extra = w.get("additionalProperties")
        if isinstance(w_extra, Mapping):
            problems += _accepts(rs, extra, ws, w_extra, f"{path}.*", all_read)
        for field, field_schema in sent.items():
            if field not in r.get("properties", {}):
                problems += _accepts(rs, extra, ws, field_schema, f"{path}.{field}", all_read)
    return problems


def _items(rs: Side, r: Schema, ws: Side, w: Schema, path: str, all_read: bool) -> list[str]:
    if "prefixItems" in r or "prefixItems" in w:
        same = rs.at(r).get("prefixItems") == ws.at(w).get("prefixItems")
        return [] if same else [f"{path}: fixed-length arrays differ"]
    if "items" not in r:
        return []
    return _accepts(rs, r["items"], ws, w.get("items", {}), f"{path}[]", all_read)


def _bounds(r: Schema, w: Schema, path: str) -> list[str]:
    return [
        f"{path}: the reader requires {key} {r[key]!r}, the writer allows {w.get(key)!r}"
        for key, within in _BOUNDS.items()
        if key in r and (key not in w or not within(w[key], r[key]))
    ]


def _constrains(schema: Schema) -> bool:
    """False for a schema that accepts anything (`Any`: only annotations such as title, default)."""
    return bool(set(schema) - {"title", "description", "default", "examples", "$defs"})


def _type_of(schema: Schema) -> str | None:
    if "type" in schema:
        return schema["type"]
    values = [schema["const"]] if "const" in schema else schema.get("enum")
    if values and all(isinstance(v, str) for v in values):
        return "string"
    return None


def _mismatch(path: str, r: Schema, w: Schema) -> str:
    return f"{path}: the reader accepts {_show(r)}, the writer may send {_show(w)}"


def _show(schema: Schema) -> str:
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_show(s) for s in schema[key])
    text = schema.get("type", "any")
    if "format" in schema:
        text += f" ({schema['format']})"
    if "$ref" in schema:
        text = schema["$ref"].rsplit("/", 1)[-1]
    return str(text)


def _deeper(problem: str, path: str) -> bool:
    """A problem about a field inside this value (more useful than 'types differ' on the value)."""
    return problem.startswith(path + ".") or problem.startswith(path + "[")
