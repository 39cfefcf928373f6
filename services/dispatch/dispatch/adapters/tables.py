"""Dispatch read models: technicians (with their current load), jobs, the roster, repair history."""

from sqlalchemy import Boolean, Column, Date, DateTime, Index, Integer, MetaData, Table, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

technicians = Table(
    "technicians",
    metadata,
    Column("technician_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("skills", ARRAY(Text), nullable=False),
    Column("home_region", Text, nullable=False),
    Column("regions", ARRAY(Text), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("load", Integer, nullable=False, server_default="0"),  # open breakdown jobs (not visits)
    Column("version", Integer, nullable=False),
)
jobs = Table(
    "jobs",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("job_id", Text, nullable=False, unique=True),
    Column("status", Text, nullable=False),
    Column("technician_id", Text),
    Column("level", Integer, nullable=False),
    Column("severity", Text),
    Column("region", Text),
    Column("product_line", Text),
    Column("on_site_required", Boolean, nullable=False),
    Column("customer_id", Text),
    Column("unit_id", Text),
    Column("account_engineer_id", Text),
    Column("queued", Boolean, nullable=False, server_default="false"),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("version", Integer, nullable=False),
)
Index("jobs_technician_idx", jobs.c.technician_id, jobs.c.status)
Index("jobs_queue_idx", jobs.c.opened_at, postgresql_where=text("queued"))
rosters = Table(
    "rosters",
    metadata,
    Column("roster_id", Text, primary_key=True),
    Column("document", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
repairs = Table(
    "repairs",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("unit_id", Text, nullable=False),
    Column("fault_code", Text),
    Column("technician_id", Text, nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=False),
)
Index("repairs_unit_idx", repairs.c.unit_id, repairs.c.resolved_at)
maintenance_schedules = Table(
    "maintenance_schedules",
    metadata,
    Column("schedule_id", Text, primary_key=True),
    Column("document", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
visits = Table(
    "maintenance_visits",
    metadata,
    Column("visit_id", Text, primary_key=True),
    Column("schedule_id", Text, nullable=False, index=True),
    Column("due_on", Date, nullable=False),
    Column("notify_on", Date, nullable=False),
    Column("status", Text, nullable=False),  # scheduled | overdue | completed
    Column("region", Text, nullable=False),
    Column("unit_id", Text),
    Column("contract_id", Text),
    Column("completed_on", Date),  # since-last cadences count from it (revision 0004)
)
Index("maintenance_visits_due_idx", visits.c.due_on, postgresql_where=text("status <> 'completed'"))
