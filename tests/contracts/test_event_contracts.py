"""Consumers' views against producers' events, and producers against their committed catalogue.

Each consumer reads other services' events through tolerant views (`<pkg>/adapters/inbound.py`);
nothing else stops a producer from renaming, removing or retyping a field a view requires, and the
break would show only at run time, as dead letters. Here it is a failing test instead.
"""

import copy

import pytest

from shared.contracts import catalogue_breaks, consumer_breaks
from shared.event_catalog import breaking_changes, committed_documents, documents, service_documents

TOPICS = ("servicepact.tickets.v1", "servicepact.sla.v1")


@pytest.fixture(scope="module")
def own_documents() -> dict[str, dict]:
    """As each service describes itself (`/asyncapi.json`): each handled type on the topic its consumer
    declares reading it from (`ConsumerSpec.reads`)."""
    return service_documents()


def test_every_consumer_view_is_satisfied_by_its_producer(own_documents):
    breaks = consumer_breaks(own_documents)
    assert not breaks, "\n".join(breaks)


def test_each_consumer_reads_what_it_handles_from_some_topic_it_subscribes_to(own_documents):
    """A consumer subscribing to a topic that carries none of what it handles is wiring gone stale."""
    for service, doc in documents().items():
        for key, channel in doc["channels"].items():
            if key.startswith("consumed"):
                assert channel["messages"], f"{service} reads nothing from {channel['address']}"


def test_each_service_serves_what_it_reads_from_each_topic_as_the_catalogue_does(own_documents):
    """The consumers' own declarations agree with what the producers publish, topic by topic."""
    catalogue = documents()
    for service, doc in own_documents.items():
        assert doc == catalogue[service], f"{service}: /asyncapi.json differs from the catalogue"
    dispatch = {c["address"]: set(c["messages"]) for c in own_documents["dispatch"]["channels"].values()}
    assert dispatch["servicepact.sla.v1"] == {"EscalationRaised", "CaseHandedOff"}


def test_no_producer_breaks_its_committed_catalogue():
    breaks = breaking_changes(documents())
    assert not breaks, "\n".join(breaks)


def test_the_catalogue_names_what_each_consumer_reads_from_each_topic():
    docs = documents()
    consumed = {
        (service, channel["address"]): set(channel["messages"])
        for service, doc in docs.items()
        for key, channel in doc["channels"].items()
        if key.startswith("consumed")
    }
    assert consumed[("dispatch", "servicepact.sla.v1")] == {"EscalationRaised", "CaseHandedOff"}
    assert "TicketOpened" in consumed[("dispatch", "servicepact.tickets.v1")]
    assert "EscalationRaised" not in consumed[("dispatch", "servicepact.tickets.v1")]
    assert "TicketOpened" not in consumed[("sla-monitor", "servicepact.dispatch.v1")]


# The checks catch a break made to the real documents.


def _schema(doc: dict, name: str) -> dict:
    return doc["components"]["schemas"][name]


def test_a_producer_dropping_a_field_a_consumer_requires_is_caught(own_documents):
    docs = copy.deepcopy(own_documents)
    del _schema(docs["intake"], "TicketOpened")["properties"]["reported_at"]

    assert consumer_breaks(docs) == [
        "sla-monitor reads TicketOpened from servicepact.tickets.v1 (intake): "
        "TicketOpened.reported_at: required by the reader, missing from the writer"
    ]


def test_a_producer_retyping_a_nested_field_is_caught(own_documents):
    docs = copy.deepcopy(own_documents)
    _schema(docs["intake"], "TicketContext")["properties"]["customer_id"] = {"type": "integer"}

    breaks = consumer_breaks(docs)

    assert (
        "dispatch reads TicketOpened from servicepact.tickets.v1 (intake): TicketOpened.context."
        "customer_id: the reader accepts string, the writer may send integer"
    ) in breaks
    assert any(b.startswith("sla-monitor reads TicketOpened") for b in breaks)


def test_a_producer_bumping_a_schemaversion_its_consumers_do_not_read_is_caught(own_documents):
    docs = copy.deepcopy(own_documents)
    docs["sla-monitor"]["components"]["messages"]["EscalationRaised"]["x-schemaversion"] = 2

    assert consumer_breaks(docs) == [
        "dispatch reads EscalationRaised from servicepact.sla.v1 (sla-monitor): "
        "published as schemaversion 2, the consumer reads up to 1"
    ]


def test_a_handled_type_no_producer_publishes_is_caught(own_documents):
    docs = copy.deepcopy(own_documents)
    docs["dispatch"]["channels"]["published"]["messages"].pop("WorkResolved")

    assert consumer_breaks(docs) == [
        "intake handles WorkResolved, which no producer publishes on servicepact.dispatch.v1, "
        "servicepact.sla.v1",
        "sla-monitor handles WorkResolved, which no producer publishes on servicepact.dispatch.v1, "
        "servicepact.tickets.v1",
    ]


def test_a_consumer_declaring_a_type_on_the_wrong_topic_is_caught(own_documents):
    docs = copy.deepcopy(own_documents)
    channels = docs["dispatch"]["channels"]
    tickets, sla = (next(c for c in channels.values() if c["address"] == t) for t in TOPICS)
    sla["messages"]["TicketOpened"] = tickets["messages"].pop("TicketOpened")

    assert consumer_breaks(docs) == [
        "dispatch handles TicketOpened, which no producer publishes on servicepact.sla.v1, "
        "servicepact.tickets.v1"
    ]


def test_removing_or_retyping_a_committed_field_within_a_version_is_caught():
    committed = committed_documents()["dispatch"]
    current = copy.deepcopy(committed)
    fields = _schema(current, "WorkResolved")["properties"]
    del fields["minutes_spent"]
    fields["fix"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    _schema(current, "JobClosed")["properties"]["note"] = {"type": "string"}  # an added field is fine

    assert catalogue_breaks(committed, current) == [
        "WorkResolved.fix: the reader accepts string, the writer may send null",
        "WorkResolved.minutes_spent: required by the reader, missing from the writer",
    ]
    current["components"]["messages"]["WorkResolved"]["x-schemaversion"] = 2
    assert catalogue_breaks(committed, current) == []  # a new version may change what it likes
