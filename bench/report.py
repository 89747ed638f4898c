"""The benchmark's figures: one table, the size-scaling lines, peak RSS, the results file."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
HELLO = "hello world /"
SCALE = "visitor /?sort=top p1"


def line(summary: dict) -> str:
    """One target's figures in a sentence."""
    return (f"{summary['rps']:,.0f} req/s, p50 {summary['p50_ms']:.1f} ms, "
            f"p99 {summary['p99_ms']:.1f} ms, {summary['errors']:,} errors")


def _row(name: str, summary: dict | None, hello_rps: float | None) -> str:
    """One table row; n/a everywhere for a target that was not there."""
    if summary is None:
        return f"| {name} | n/a | n/a | n/a | n/a | n/a |"
    ratio = f"{summary['rps'] / hello_rps:.3f}" if hello_rps else "n/a"
    return (f"| {name} | {summary['rps']:,.0f} | {summary['p50_ms']:.1f} "
            f"| {summary['p99_ms']:.1f} | {summary['errors']:,} | {ratio} |")


def _largest(results: dict) -> str | None:
    """The largest board measured (the key in results["sizes"])."""
    return max(results["sizes"], key=int) if results["sizes"] else None


def table(results: dict) -> list[str]:
    """The Markdown table: every target of the largest board, and the hello-world baseline."""
    settings, largest = results["settings"], _largest(results)
    hello = results["hello"]["target"] if results["hello"] else None
    board = f"board of {int(largest):,} ideas" if largest else "no board"
    runs = f"median of {settings['repeat']} runs" if settings["repeat"] > 1 else "one run each"
    rows = [(HELLO, hello)] if results["hello"] else []
    rows += list(results["sizes"][largest]["targets"].items()) if largest else []
    return [
        f"Ideaboard on {settings['database']}, {board}; {settings['gunicorn']}; "
        f"{settings['wrk']}; {runs}",
        "",
        "| target | req/s | p50 ms | p99 ms | errors | ratio to hello-world req/s |",
        "|---|--:|--:|--:|--:|--:|",
        *(_row(name, summary, hello and hello["rps"]) for name, summary in rows),
    ]


def scaling(results: dict) -> dict | None:
    """The visitor's first Top page at each size, and largest/smallest ratios."""
    points = [{"ideas": int(size), **{k: data["targets"][SCALE][k]
                                      for k in ("rps", "p50_ms", "p99_ms", "errors")}}
              for size, data in results["sizes"].items() if data["targets"].get(SCALE)]
    if len(points) < 2:
        return None
    first, last = points[0], points[-1]
    return {"target": SCALE, "points": points, "of": f"{last['ideas']}/{first['ideas']}",
            "p50_ratio": last["p50_ms"] / first["p50_ms"] if first["p50_ms"] else None,
            "rps_ratio": last["rps"] / first["rps"] if first["rps"] else None}


def _ratio(value: float | None) -> str:
    """A ratio as "x 1.25"."""
    return f"x {value:.2f}" if value is not None else "n/a"


def scaling_lines(found: dict | None) -> list[str]:
    """The size-scaling lines."""
    if found is None:
        return []
    lines = [f"{found['target']}, by board size:"]
    lines += [f"  {p['ideas']:>9,} ideas: {line(p)}" for p in found["points"]]
    first, last = found["points"][0]["ideas"], found["points"][-1]["ideas"]
    lines.append(f"  {last:,} vs {first:,} ideas: p50 latency {_ratio(found['p50_ratio'])}, "
                 f"req/s {_ratio(found['rps_ratio'])}")
    return lines


def _rss_by_server(results: dict) -> dict[str, float | None]:
    """Peak worker RSS in MB, per server, in the order they ran."""
    servers = {"hello": results["hello"]["rss_mb"]} if results["hello"] else {}
    for data in results["sizes"].values():
        servers.update(data["rss_mb"])
    return servers


