"""API key administration, on every service (ops-admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from shared.auth import api_keys
from shared.auth.dependencies import Allow
from shared.auth.principal import Principal, Role
from shared.http.problems import Problem

router = APIRouter(prefix="/admin/api-keys", tags=["administration"])
OpsAdmin = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN))]


class NewApiKey(BaseModel):
    client_id: str = Field(min_length=1, max_length=200)
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    region: str | None = Field(default=None, max_length=200)


class IssuedApiKey(BaseModel):
    key_id: str
    api_key: str = Field(description="Shown once; only its hash is stored.")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IssuedApiKey)
async def issue_api_key(body: NewApiKey, request: Request, _: OpsAdmin) -> IssuedApiKey:
    issued = await api_keys.issue(
        request.app.state.runtime.engine, client_id=body.client_id, roles=body.roles, region=body.region
    )
    return IssuedApiKey(key_id=issued.key_id, api_key=issued.plaintext)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(key_id: str, request: Request, _: OpsAdmin) -> None:
    if not await api_keys.revoke(request.app.state.runtime.engine, key_id):
        raise Problem(404, "No such active API key", type_="/problems/not-found", key_id=key_id)
