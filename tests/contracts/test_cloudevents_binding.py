"""Our Kafka binary mode agrees with the CloudEvents SDK, both ways (Kafka protocol binding 1.0 §3.2).

The SDK is the reference reader and writer: what we publish it decodes to the same attributes and
data, and what it publishes our consumers decode to the same envelope.
"""

from datetime import UTC, datetime
from uuid import uuid4

from cloudevents.core.bindings import kafka
from cloudevents.core.v1.event import CloudEvent
from cloudevents.v1 import kafka as legacy_kafka

from shared.envelope import Envelope, EventMetadata
from tests.backbone.support import WorkLogged, make_registry

OCCURRED = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def _envelope() -> Envelope:
    return make_registry().envelope(
        WorkLogged(ticket_id="T-1", step=3, occurred_at=OCCURRED),
        source="/servicepact/tests",
        subject="T-1",
        metadata=EventMetadata(correlation_id="c-1", causation_id="e-0", actor="u-7"),
    )


def test_the_sdk_reads_our_binary_message_as_the_same_event():
    envelope = _envelope()
    message = kafka.KafkaMessage(
        headers=dict(envelope.kafka_headers()), key=b"T-1", value=envelope.kafka_value()
    )

    event = kafka.from_binary_event(message)

    attributes = event.get_attributes()
    assert attributes.pop("partitionkey") == "T-1"  # the SDK adds the Kafka key as an extension
    assert attributes == {
        "id": str(envelope.id),
        "source": "/servicepact/tests",
        "type": "WorkLogged",
        "specversion": "1.0",
        "time": OCCURRED,
        "subject": "T-1",
        "datacontenttype": "application/json",
        "correlationid": "c-1",
        "causationid": "e-0",
        "schemaversion": "1",
        "actor": "u-7",
    }
    assert (
        event.get_data()
        == envelope.data
        == {
            "ticket_id": "T-1",
            "step": 3,
            "occurred_at": "2026-01-02T03:04:05.678000Z",
        }
    )


def test_datacontenttype_travels_as_the_content_type_header():
    headers = dict(_envelope().kafka_headers())
    assert headers["content-type"] == b"application/json"
    assert "ce_datacontenttype" not in headers


def test_we_read_the_sdks_binary_message_as_the_same_envelope():
    event_id = uuid4()
    event = CloudEvent(
        {
            "id": str(event_id),
            "source": "/servicepact/dispatch",
            "type": "WorkLogged",
            "specversion": "1.0",
            "time": OCCURRED,
            "subject": "T-9",
            "datacontenttype": "application/json",
            "correlationid": "c-2",
            "causationid": "e-1",
            "schemaversion": "1",
            "actor": "tech-4",
        },
        {"ticket_id": "T-9", "step": 1, "occurred_at": "2026-01-02T03:04:05.678Z"},
    )
    message = kafka.to_binary_event(event)
    assert message.headers["content-type"] == b"application/json"

    envelope = Envelope.from_kafka(list(message.headers.items()), message.value)

    assert envelope == Envelope(
        id=event_id,
        source="/servicepact/dispatch",
        type="WorkLogged",
        time=OCCURRED,
        subject="T-9",
        correlationid="c-2",
        causationid="e-1",
        schemaversion=1,
        actor="tech-4",
        data={"ticket_id": "T-9", "step": 1, "occurred_at": "2026-01-02T03:04:05.678Z"},
    )
    assert make_registry().decode(envelope) == WorkLogged(ticket_id="T-9", step=1, occurred_at=OCCURRED)


def test_the_sdks_own_round_trip_of_our_message_changes_nothing_we_read():
    envelope = _envelope()
    message = kafka.KafkaMessage(
        headers=dict(envelope.kafka_headers()), key=b"T-1", value=envelope.kafka_value()
    )
    again = kafka.to_binary_event(kafka.from_binary_event(message))
    assert Envelope.from_kafka(list(again.headers.items()), again.value) == envelope


def test_messages_written_with_the_old_ce_datacontenttype_header_are_still_read():
    envelope = _envelope()
    headers = [(n, v) for n, v in envelope.kafka_headers() if n != "content-type"]
    headers.append(("ce_datacontenttype", b"application/json"))
    assert Envelope.from_kafka(headers, envelope.kafka_value()) == envelope


def test_the_sdks_older_kafka_conversion_agrees_both_ways():
    """`cloudevents.v1.kafka` (`cloudevents.kafka` before SDK 2.0), which many consumers still use."""
    envelope = _envelope()
    message = legacy_kafka.KafkaMessage(
        headers=dict(envelope.kafka_headers()), key=b"T-1", value=envelope.kafka_value()
    )

    event = legacy_kafka.from_binary(message)
    assert event["datacontenttype"] == "application/json"
    assert (event["id"], event["type"], event["schemaversion"]) == (str(envelope.id), "WorkLogged", "1")
    assert event.data == envelope.data

    again = legacy_kafka.to_binary(event)
    assert again.headers["content-type"] == b"application/json"
    assert Envelope.from_kafka(list(again.headers.items()), again.value) == envelope
