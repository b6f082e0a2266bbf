"""Progress lines: live on a terminal, periodic elsewhere, with rate and ETA."""

import io

from app.infra.progress import Progress, format_duration


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_plain_output_prints_a_line_per_interval_and_a_summary():
    stream, clock = io.StringIO(), Clock()
    progress = Progress("load credits", 1000, stream=stream, interval=5, clock=clock)

    for _ in range(10):
        clock.now += 1
        progress.advance(50)
    clock.now += 0.5
    elapsed = progress.finish()

    lines = stream.getvalue().splitlines()
    assert lines == [
        "load credits: 250/1,000 (50.0/s, ETA 15.0s)",
        "load credits: 500/1,000 (50.0/s, ETA 10.0s)",
        "load credits: 500/1,000 in 10.5s (47.6/s)",
    ]
    assert elapsed == 10.5


def test_a_terminal_gets_one_line_redrawn_in_place():
    stream, clock = Terminal(), Clock()
    progress = Progress("fetch movies", None, stream=stream, clock=clock)
    clock.now += 1
    progress.advance(3)
    progress.finish()

    output = stream.getvalue()
    assert output.startswith("\r\x1b[Kfetch movies: 3 (3.0/s)")
    assert output.endswith("\r\x1b[Kfetch movies: 3 in 1.0s (3.0/s)\n")


def test_durations_read_naturally():
    assert format_duration(4.52) == "4.5s"
    assert format_duration(123) == "2:03"
    assert format_duration(3723) == "1:02:03"