def peak_rss(results: dict) -> float | None:
    """The largest peak RSS (VmHWM) of any serving gunicorn worker in the run, in MB (the
    log-in server, which runs scrypt, is reported apart)."""
    known = [mb for name, mb in _rss_by_server(results).items()
             if mb is not None and not name.startswith("log-in")]
    return max(known) if known else None


def rss_line(results: dict) -> str:
    """Peak RSS per worker, server by server, and the largest."""
    shown = [f"{name} {mb:.0f} MB" if mb is not None else f"{name} n/a"
             for name, mb in _rss_by_server(results).items()]
    peak = results.get("peak_rss_mb")
    if peak is None:
        return "Peak RSS per worker: n/a"
    return (f"Peak RSS per gunicorn worker (VmHWM): {'; '.join(shown) or 'n/a'}; "
            f"max of the serving workers {peak:.0f} MB")


def checks_line(checks: dict) -> str:
    """Whether the counts kept on the idea rows still equal the rows, after the writes."""
    def yes(ok: bool) -> str:
        return "yes" if ok else "NO"

    return (f"votes {yes(checks['votes_equal_rows'])} ({checks['vote_rows']:,} vote rows, "
            f"sum of vote_count {checks['sum_vote_count']:,}, "
            f"{checks['ideas_with_vote_count_off']} ideas off); "
            f"comments {yes(checks['comments_equal_rows'])} "
            f"({checks['visible_comment_rows']:,} visible rows, "
            f"sum of comment_count {checks['sum_comment_count']:,}, "
            f"{checks['ideas_with_comment_count_off']} ideas off)")


def _during(alone: dict | None, during: dict | None) -> str:
    """req/s (ratio to alone), p99, and the votes/s the stream kept up."""
    if not alone or not during or "rps" not in during:
        return "n/a | n/a"
    stream = during["stream"]
    return (f"{during['rps']:,.0f} ({during['rps'] / alone['rps']:.2f}) | "
            f"{during['p50_ms']:.1f} / {during['p99_ms']:.1f} "
            f"({stream['votes_per_s']:.0f} votes/s, {stream['errors']} errors)")


def storm_table(results: dict) -> list[str]:
    """The storm reads: alone, then during each vote stream, side by side."""
    largest = _largest(results)
    rows = results["sizes"][largest].get("storm") if largest else None
    if not rows:
        return []
    rates = [key for key in next(iter(rows.values())) if key != "alone"]
    head = " | ".join(f"during {rate}: req/s (ratio) | p50 / p99 ms" for rate in rates)
    lines = ["Reads while members vote (req/s, and the ratio to the same read alone):", "",
             f"| read | alone: req/s | p50 / p99 ms | {head} |",
             "|---|--:|--:|" + "--:|--:|" * len(rates)]
    for name, row in rows.items():
        alone = row["alone"]
        cells = " | ".join(_during(alone, row[rate]) for rate in rates)
        first = (f"{alone['rps']:,.0f} | {alone['p50_ms']:.1f} / {alone['p99_ms']:.1f}"
                 if alone else "n/a | n/a")
        lines.append(f"| {name} | {first} | {cells} |")
    return lines


def render(results: dict) -> str:
    """Everything printed at the end of a run."""
    lines = [*table(results), ""]
    if storm := storm_table(results):
        lines += [*storm, ""]
    if scale := scaling_lines(results.get("scaling")):
        lines += [*scale, ""]
    lines.append(rss_line(results))
    for size, data in results["sizes"].items():
        if "checks" in data:
            lines.append(f"Counts equal rows after the writes ({int(size):,} ideas): "
                         + checks_line(data["checks"]))
        if "storm_checks" in data:
            lines.append(f"Counts equal rows after the storm ({int(size):,} ideas): "
                         + checks_line(data["storm_checks"]))
    return "\n".join(lines)


def _finite(value: object) -> object:
    """NaN (a latency wrk did not print) as null: JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def save(results: dict, started: datetime) -> Path:
    """bench/results/<UTC timestamp>-<sqlite|postgresql>.json."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{started:%Y%m%dT%H%M%SZ}-{results['settings']['database']}.json"
    path.write_text(json.dumps(_finite(results), indent=2) + "\n")
    return path
