"""The project installs as a Python package: the wheel carries the templates, static files
and migrations, and the board runs from it outside the checkout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from bench.serve import free_port, serve
from ideaboard import ROOT

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=600)
    assert done.returncode == 0, f"{command}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def _bundled_python() -> str:
    """The Python this venv was made from, so a new venv starts with its bundled pip."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return str(Path(sys.base_prefix) / "bin" / f"python{version}")


def test_the_wheel_installs_and_serves_the_board_outside_the_checkout(tmp_path):
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "--no-build-isolation",
         "--quiet", "-w", wheels, cwd=tmp_path)
    [wheel] = wheels.glob("ideaboard-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("ideaboard/templates/base.html", "ideaboard/static/css/ideaboard.css",
                    "ideaboard/migrations/env.py"):
        assert shipped in names

    # The venv is built as `make run` builds it on a fresh machine: from the pip that Python
    # bundles, which installs only the pinned installer, which installs the runtime lock.
    venv = tmp_path / "venv"
    _run("make", "-C", ROOT, "install-run", f"VENV={venv}", f"PYTHON={_bundled_python()}",
         cwd=tmp_path)
    _run(venv / "bin" / "pip", "install", "--quiet", "--no-deps", wheel, cwd=tmp_path)

    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SECRET_KEY": "wheel-test",
           "DATABASE_URL": f"sqlite:///{tmp_path}/board.sqlite"}
    where = _run(venv / "bin" / "python", "-c", "import ideaboard; print(ideaboard.__file__)",
                 cwd=tmp_path, env=env)
    assert where.startswith(str(venv)), where
    _run(venv / "bin" / "flask", "--app", "ideaboard", "init-db", cwd=tmp_path, env=env)
    with serve("wheel", "ideaboard:create_app()", tmp_path, env, 2, tmp_path,
               gunicorn=str(venv / "bin" / "gunicorn")) as server:
        with urllib.request.urlopen(server.url + "/") as response:
            page = response.read().decode()
        with urllib.request.urlopen(server.url + "/static/css/ideaboard.css") as response:
            assert response.status == 200
    assert "<h1" in page and "/static/css/ideaboard.css" in page
    runtime_has_pytest = subprocess.run([venv / "bin" / "python", "-c", "import pytest"],
                                        capture_output=True).returncode == 0
    assert not runtime_has_pytest, "the runtime lock carries the test tools"


def test_make_run_on_a_fresh_checkout_serves_the_demo_board(tmp_path):
    """The README's first command, as a newcomer runs it: the checkout's files alone, a venv
    from the pip that Python bundles, the database and demo data, a page served."""
    checkout = tmp_path / "checkout"
    for name in _run("git", "ls-files", cwd=ROOT).splitlines():
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DATABASE_URL", "TEST_DATABASE_URL", "SECRET_KEY", "FLASK_"))}
    with (tmp_path / "run.log").open("w") as log:
        make_run = subprocess.Popen(["make", "run", f"PORT={port}",
                                     f"PYTHON={_bundled_python()}"], cwd=checkout, env=env,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            page = _first_page(f"http://127.0.0.1:{port}/", make_run, within=300)
        finally:
            os.killpg(make_run.pid, signal.SIGTERM)
            make_run.wait(timeout=30)
    assert page is not None, (tmp_path / "run.log").read_text()[-3000:]
    assert "Ideaboard" in page and "<h1" in page


def _first_page(url: str, process: subprocess.Popen, within: float) -> str | None:
    """The page at `url` once something serves it, or None if the process ends first."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.5)
    return None
