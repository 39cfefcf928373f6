from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: `SLA_MONITOR_DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, ... (see shared.settings)."""

    model_config = SettingsConfigDict(env_prefix="SLA_MONITOR_", extra="ignore")
    service_name: str = "sla-monitor"
    timers_enabled: bool = True  # fire due thresholds (every replica may: rows are claimed with SKIP LOCKED)
    # A threshold fires only once every input partition is read up to its deadline + this: the outbox
    # relay's lag and clock skew between hosts (an input made before the deadline is sent just after).
    input_grace_s: float = 0.5
    input_retention_days: int = Field(
        default=400,
        ge=1,
        description="Stored inputs of a ticket whose clocks have all stopped are pruned once it has not "
        "moved for this long (SLA_MONITOR_INPUT_RETENTION_DAYS): how far back a what-if replay reaches. "
        "Open tickets and inputs waiting for their ticket's opening are kept (adapters/retention.py).",
    )
