"""The reader/writer schema check itself, on small dataclasses (pure, no I/O)."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import TypeAdapter

from shared.contracts import Side, incompatibilities


class Severity(StrEnum):
    LOW = "low"
    HIGH = "high"


@dataclass(frozen=True, kw_only=True)
class Context:
    customer_id: str
    severity: Severity
    region: str | None = None


@dataclass(frozen=True, kw_only=True)
class Opened:
    ticket_id: str
    occurred_at: datetime
    context: Context
    parts: tuple[str, ...] = ()
    visits: int = 0


@dataclass(frozen=True, kw_only=True)
class ContextView:
    customer_id: str
    severity: str


@dataclass(frozen=True, kw_only=True)
class OpenedView:
    ticket_id: str
    occurred_at: datetime
    context: ContextView
    engineer_id: str | None = None  # optional and absent from the writer: fine


def _problems(reader: type, writer: type, **options) -> list[str]:
    return incompatibilities(
        Side(TypeAdapter(reader).json_schema()),
        Side(TypeAdapter(writer).json_schema()),
        name="Opened",
        **options,
    )


def test_a_tolerant_view_of_fewer_and_looser_fields_is_compatible():
    assert _problems(OpenedView, Opened) == []


def test_a_field_the_view_requires_must_be_sent():
    @dataclass
    class Wants:
        ticket_id: str
        reported_at: datetime

    assert _problems(Wants, Opened) == ["Opened.reported_at: required by the reader, missing from the writer"]


def test_a_nested_field_the_view_requires_must_be_sent():
    @dataclass
    class Ctx:
        customer_id: str
        policy_id: str

    @dataclass
    class Wants:
        context: Ctx | None

    assert _problems(Wants, Opened) == [
        "Opened.context.policy_id: required by the reader, missing from the writer"
    ]


def test_types_must_be_accepted():
    @dataclass
    class Retyped:
        ticket_id: int
        occurred_at: date
        visits: float  # an integer is a number: fine

    assert _problems(Retyped, Opened) == [
        "Opened.ticket_id: the reader accepts integer, the writer may send string",
        "Opened.occurred_at: the reader accepts string (date), the writer may send string (date-time)",
    ]


def test_a_writer_that_may_send_null_breaks_a_reader_that_requires_a_value():
    @dataclass
    class Wants:
        region: str

    assert _problems(Wants, Context) == ["Opened.region: the reader accepts string, the writer may send null"]


def test_a_reader_enum_must_cover_every_writer_value():
    class Narrow(StrEnum):
        HIGH = "high"

    @dataclass
    class Wants:
        severity: Narrow

    @dataclass
    class Wider:
        severity: Severity

    assert _problems(Wants, Context) == ["Opened.severity: the writer may send values outside ['high']"]
    assert _problems(Wider, Context) == []


def test_array_items_are_checked():
    @dataclass
    class Wants:
        parts: tuple[int, ...]

    assert _problems(Wants, Opened) == [
        "Opened.parts[]: the reader accepts integer, the writer may send string"
    ]


def test_within_a_version_every_committed_field_stays_with_a_compatible_type():
    @dataclass(frozen=True, kw_only=True)
    class Today:  # added a field, narrowed region: both fine for every reader
        customer_id: str
        severity: Severity
        region: str
        channel: str = "phone"

    @dataclass(frozen=True, kw_only=True)
    class Removed:
        customer_id: str
        severity: Severity

    assert _problems(Context, Today, every_field_read=True) == []
    assert _problems(Context, Removed, every_field_read=True) == [
        "Opened.region: required by the reader, missing from the writer"
    ]
    # an optional view of the same field would not have noticed
    assert _problems(Context, Removed) == []


@dataclass
class Part:
    number: str
    contains: "tuple[Part, ...]" = ()


def test_a_recursive_type_is_checked_without_looping():
    @dataclass
    class Wants:
        number: int

    assert _problems(Part, Part) == []
    assert _problems(Wants, Part) == ["Opened.number: the reader accepts integer, the writer may send string"]
