"""The customer archive's rows become streams (issue 13, item 5): one per customer, unit and contract.

Until now companies, contacts, sites, units and contracts were mutable rows; from now on they are
event-sourced (`intake.domain.archive`) and the rows are their projection. This writes, for every
row that has no stream yet, the events that would have made it: a customer's stream
`CustomerRegistered`, then `ContactAdded` and `SiteAdded` for its contacts and sites (by id); a unit's
`UnitRegistered`; a contract's `ContractSigned`. Each is stamped with its company's `created_at`
(the earliest the archive knew of it), so `as_of` and the entitlement of an older ticket find
today's terms rather than nothing. The events are stored, not published (the outbox's topic names
depend on the deployment's settings): the history starts here for other services too.

The event shapes are spelled out in SQL here (version 1 of each event), so this revision keeps
writing what it wrote when the application's events change. Downgrade removes these streams only.

Revision ID: 0008
Revises: 0005
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_METADATA = """'{"actor": "migration:0006"}'::jsonb"""


def _insert(select: str) -> str:
    """Events from `select` (stream_id, stream_type, version, event_type, occurred_at, data)."""
    return f"""
        INSERT INTO events (stream_id, stream_type, version, event_id, event_type, schema_version,
                            occurred_at, data, metadata)
        SELECT s.stream_id, s.stream_type, s.version, gen_random_uuid(), s.event_type, 1,
               s.occurred_at, s.data, {_METADATA}
        FROM ({select}) AS s
        WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = s.stream_id)
    """


_CUSTOMERS = """
    SELECT c.id AS stream_id, 'customer' AS stream_type, 1 AS version,
           'CustomerRegistered' AS event_type, c.created_at AS occurred_at,
           jsonb_build_object('customer_id', c.id, 'occurred_at', c.created_at, 'name', c.name) AS data
    FROM companies c
    UNION ALL
    SELECT p.company_id, 'customer', 1 + row_number() OVER (PARTITION BY p.company_id ORDER BY p.kind, p.id),
           p.event_type, c.created_at, p.data || jsonb_build_object('customer_id', p.company_id,
                                                                      'occurred_at', c.created_at)
    FROM (
        SELECT company_id, 1 AS kind, id, 'ContactAdded' AS event_type,
               jsonb_build_object('contact_id', id, 'name', name, 'phone', phone, 'email', email,
                                  'is_main', is_main) AS data
        FROM contacts
        UNION ALL
        SELECT company_id, 2, id, 'SiteAdded',
               jsonb_build_object('site_id', id, 'address', address, 'city', city, 'region', region)
        FROM sites
    ) AS p JOIN companies c ON c.id = p.company_id
"""

_UNITS = """
    SELECT u.id AS stream_id, 'unit' AS stream_type, 1 AS version, 'UnitRegistered' AS event_type,
           c.created_at AS occurred_at,
           jsonb_build_object(
               'unit_id', u.id, 'customer_id', u.company_id, 'occurred_at', c.created_at,
               'site_id', u.site_id, 'contract_id', u.contract_id, 'model', u.model,
               'serial_number', u.serial_number, 'product_line', u.product_line, 'quantity', u.quantity,
               'accepted_on', u.accepted_on, 'warranty_months', u.warranty_months,
               'purchased_on', u.purchased_on, 'installed_on', u.installed_on,
               'on_site_service_months', u.on_site_service_months
           ) AS data
    FROM units u JOIN companies c ON c.id = u.company_id
"""

_CONTRACTS = """
    SELECT k.id AS stream_id, 'contract' AS stream_type, 1 AS version, 'ContractSigned' AS event_type,
           c.created_at AS occurred_at,
           jsonb_build_object(
               'contract_id', k.id, 'customer_id', k.company_id, 'occurred_at', c.created_at,
               'policy_id', k.policy_id, 'calendar_id', k.calendar_id,
               'on_site_regions', to_jsonb(k.on_site_regions),
               'remote_only_elsewhere', k.remote_only_elsewhere,
               'three_guarantees_variant', k.three_guarantees_variant,
               'starts_on', k.starts_on, 'ends_on', k.ends_on, 'warranty_terms', k.warranty_terms,
               'paid_maintenance_until', k.paid_maintenance_until,
               'account_engineer_id', k.account_engineer_id, 'sales_rep_id', k.sales_rep_id,
               'consent_required_before_work', k.consent_required_before_work
           ) AS data
    FROM contracts k JOIN companies c ON c.id = k.company_id
"""


def upgrade() -> None:
    for select in (_CUSTOMERS, _UNITS, _CONTRACTS):
        op.execute(_insert(select))


def downgrade() -> None:
    op.execute("""DELETE FROM events WHERE metadata->>'actor' = 'migration:0006'""")
