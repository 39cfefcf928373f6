"""The Kubernetes manifests hold together without a cluster or kubectl: every file a kustomization
names exists, and there is exactly one overlay per service of the registry (`shared.services.SERVICES`),
wired to that service's own name, settings prefix, database Secret key and port.

`kubectl kustomize deploy/k8s` renders the same tree where kubectl exists; these checks keep CI free
of it and catch what a rename or a sixth service would break.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.services import BY_NAME, SERVICES, Service

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
NAMES = sorted(service.name for service in SERVICES)


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), f"{path}: not a mapping"
    return document


def kustomizations() -> list[Path]:
    return sorted(K8S.rglob("kustomization.yaml"))


def overlay_patches(service: str) -> str:
    """Every patch of the service's overlay, as one text (they are JSON patches in YAML)."""
    return "\n".join(p["patch"] for p in load(K8S / "services" / service / "kustomization.yaml")["patches"])


@pytest.mark.parametrize("kustomization", kustomizations(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_referenced_file_exists(kustomization: Path) -> None:
    document = load(kustomization)
    assert document["kind"] == "Kustomization"
    referenced = list(document.get("resources", []))
    referenced += [p["path"] for p in document.get("patches", []) if "path" in p]
    assert referenced, f"{kustomization} names nothing"
    for entry in referenced:
        target = (kustomization.parent / entry).resolve()
        assert target.exists(), f"{kustomization}: {entry} does not exist"
        if target.is_dir():
            assert (target / "kustomization.yaml").is_file(), f"{kustomization}: {entry} is no kustomization"


def test_one_overlay_per_registered_service() -> None:
    overlays = {p.name for p in (K8S / "services").iterdir() if p.is_dir()}
    assert not set(NAMES) - overlays, f"registered services without an overlay: {set(NAMES) - overlays}"
    assert not overlays - set(NAMES), f"overlays of unregistered services: {overlays - set(NAMES)}"
    top = load(K8S / "kustomization.yaml")["resources"]
    assert sorted(r.removeprefix("services/") for r in top if r.startswith("services/")) == NAMES


@pytest.mark.parametrize("service", NAMES)
def test_overlay_names_its_own_service(service: str) -> None:
    document = load(K8S / "services" / service / "kustomization.yaml")
    assert document["resources"] == ["../../base"]
    assert document["labels"][0]["pairs"] == {"app.kubernetes.io/name": service}
    patches = overlay_patches(service)
    prefix = BY_NAME[service].env_prefix
    for expected in (
        f"{{name: SERVICE, value: {service}}}",
        f"name: {prefix}DATABASE_URL",
        f"{{name: servicepact-db, key: {service}-url}}",
        f'name: {prefix}RUN_MIGRATIONS, value: "false"',
        f"value: {service}-migrate",
    ):
        assert expected in patches, f"{service}: overlay lacks {expected!r}"
    others = [s for s in SERVICES if s.name != service and s.name not in service]
    for other in others:
        assert other.env_prefix not in patches, f"{service}: mentions {other.name}"


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_each_service_has_its_registered_port(service: Service) -> None:
    patch = yaml.safe_load(
        next(
            p["patch"]
            for p in load(K8S / "services" / service.name / "kustomization.yaml")["patches"]
            if p["target"] == {"kind": "Service"}
        )
    )
    assert patch[0]["value"] == service.port


def test_registered_ports_are_distinct() -> None:
    assert len({service.port for service in SERVICES}) == len(SERVICES)


def test_base_holds_every_part_of_a_service() -> None:
    names = load(K8S / "base" / "kustomization.yaml")["resources"]
    kinds = {load(K8S / "base" / name)["kind"] for name in names}
    assert kinds == {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job"}
    job = load(K8S / "base" / "migrate-job.yaml")
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
