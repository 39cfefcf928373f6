"""Configuration from the environment (pydantic-settings), the same shape for every service."""

from __future__ import annotations

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base settings; each service subclasses it and sets `env_prefix` (e.g. `INTAKE_`).

    `KAFKA_BOOTSTRAP_SERVERS` and `KAFKA_TOPIC_PREFIX` are shared by all services; the database URL is
    per service (`INTAKE_DATABASE_URL`, `DISPATCH_DATABASE_URL`, ...).
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/postgres"
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
    )
    kafka_topic_prefix: str = Field(
        default="", validation_alias=AliasChoices("KAFKA_TOPIC_PREFIX", "kafka_topic_prefix")
    )
    kafka_topic_partitions: int = Field(
        default=6, validation_alias=AliasChoices("KAFKA_TOPIC_PARTITIONS", "kafka_topic_partitions")
    )
    kafka_replication_factor: int = Field(
        default=1,
        validation_alias=AliasChoices("KAFKA_REPLICATION_FACTOR", "kafka_replication_factor"),
    )
    kafka_idempotent_producer: bool = Field(
        default=True,
        validation_alias=AliasChoices("KAFKA_IDEMPOTENT_PRODUCER", "kafka_idempotent_producer"),
        description="Idempotent producer (Apache Kafka): no duplicate or reordered batch on retry. "
        "The embedded Tansu broker does not support it: the devstack and the tests turn it off.",
    )
    max_event_bytes: int = Field(
        default=1_000_000,
        validation_alias=AliasChoices("MAX_EVENT_BYTES", "max_event_bytes"),
        description="Largest encoded event an append accepts: below the broker's message.max.bytes "
        "(1 MiB by default), else its outbox row could never be published.",
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL", "log_level"))
    auth_audience: str = Field(
        default="servicepact", validation_alias=AliasChoices("AUTH_AUDIENCE", "auth_audience")
    )
    auth_issuer: str | None = Field(default=None, validation_alias=AliasChoices("AUTH_ISSUER", "auth_issuer"))
    auth_jwks_url: str | None = Field(
        default=None, validation_alias=AliasChoices("AUTH_JWKS_URL", "auth_jwks_url")
    )
    auth_dev_issuer: bool = Field(
        default=False,
        validation_alias=AliasChoices("AUTH_DEV_ISSUER", "auth_dev_issuer"),
        description="Trust tokens minted by `python -m shared.auth.dev_issuer` (development only).",
    )
    auth_dev_key_file: str = Field(
        default=".devstack/dev-signing-key.pem",
        validation_alias=AliasChoices("AUTH_DEV_KEY_FILE", "auth_dev_key_file"),
    )
    rate_limit_per_minute: int = Field(
        default=6000, validation_alias=AliasChoices("RATE_LIMIT_PER_MINUTE", "rate_limit_per_minute")
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        validation_alias=AliasChoices("MAX_BODY_BYTES", "max_body_bytes"),
        description="A larger request body is a 413 naming this limit. It leaves room for every request "
        "body's largest valid value (tests/http/test_request_bounds.py: the SLA calendar's is about "
        "0.5 MB), so an over-long field is a 422 naming the field instead.",
    )
    run_migrations: bool = True
    db_pool_size: int = 20
    relay_enabled: bool = True
    consumers_enabled: bool = True
    # Retention of the backbone tables (shared.retention explains the windows).
    retention_days: int = Field(
        default=7, ge=1, description="Published outbox rows are kept this long (how far a replay reaches)."
    )
    dedup_retention_days: int = Field(
        default=30,
        ge=1,
        description="processed_events rows are kept this long: longer than any redelivery (Kafka and DLQ "
        "topic retention, outbox replay), or a redelivered event would be applied again.",
    )
    idempotency_retention_days: int = Field(
        default=7, ge=1, description="A client may retry a command with the same Idempotency-Key this long."
    )
    retention_interval_s: float = Field(default=3600.0, gt=0, description="Time between pruning passes.")
    retention_batch_pages: int = Field(
        default=32, ge=1, description="Table pages (8 kB each) pruned per short transaction."
    )

    @model_validator(mode="after")
    def _dedup_outlives_replay(self) -> ServiceSettings:
        # An outbox replay republishes rows up to retention_days old; every consumer must still remember
        # having applied them.
        if self.dedup_retention_days <= self.retention_days:
            raise ValueError("dedup_retention_days must be longer than retention_days")
        return self
