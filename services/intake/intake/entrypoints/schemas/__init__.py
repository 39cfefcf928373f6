"""Intake's HTTP shapes, one place: request bodies (requests.py) and response bodies (responses.py)."""

from intake.entrypoints.schemas.requests import *  # noqa: F403
from intake.entrypoints.schemas.responses import *  # noqa: F403
