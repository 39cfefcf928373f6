from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: `DISPATCH_DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`, ... (see shared.settings)."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")
    service_name: str = "dispatch"
    # The roster (PUT /roster) is one document for up to 1000 technicians' shifts, groups and leave:
    # its largest valid form is about 5 MB (tests/http/test_request_bounds.py), above the shared 1 MiB,
    # so that one operation gets its own limit and every other endpoint keeps the shared one.
    roster_max_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        validation_alias=AliasChoices("DISPATCH_ROSTER_MAX_BODY_BYTES", "roster_max_body_bytes"),
    )
