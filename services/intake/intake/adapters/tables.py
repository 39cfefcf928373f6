"""Intake tables: the customer archive (reference data) and the ticket/complaint read models."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

companies = Table(
    "companies",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
contacts = Table(
    "contacts",
    metadata,
    Column("id", Text, primary_key=True),
    Column("company_id", Text, ForeignKey("companies.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("phone", Text, nullable=False, index=True),  # E.164 (intake.adapters.phones)
    Column("email", Text),
    Column("is_main", Boolean, nullable=False, server_default="false"),
)
sites = Table(
    "sites",
    metadata,
    Column("id", Text, primary_key=True),
    Column("company_id", Text, ForeignKey("companies.id"), nullable=False, index=True),
    Column("address", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("region", Text, nullable=False),
    Column("region_class", Text),  # "city" | "elsewhere" (targets may differ, SPEC 2.2); None: not said
)
contracts = Table(
    "contracts",
    metadata,
    Column("id", Text, primary_key=True),
    Column("company_id", Text, ForeignKey("companies.id"), nullable=False, index=True),
    Column("policy_id", Text, nullable=False),
    Column("calendar_id", Text, nullable=False),
    Column("on_site_regions", ARRAY(Text), nullable=False),
    Column("remote_only_elsewhere", Boolean, nullable=False),
    Column("warranty_terms", Text),
    Column("paid_maintenance_until", Date),
    Column("account_engineer_id", Text),
    Column("sales_rep_id", Text),
    Column("three_guarantees_variant", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("consent_required_before_work", Boolean, nullable=False, server_default="false"),
    # IANA zone of the contract's local dates (revision 0010; rows before it: Asia/Shanghai)
    Column("time_zone", Text, nullable=False, server_default="Asia/Shanghai"),
)
units = Table(
    "units",
    metadata,
    Column("id", Text, primary_key=True),
    Column("company_id", Text, ForeignKey("companies.id"), nullable=False, index=True),
    Column("site_id", Text, ForeignKey("sites.id"), nullable=False),
    Column("contract_id", Text, ForeignKey("contracts.id")),
    Column("model", Text, nullable=False),
    Column("serial_number", Text, nullable=False, unique=True),
    Column("product_line", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("purchased_on", Date),
    Column("installed_on", Date),
    Column("accepted_on", Date, nullable=False),
    Column("warranty_months", Integer, nullable=False),
    Column("days_out_of_service", Integer, nullable=False, server_default="0"),  # from unit_outages
    Column("out_of_service_reasons", ARRAY(Text), nullable=False, server_default="{}"),
    Column("on_site_service_months", Integer),  # None: on-site service as long as the warranty
)
tickets_view = Table(
    "tickets_view",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("customer_id", Text, nullable=False),
    Column("contract_id", Text),
    Column("site_id", Text),
    Column("unit_id", Text),
    Column("region", Text),
    Column("technician_id", Text),
    Column("description", Text, nullable=False),
    Column("caller", JSONB, nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)
unit_repairs = Table(
    "unit_repairs",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("unit_id", Text, nullable=False, index=True),
    Column("fault_code", Text, nullable=False),
    Column("resolved_on", Date, nullable=False),
    Column("cause", Text),  # the ticket's last assessed cause (None: never assessed)
    Column("reported_on", Date),  # the local day the fault was reported
)
unit_outages = Table(
    "unit_outages",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("ticket_id", Text, nullable=False, index=True),
    Column("unit_id", Text, nullable=False, index=True),
    Column("started_on", Date, nullable=False),  # local day reported (or reopened)
    Column("ended_on", Date),  # local day resolved; None: still out of service
    Column("waited_for_parts", Boolean, nullable=False, server_default="false"),
    Column("cause", Text),  # the ticket's last assessed cause
)
Index("tickets_view_customer_idx", tickets_view.c.customer_id, tickets_view.c.ticket_id)
Index("tickets_view_status_idx", tickets_view.c.status, tickets_view.c.ticket_id)
Index("tickets_view_technician_idx", tickets_view.c.technician_id, tickets_view.c.ticket_id)
complaints_view = Table(
    "complaints_view",
    metadata,
    Column("complaint_id", Text, primary_key=True),
    Column("ticket_id", Text, index=True),
    Column("customer_id", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("reply", Text),
    Column("filed_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
)
# The policies and calendars the SLA monitor has published (PolicyPublished / CalendarPublished): the
# ids a contract or a ticket may name. Only ever added to (no event retracts one).
sla_references = Table(
    "sla_references",
    metadata,
    Column("kind", Text, primary_key=True),  # "policy" | "calendar"
    Column("reference_id", Text, primary_key=True),
    Column("published_at", DateTime(timezone=True), nullable=False),
)
