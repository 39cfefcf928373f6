"""Configuration from the environment (pydantic-settings), the same shape for every service."""

from __future__ import annotations

from pydantic import AliasChoices, Field
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
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL", "log_level"))
    run_migrations: bool = True
    db_pool_size: int = 20
    relay_enabled: bool = True
    consumers_enabled: bool = True
