"""Running wrk and reading its report: requests per second, latency percentiles, errors."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
from dataclasses import asdict, dataclass, replace
from pathlib import Path

WRK = "wrk"
THREADS = 2
# Sent by every request, the log-ins too: Flask-Login ties a session to the client's address
# and user agent, and a mismatch would rewrite the session cookie on every request.
USER_AGENT = "ideaboard-bench/1"
_MS_PER_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_SOCKET_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class WrkRun:
    """One wrk run, as wrk reported it."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    statuses: dict[str, int]  # counted by bench/post.lua; empty for plain GETs
    unexpected: int = 0  # 2xx or 3xx answers other than the one the target expects

    @property
    def errors(self) -> int:
        """Responses that were not 2xx or 3xx, unexpected successes, and socket errors."""
        return self.non_2xx_3xx + self.unexpected + sum(self.socket_errors.values())


def threads_for(connections: int) -> int:
    """wrk needs at least one connection per thread."""
    return max(1, min(THREADS, connections))


def command(url: str, duration: int, connections: int, headers: list[str] | tuple = (),
            script: Path | None = None, script_args: list[str] | tuple = ()) -> list[str]:
    """The wrk command line: `wrk -t2 -c16 -d10s --latency [-H ...] [-s script] url [-- args]`."""
    cmd = [WRK, f"-t{threads_for(connections)}", f"-c{connections}", f"-d{duration}s", "--latency",
           "-H", f"User-Agent: {USER_AGENT}"]
    for header in headers:
        cmd += ["-H", header]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    return cmd


def _to_ms(value: str, unit: str) -> float:
    """A wrk duration ("850.00us", "1.20s") in milliseconds."""
    return float(value) * _MS_PER_UNIT[unit]


def parse(report: str) -> WrkRun:
    """Read Requests/sec, the 50% and 99% latency lines and the error counts of a wrk report."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", report, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in", report, re.MULTILINE)
    if rps is None or total is None:
        raise ValueError(f"not a wrk report:\n{report}")
    latency = {pct: _to_ms(value, unit) for pct, value, unit in _PERCENTILE.findall(report)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    sockets = _SOCKET_ERRORS.search(report)
    statuses = re.search(r"^Statuses:(.*)$", report, re.MULTILINE)
    kinds = ("connect", "read", "write", "timeout")
    return WrkRun(
        rps=float(rps.group(1)),
        p50_ms=latency.get("50", float("nan")),
        p99_ms=latency.get("99", float("nan")),
        requests=int(total.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=dict(zip(kinds, map(int, sockets.groups()), strict=True)) if sockets
        else dict.fromkeys(kinds, 0),
        statuses={k: int(v) for k, v in (p.split("=") for p in statuses.group(1).split())}
        if statuses else {},
    )


def run(cmd: list[str], expect: int | None = None) -> WrkRun:
    """Run wrk once and parse its report; with `expect`, other successes count as errors."""
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    result = parse(done.stdout)
    if expect is None:
        return result
    unexpected = sum(count for status, count in result.statuses.items()
                     if status != str(expect) and 200 <= int(status) < 400)
    return replace(result, unexpected=unexpected)


def summarize(runs: list[WrkRun]) -> dict:
    """Medians of req/s, p50 and p99 over the runs (each taken separately); errors summed."""
    return {
        "rps": statistics.median(r.rps for r in runs),
        "p50_ms": statistics.median(r.p50_ms for r in runs),
        "p99_ms": statistics.median(r.p99_ms for r in runs),
        "errors": sum(r.errors for r in runs),
        "requests": sum(r.requests for r in runs),
        "runs": [asdict(r) for r in runs],
    }


def lua_literal(value: object) -> str:
    """Python data (dict, list, str, int, float, bool) as a Lua literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        if not value.isascii() or not value.isprintable():
            raise ValueError(f"only printable ASCII goes into a Lua file: {value!r}")
        return json.dumps(value)  # for printable ASCII, JSON's escapes are Lua's
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua_literal(k)}] = {lua_literal(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(lua_literal(v) for v in value) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


def write_lua_data(path: Path, data: dict) -> Path:
    """Write `data` as a Lua chunk that returns it (a script loads it with dofile)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("-- Written by bench/run.py for one wrk run.\nreturn "
                    + lua_literal(data) + "\n")
    return path
