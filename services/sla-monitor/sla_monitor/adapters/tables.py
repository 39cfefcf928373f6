"""SLA monitor tables: policies and calendars as data, one clock-state row per ticket (the durable
timer: `due_at` is its next threshold), the exactly-once emission guard, and the inputs kept for
what-if replays."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

policies = Table(
    "policies",
    metadata,
    Column("policy_id", Text, primary_key=True),
    Column("document", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
calendars = Table(
    "calendars",
    metadata,
    Column("calendar_id", Text, primary_key=True),
    Column("document", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
sla_tickets = Table(
    "sla_tickets",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("state", JSONB, nullable=False),
    Column("version", Integer, nullable=False),  # of the ticket's SLA event stream ("sla:<ticket>")
    Column("due_at", DateTime(timezone=True)),  # next threshold of a running clock; NULL: nothing pending
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("sla_tickets_due_idx", sla_tickets.c.due_at, postgresql_where=text("due_at IS NOT NULL"))
sla_emissions = Table(
    "sla_emissions",
    metadata,
    Column("ticket_id", Text, nullable=False),
    Column("clock", Text, nullable=False),
    Column("threshold", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("emitted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("ticket_id", "clock", "threshold", name="sla_emissions_once"),
)
sla_inputs = Table(
    "sla_inputs",
    metadata,
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("data", JSONB, nullable=False),
)
Index("sla_inputs_ticket_idx", sla_inputs.c.ticket_id, sla_inputs.c.occurred_at)
Index("sla_inputs_opened_idx", sla_inputs.c.occurred_at, postgresql_where=text("event_type = 'TicketOpened'"))
sla_input_watermarks = Table(
    "sla_input_watermarks",
    metadata,
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("position", BigInteger),  # the next offset to apply
    Column("read_until", DateTime(timezone=True)),  # every record sent before this was applied
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("topic", "partition", name="sla_input_watermarks_pkey"),
)
