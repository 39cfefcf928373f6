from datetime import date

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: `INTAKE_DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, ... (see shared.settings)."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service_name: str = "intake"
    # Public holidays for the warranty-end rule (a JSON list in INTAKE_PUBLIC_HOLIDAYS).
    public_holidays: list[date] = []
