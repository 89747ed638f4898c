"""Progress for long commands: a bar when a person watches a terminal, nothing at all when
a script or CI reads the output."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import click

Progress = Callable[[int, int], None]
"""Told (done, total) as work goes on; services take one and know nothing of terminals."""


def on_terminal(stream: TextIO | None = None) -> bool:
    """Whether `stream` (standard output unless given) is a terminal."""
    return (sys.stdout if stream is None else stream).isatty()


@contextmanager
def progress_bar(label: str, stream: TextIO | None = None) -> Iterator[Progress]:
    """A Progress drawing a bar (done/total, percent, time left) on a terminal; elsewhere one
    that does nothing (click's own bar would still print its label)."""
    stream = sys.stdout if stream is None else stream
    if not on_terminal(stream):
        yield _ignore
        return
    with click.progressbar(length=0, label=label, file=stream, show_pos=True,
                           show_percent=True) as bar:

        def report(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        yield report


def _ignore(done: int, total: int) -> None:
    pass
