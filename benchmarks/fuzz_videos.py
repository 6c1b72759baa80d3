"""Byte-mutation fuzzing of `valguscam analyze`: mutated copies of a short clip go through the
real command (in-process, the real pose model), and each must end with a known exit code and
no traceback, within a time limit.

    python benchmarks/fuzz_videos.py [--mutants 2000] [--seed 1] [--minutes 30] [--keep DIR]

The CI test (tests/reliability/test_fuzz.py) runs a bounded share of this (about 100 mutants,
under 3 minutes). A crash is an exit code outside ALLOWED (1 is an internal error), a traceback
on stdout or stderr, an exception escaping `main`, or a run longer than --hang-s; the mutant is
kept in --keep for the bug report. Prints one line per crash and a summary table.

Runs so far (2-core machine shared with other jobs, seeds: two 0.5 s 160x90 clips of
squats.mp4):
- seed 7, 1000 mutants in 406 s (0.41 s each, slowest 5.2 s): 3 crashes, all one bug (a damaged
  stts sample count of 2^31-1 made probe_video preallocate 1 TiB: MemoryError, exit 1); fixed
  (counts the file size cannot hold are counted by demuxing; the first allocation is capped),
  with a regression case in the bad-input matrix. Also found: a damaged stts timing every frame
  at 0.0 s; such frames are now timed at the nominal rate.
- seed 21 after the fixes, 1500 mutants in 347 s (0.23 s each, slowest 3.1 s): no crash;
  exit 0: 236, 2: 867, 5: 191, 8: 206.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ALLOWED = {0: "ok", 2: "bad input", 5: "no person", 8: "incomplete"}
"""Exit codes a mutated video may end with (errors.py); anything else is a crash."""


def _flip_bits(data: bytearray, rng: random.Random) -> str:
    n = rng.randint(1, 16)
    for _ in range(n):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return f"{n} bit flips"


def _overwrite(data: bytearray, rng: random.Random) -> str:
    size = rng.choice([1, 4, 16, 256, 2048])
    at = rng.randrange(len(data))
    data[at : at + size] = rng.randbytes(min(size, len(data) - at))
    return f"{size} random bytes at {at}"


def _box_field(data: bytearray, rng: random.Random) -> str:
    """A size or count field of an MP4 box: 4 bytes after a known box name."""
    names = [b"moov", b"trak", b"mdia", b"stsz", b"stco", b"stts", b"stsc", b"avcC", b"mdat"]
    name = rng.choice(names)
    at = data.find(name)
    if at < 0:
        return _flip_bits(data, rng)
    where = at + rng.choice([-4, 4, 8, 12])
    value = rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, rng.randrange(1 << 32)])
    data[max(where, 0) : max(where, 0) + 4] = value.to_bytes(4, "big")
    return f"{name.decode()} field at {where} = {value:#x}"


def _cut(data: bytearray, rng: random.Random) -> str:
    keep = rng.randrange(1, len(data))
    del data[keep:]
    return f"cut at {keep}"


def _delete(data: bytearray, rng: random.Random) -> str:
    at, size = rng.randrange(len(data)), rng.choice([1, 8, 100, 1000])
    del data[at : at + size]
    return f"{size} bytes deleted at {at}"


def _duplicate(data: bytearray, rng: random.Random) -> str:
    at, size = rng.randrange(len(data)), rng.choice([8, 100, 1000])
    data[at:at] = data[at : at + size]
    return f"{size} bytes repeated at {at}"


MUTATIONS: tuple[Callable[[bytearray, random.Random], str], ...] = (
    _flip_bits, _overwrite, _box_field, _cut, _delete, _duplicate,
)  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """One mutant of `data`: one to three mutations; returns it and what was done."""
    out = bytearray(data)
    done = [rng.choice(MUTATIONS)(out, rng) for _ in range(rng.randint(1, 3)) if out]
    return bytes(out), "; ".join(done)


@dataclass
class Outcome:
    """How one run ended: exit code (None if an exception escaped or it hung), the last
    stderr line, the seconds it took and, for a crash, why."""

    code: int | None
    line: str
    seconds: float
    crash: str = ""


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def run_one(video: Path, out_dir: Path, hang_s: float = 60.0) -> Outcome:
    """`valguscam analyze VIDEO` in-process (the real CLI entry point); classified."""
    from valguscam.cli.main import main

    err, out = io.StringIO(), io.StringIO()
    args = ["analyze", str(video), "--out", str(out_dir), "--no-progress", "-q",
            "--set", "pose.workers=1"]  # fmt: skip
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, hang_s)
    start = time.perf_counter()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code: int | None = main(args)
        crash = ""
    except _Hang:
        code, crash = None, f"no result after {hang_s:g} s"
    except BaseException as exc:  # noqa: BLE001 - anything escaping main is the finding
        code, crash = None, f"{type(exc).__name__} escaped main: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start
    text = err.getvalue() + out.getvalue()
    lines = err.getvalue().strip().splitlines()
    if not crash and "Traceback" in text:
        crash = "a traceback was printed"
    if not crash and code not in ALLOWED:
        crash = f"exit code {code}"
    return Outcome(code, lines[-1] if lines else "", seconds, crash)


@dataclass
class Summary:
    """The fuzz run: mutants tried, outcomes by exit code, crashes, the slowest run."""

    mutants: int = 0
    codes: Counter = field(default_factory=Counter)
    crashes: list[tuple[str, Outcome, Path | None]] = field(default_factory=list)
    slowest_s: float = 0.0
    seconds: float = 0.0


def fuzz(
    seeds: list[Path],
    mutants: int,
    seed: int = 1,
    budget_s: float = 180.0,
    hang_s: float = 60.0,
    keep: Path | None = None,
) -> Summary:
    """Run up to `mutants` mutants of the `seeds` clips (round robin) within `budget_s`."""
    rng = random.Random(seed)
    originals = [p.read_bytes() for p in seeds]
    summary = Summary()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="valguscam-fuzz-") as tmp:
        work = Path(tmp)
        for i in range(mutants):
            if time.perf_counter() - start > budget_s:
                break
            data, what = mutate(originals[i % len(originals)], rng)
            video = work / f"mutant{i}{seeds[i % len(seeds)].suffix}"
            video.write_bytes(data)
            outcome = run_one(video, work / "out", hang_s)
            summary.mutants += 1
            summary.codes[outcome.code] += 1
            summary.slowest_s = max(summary.slowest_s, outcome.seconds)
            if outcome.crash:
                kept = None
                if keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    kept = keep / video.name
                    kept.write_bytes(data)
                summary.crashes.append((what, outcome, kept))
            video.unlink()
    summary.seconds = time.perf_counter() - start
    return summary


def make_seed_clips(
    folder: Path, sample: Path, seconds: float = 0.5, width: int = 160
) -> list[Path]:
    """Two short clips of `sample` (H.264 MP4): the index at the start and at the end."""
    import av

    frames = []
    with av.open(str(sample)) as container:
        for frame in container.decode(container.streams.video[0]):
            if frame.time is not None and frame.time >= seconds:
                break
            height = int(round(frame.height * width / frame.width / 2)) * 2
            frames.append(frame.reformat(width, height, format="yuv420p"))
    paths = []
    for name, flags in (("start.mp4", {"movflags": "+faststart"}), ("end.mp4", {})):
        path = folder / name
        with av.open(str(path), "w", options=flags) as out:
            stream = out.add_stream("libx264", rate=30)
            stream.width, stream.height, stream.pix_fmt = (
                frames[0].width,
                frames[0].height,
                "yuv420p",
            )
            stream.options = {"g": "5", "preset": "ultrafast"}
            for frame in frames:
                frame.pts = None
                out.mux(stream.encode(frame))
            out.mux(stream.encode())
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--hang-s", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, default=Path("fuzz_crashes"))
    sample = Path(__file__).resolve().parents[1] / "sample_videos/squats.mp4"
    parser.add_argument("--sample", type=Path, default=sample)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        seeds = make_seed_clips(Path(tmp), args.sample)
        s = fuzz(seeds, args.mutants, args.seed, 60 * args.minutes, args.hang_s, args.keep)
    for what, outcome, kept in s.crashes:
        print(f"CRASH {outcome.crash} ({what}) -> {kept}: {outcome.line}")
    print(f"mutants {s.mutants} in {s.seconds:.0f} s ({s.seconds / max(s.mutants, 1):.2f} s each, "
          f"slowest {s.slowest_s:.1f} s), crashes {len(s.crashes)}")  # fmt: skip
    for code, n in sorted(s.codes.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        print(f"  exit {code}: {n} ({ALLOWED.get(code, 'crash')})")
    return 1 if s.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
