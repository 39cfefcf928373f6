"""Authentication (JWT bearer via JWKS, API keys, a development issuer) and role-based authorisation."""

from shared.auth.dependencies import PUBLIC_PATHS, Allow, CurrentPrincipal, unruled_routes
from shared.auth.principal import Principal, Role

__all__ = ["Allow", "CurrentPrincipal", "PUBLIC_PATHS", "Principal", "Role", "unruled_routes"]
