"""The progress display, with a clock of its own: a bar on a terminal, a plain line per
interval without one, and an ETA that is never faster than the pacing."""

from __future__ import annotations

import io

from reconciler.cli.progress import Progress, duration


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_come_once_per_interval_and_at_the_end():
    clock, out = Clock(), io.StringIO()
    show = Progress(seconds_per_write=0.2, stream=out, terminal=False, clock=clock, interval=10)
    for done in range(1, 101):
        clock.now += 0.5
        show(done, 100)
    lines = out.getvalue().splitlines()
    assert len(lines) == 5  # at 10 s, 20 s, 30 s, 40 s, and the end at 50 s
    assert lines[0] == "20/100 writes, 40s left"
    assert lines[-1] == "100/100 writes, done in 50s"


def test_the_eta_is_never_faster_than_the_pacing():
    clock = Clock()
    show = Progress(seconds_per_write=1.0, stream=io.StringIO(), terminal=False, clock=clock)
    clock.now += 0.1  # a burst: 20 writes in a tenth of a second
    assert show.left(20, 320) == 300.0


def test_a_terminal_gets_one_rewritten_bar_line():
    clock, out = Clock(), io.StringIO()
    show = Progress(seconds_per_write=0, stream=out, terminal=True, clock=clock)
    show(1, 4)
    show(4, 4)
    text = out.getvalue()
    assert text.count("\r[") == 2 and text.endswith("\n") and text.count("\n") == 1
    assert "[" + "#" * 30 + "] 4/4 writes, done in 0s" in text


def test_durations_read_as_people_write_them():
    assert [duration(s) for s in (0, 59, 130, 3725)] == ["0s", "59s", "2m10s", "1h02m"]
