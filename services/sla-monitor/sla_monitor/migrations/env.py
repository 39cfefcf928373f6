from sla_monitor.adapters.tables import metadata

from shared.eventstore.tables import backbone_metadata
from shared.migrations import run_env

run_env([backbone_metadata, metadata])  # what autogenerate compares against
