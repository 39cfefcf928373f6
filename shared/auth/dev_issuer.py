"""Development token issuer (off unless `AUTH_DEV_ISSUER=true`): mints RS256 tokens for demo users.

    python -m shared.auth.dev_issuer --role dispatcher [--sub alice] [--region Shanghai] [--ttl 3600]

Roles: integration, technician, dispatcher, supervisor, inventory-clerk, ops-admin, complaint-desk
(shared.auth.principal.Role); any other is refused here rather than silently dropped by the services.

The signing key lives in `AUTH_DEV_KEY_FILE` (default `.devstack/dev-signing-key.pem`), created on
first use; services with the dev issuer enabled trust its public half.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth.principal import Role

DEV_ISSUER = "servicepact-dev"
DEFAULT_KEY_FILE = ".devstack/dev-signing-key.pem"


def load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)  # type: ignore[return-value]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    try:
        os.link(tmp, path)  # atomic: the first writer wins, the others use its key
    except FileExistsError:
        return load_or_create_key(path)
    finally:
        tmp.unlink()
    return key


def mint(
    key: rsa.RSAPrivateKey,
    *,
    subject: str,
    roles: list[str],
    audience: str = "servicepact",
    ttl_s: int = 3600,
    issuer: str = DEV_ISSUER,
    **claims: Any,
) -> str:
    now = int(time.time())
    payload = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": now,
        "exp": now + ttl_s,
        "roles": roles,
        **{k: v for k, v in claims.items() if v is not None},
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "dev"})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--role",
        action="append",
        required=True,
        choices=[role.value for role in Role],
        help="repeat for several roles",
    )
    parser.add_argument("--sub", default=None, help="subject (user id); defaults to demo-<role>")
    parser.add_argument("--region", default=None)
    parser.add_argument("--technician-id", default=None)
    parser.add_argument("--audience", default=os.environ.get("AUTH_AUDIENCE", "servicepact"))
    parser.add_argument("--ttl", type=int, default=8 * 3600)
    args = parser.parse_args()
    key = load_or_create_key(Path(os.environ.get("AUTH_DEV_KEY_FILE", DEFAULT_KEY_FILE)))
    print(
        mint(
            key,
            subject=args.sub or f"demo-{args.role[0]}",
            roles=args.role,
            audience=args.audience,
            ttl_s=args.ttl,
            region=args.region,
            technician_id=args.technician_id,
        )
    )


if __name__ == "__main__":
    main()
