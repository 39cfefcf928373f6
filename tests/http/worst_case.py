"""The largest JSON text a schema accepts, read from an OpenAPI 3.1 (JSON Schema 2020-12) document.

Used by `test_request_bounds.py`: every request body's worst case must fit under the body limit, so a
field over its own maximum is a 422 naming it, never a 413 naming nothing. A schema that lets a value
grow without bound is reported with its JSON path (`$.parts[*].part_number`, `$.hours.*`) and why.

How bytes are counted (an upper bound for any valid value, written without padding whitespace):
- a character of a data string counts 6 bytes: JSON may write any character as `\\uXXXX` (and must so
  write a control character), and 6 also covers a UTF-8 character (at most 4 bytes) written raw; a
  string is then `2 + 6 * maxLength`. Free-form keys (`propertyNames.maxLength`) count the same way;
- strings with a fixed-width `format` (date-time, uuid, ...) count as strings of `FORMAT_CHARS`;
- names fixed by the schema (property names, `enum` and `const` values) count as written canonically;
- an integer counts the wider of its bounds, or 20 characters (int64) without both; any other number
  24 (the longest shortest-round-trip text of a double, `-2.2250738585072014e-308`);
- every optional property is present, every array holds `maxItems`, every map (`additionalProperties`
  or `patternProperties`) `maxProperties` entries, or as many as `propertyNames.enum` names;
  separators count `", "` and `": "`.
An object without `additionalProperties` ignores extra keys (pydantic's default), so they are no field
with a maximum and are not counted; `additionalProperties: true` or a bare `{}` is unbounded. Neither
is padding counted: whitespace, or zeros that pydantic accepts in a date's fraction of a second or an
integer key, make no value larger, and a client sending a megabyte of them gets the 413.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

STRING_CHAR_BYTES = 6
INT_CHARS = 20  # len("-9223372036854775808")
NUMBER_CHARS = 24  # len("-2.2250738585072014e-308")
# Generous widths for the formats pydantic emits for typed strings (it parses them, so no longer
# value is valid): RFC 3339 with nanoseconds and an offset is 35; a braced or URN uuid is 45.
FORMAT_CHARS = {"date-time": 64, "date": 32, "time": 32, "uuid": 45, "duration": 64}


@dataclass(frozen=True)
class Bound:
    """The worst-case size in bytes, and the paths that have none (then `size` means nothing)."""

    size: int
    unbounded: tuple[str, ...] = field(default=())


def _string(chars: int) -> int:
    return 2 + STRING_CHAR_BYTES * chars


def _canonical(value: Any) -> int:
    return len(json.dumps(value))


def _integer(schema: dict[str, Any]) -> int:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if low is None or high is None:
        return INT_CHARS
    return max(len(str(int(low))), len(str(int(high))))


class WorstCase:
    """Walks one OpenAPI document; `of(schema)` bounds a schema that may `$ref` its components."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def of(self, schema: Any, path: str = "$", seen: tuple[str, ...] = ()) -> Bound:
        if schema is True or schema == {}:
            return Bound(0, (f"{path}: accepts any JSON value",))
        if not isinstance(schema, dict):
            return Bound(0)  # `false`: nothing is valid here
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref in seen:
                return Bound(0, (f"{path}: recursive ({ref})",))
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            return self.of({**self._resolve(ref), **siblings}, path, (*seen, ref))
        if "const" in schema:
            return Bound(_canonical(schema["const"]))
        if "enum" in schema:
            return Bound(max(_canonical(value) for value in schema["enum"]))
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._widest([self.of(s, path, seen) for s in schema[key]])
        if "allOf" in schema:
            # A value satisfies every part: the tightest bounded part bounds it.
            parts = [self.of(s, path, seen) for s in schema["allOf"]]
            bounded = [p.size for p in parts if not p.unbounded]
            return Bound(min(bounded)) if bounded else self._widest(parts)
        types = schema.get("type")
        if types is None:
            if "properties" in schema or "additionalProperties" in schema:
                types = "object"
            elif "items" in schema or "prefixItems" in schema:
                types = "array"
            else:
                return Bound(0, (f"{path}: accepts any JSON value",))
        if isinstance(types, list):
            return self._widest([self.of({**schema, "type": t}, path, seen) for t in types])
        return self._typed(types, schema, path, seen)

    def _typed(self, kind: str, schema: dict[str, Any], path: str, seen: tuple[str, ...]) -> Bound:
        if kind == "null":
            return Bound(4)
        if kind == "boolean":
            return Bound(5)
        if kind == "integer":
            return Bound(_integer(schema))
        if kind == "number":
            return Bound(NUMBER_CHARS)
        if kind == "string":
            if "maxLength" in schema:
                return Bound(_string(schema["maxLength"]))
            if schema.get("format") in FORMAT_CHARS:
                return Bound(_string(FORMAT_CHARS[schema["format"]]))
            return Bound(0, (f"{path}: a string without maxLength",))
        if kind == "array":
            return self._array(schema, path, seen)
        if kind == "object":
            return self._object(schema, path, seen)
        return Bound(0, (f"{path}: unknown type {kind!r}",))

    def _array(self, schema: dict[str, Any], path: str, seen: tuple[str, ...]) -> Bound:
        prefix = [self.of(s, f"{path}[{i}]", seen) for i, s in enumerate(schema.get("prefixItems", []))]
        size = 2 + sum(p.size + 2 for p in prefix)
        problems = [problem for p in prefix for problem in p.unbounded]
        rest = schema.get("items", {} if "prefixItems" not in schema else False)
        if rest is not False:
            if "maxItems" not in schema:
                return Bound(0, (*problems, f"{path}: an array without maxItems"))
            item = self.of(rest, f"{path}[*]", seen)
            size += max(0, schema["maxItems"] - len(prefix)) * (item.size + 2)
            problems += item.unbounded
        return Bound(size, tuple(problems))

    def _object(self, schema: dict[str, Any], path: str, seen: tuple[str, ...]) -> Bound:
        size = 2
        problems: list[str] = []
        for name, value in schema.get("properties", {}).items():
            bound = self.of(value, f"{path}.{name}", seen)
            size += _canonical(name) + 4 + bound.size
            problems += bound.unbounded
        values = list(schema.get("patternProperties", {}).values())
        extra = schema.get("additionalProperties")
        if extra is None and not values and "properties" not in schema:
            extra = True  # a bare {"type": "object"} is any map
        if extra is not None and extra is not False:
            values.append(extra)
        if values:
            entries, key = self._map_entries(schema, path), self._key(schema, path)
            value = self._widest([self.of(v, f"{path}.*", seen) for v in values])
            problems += entries.unbounded + key.unbounded + value.unbounded
            size += entries.size * (key.size + 4 + value.size)
        return Bound(size, tuple(problems))

    @staticmethod
    def _map_entries(schema: dict[str, Any], path: str) -> Bound:
        names = schema.get("propertyNames") or {}
        counts = [schema["maxProperties"]] if "maxProperties" in schema else []
        counts += [len(names["enum"])] if "enum" in names else []
        return Bound(min(counts)) if counts else Bound(0, (f"{path}: a map without maxProperties",))

    @staticmethod
    def _key(schema: dict[str, Any], path: str) -> Bound:
        names = schema.get("propertyNames") or {}
        if "enum" in names:
            return Bound(max(_canonical(str(name)) for name in names["enum"]))
        if "maxLength" in names:
            return Bound(_string(names["maxLength"]))
        return Bound(0, (f"{path}: a map whose keys have no maxLength (propertyNames)",))

    @staticmethod
    def _widest(bounds: list[Bound]) -> Bound:
        problems = tuple(problem for b in bounds for problem in b.unbounded)
        return Bound(max((b.size for b in bounds), default=0), problems)

    def _resolve(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are followed: {ref}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)
