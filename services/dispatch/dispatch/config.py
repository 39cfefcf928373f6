from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: `DISPATCH_DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, ... (see shared.settings)."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")
    service_name: str = "dispatch"
