"""Envelope and registry: pure, no I/O."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.envelope import Envelope, EventMetadata, new_ids
from shared.errors import MalformedEvent, UnknownEventType
from tests.backbone.support import WorkLogged, make_registry


def _envelope() -> Envelope:
    registry = make_registry()
    event = WorkLogged(ticket_id="T-1", step=3, occurred_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    return registry.envelope(
        event,
        source="/tests",
        subject="T-1",
        metadata=EventMetadata(correlation_id="c-1", causation_id="e-0", actor="u-7"),
    )


def test_binary_mode_round_trip_keeps_every_attribute():
    envelope = _envelope()
    headers = envelope.kafka_headers()
    names = {name for name, _ in headers}
    assert {
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_specversion",
        "ce_time",
        "ce_subject",
        "content-type",
        "ce_correlationid",
        "ce_causationid",
        "ce_schemaversion",
        "ce_actor",
    } <= names
    assert "ce_datacontenttype" not in names  # binary mode carries it as content-type (binding §3.2.1)
    decoded = Envelope.from_kafka(headers, envelope.kafka_value())
    assert decoded == envelope
    assert make_registry().decode(decoded) == WorkLogged(
        ticket_id="T-1", step=3, occurred_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    )


def test_event_time_is_the_occurrence_time():
    assert _envelope().time == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "value", "message"),
    [
        ([], b"{}", "missing CloudEvents headers"),
        (
            [("ce_id", b"x"), ("ce_source", b"s"), ("ce_type", b"t"), ("ce_specversion", b"1.0")],
            b"not json",
            "not JSON",
        ),
        (
            [("ce_id", b"x"), ("ce_source", b"s"), ("ce_type", b"t"), ("ce_specversion", b"1.0")],
            b"[1]",
            "not a JSON object",
        ),
        (
            [("ce_id", b"not-a-uuid"), ("ce_source", b"s"), ("ce_type", b"t"), ("ce_specversion", b"1.0")],
            b"{}",
            "invalid CloudEvents",
        ),
    ],
)
def test_malformed_messages_are_detected(headers, value, message):
    with pytest.raises(MalformedEvent, match=message):
        Envelope.from_kafka(headers, value)


def test_unknown_type_is_refused_not_guessed():
    envelope = _envelope().model_copy(update={"type": "SomethingElse"})
    with pytest.raises(UnknownEventType):
        make_registry().decode(envelope)


def test_invalid_payload_names_the_field():
    envelope = _envelope().model_copy(
        update={"data": {"ticket_id": "T-1", "step": "three", "occurred_at": "2026-01-01T00:00:00Z"}}
    )
    with pytest.raises(MalformedEvent, match="step"):
        make_registry().decode(envelope)


def test_newer_schema_version_than_known_is_refused():
    envelope = _envelope().model_copy(update={"schemaversion": 2})
    with pytest.raises(MalformedEvent, match="schema version 2"):
        make_registry().decode(envelope)


def _headers_as_the_model_dumps_them(envelope: Envelope) -> dict[str, str]:
    """The reference `header_values` is built to equal (it no longer runs a model_dump per event)."""
    attributes = envelope.model_dump(mode="json", exclude={"data", "datacontenttype"}, exclude_none=True)
    return {"ce_" + name: str(value) for name, value in attributes.items()} | {
        "content-type": envelope.datacontenttype
    }


@pytest.mark.parametrize(
    "update",
    [
        {},
        {"subject": None, "correlationid": None, "causationid": None, "actor": None},
        {"time": datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)},
        {"time": datetime(2026, 1, 2, 11, 4, tzinfo=timezone(timedelta(hours=8)))},
        {"schemaversion": 3, "source": "/servicepact/sla-monitor", "subject": "工单-1"},
    ],
)
def test_headers_are_the_attributes_in_field_order_as_the_model_dumps_them(update):
    envelope = _envelope().model_copy(update=update)
    headers = envelope.header_values()
    assert list(headers.items()) == list(_headers_as_the_model_dumps_them(envelope).items())


def test_body_is_compact_utf8_json_of_the_data():
    envelope = _envelope().model_copy(update={"data": {"note": "已到场", "n": 1.5, "list": [1, None]}})
    assert envelope.kafka_value() == '{"note":"已到场","n":1.5,"list":[1,null]}'.encode()


def test_body_is_what_the_standard_library_writes():
    data = {
        "text": 'quote " backslash \\ newline \n control \x01 line sep \u2028 accents é 工单',
        "numbers": [0, -7, 2**63, 0.5, 86400.0, 0.1, 123456789.123, 1e16, 1.5e300, -0.0, 0.0001],
        "flags": [True, False, None],
        "nested": {"list": [{"a": []}], "empty": {}},
    }
    envelope = _envelope().model_copy(update={"data": data})
    expected = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    assert envelope.kafka_value() == expected
    assert json.loads(envelope.kafka_value()) == data


def test_ids_drawn_together_are_random_version_4_uuids():
    ids = new_ids(500)
    assert len(set(ids)) == 500
    assert {(i.version, i.variant) for i in ids} == {(4, uuid.RFC_4122)}
    assert new_ids(0) == []


def test_an_envelope_takes_the_id_drawn_for_it():
    (drawn,) = new_ids(1)
    event = WorkLogged(ticket_id="T-1", step=1, occurred_at=datetime(2026, 1, 2, tzinfo=UTC))
    envelope = make_registry().envelope(
        event, source="/tests", subject="T-1", metadata=EventMetadata(), event_id=drawn
    )
    assert envelope.id == drawn
