from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: `INTAKE_DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, ... (see shared.settings)."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service_name: str = "intake"
    # Holidays and make-up working days come from the one China calendar (shared.calendars.china).
