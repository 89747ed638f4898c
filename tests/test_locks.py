"""The three locks: every install is pinned and hashed, the installer included, and the
runtime lock is the development lock's own versions without the tools."""

from __future__ import annotations

import re
import tomllib

from ideaboard import ROOT

PIN = re.compile(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\$", re.MULTILINE)


def _pins(name: str) -> dict[str, str]:
    return dict(PIN.findall((ROOT / name).read_text()))


def _hashed_requirements(name: str) -> list[str]:
    """Each requirement of a lock with the lines that follow it, as one entry."""
    return re.split(r"\n(?=[a-z0-9])", (ROOT / name).read_text().split("\n", 2)[2].strip())


def test_every_requirement_of_every_lock_is_pinned_and_hashed():
    for lock in ("requirements-pip.lock", "requirements.lock", "requirements-dev.lock"):
        for entry in _hashed_requirements(lock):
            assert re.match(r"[a-z0-9][a-z0-9._-]*==\S+ \\\n", entry), (lock, entry[:80])
            assert "--hash=sha256:" in entry, (lock, entry[:80])


def test_the_installer_lock_pins_pip_alone_at_the_development_locks_version():
    assert _pins("requirements-pip.lock") == {"pip": _pins("requirements-dev.lock")["pip"]}


def test_the_runtime_lock_is_the_development_locks_versions_without_the_tools():
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert runtime.items() <= dev.items()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for tool in project["optional-dependencies"]["dev"]:
        name = re.match(r"[A-Za-z0-9._-]+", tool).group().lower()
        assert name not in runtime, f"{name} is a development tool in the runtime lock"

