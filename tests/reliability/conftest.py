"""Fixtures of the reliability tests: the bad inputs, made once per session from the sample
clips (tests/reliability/clips.py), and a CLI runner that checks every error is one line."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner, Result

from reliability import clips as C
from valguscam.cli.main import cli


def _crop_legs(rgb: np.ndarray) -> np.ndarray:
    """The top 45 % of the frame (head to hips), scaled back to the frame's width."""
    h, w = rgb.shape[:2]
    keep = h * 45 // 100 // 2 * 2
    return np.ascontiguousarray(rgb[:keep])


def _builders(d: Path) -> dict[str, Callable[[], Path]]:
    """name -> a function that writes that input into `d` and returns its path."""
    frames = C.sample_frames
    blank = lambda f: np.full_like(f, 128)  # noqa: E731
    start, end = d / "index_at_start.mp4", d / "index_at_end.mp4"

    def full(path: Path, faststart: bool) -> Path:
        return path if path.exists() else C.write_mp4(path, frames(), faststart=faststart)

    def image_folder_mixed() -> Path:
        folder = d / "mixed_sizes"
        folder.mkdir(exist_ok=True)
        for i, rgb in enumerate(frames(seconds=1.0)):
            if i == 10:
                rgb = cv2.resize(rgb, (160, 90))
            cv2.imwrite(str(folder / f"frame{i}.png"), rgb[:, :, ::-1])
        return folder

    b: dict[str, Callable[[], Path]] = {
        "index_at_start": lambda: full(start, True),
        "index_at_end": lambda: full(end, False),
        "empty": lambda: _write(d / "empty.mp4", b""),
        "random_bytes": lambda: _write(d / "random.mp4", random.Random(0).randbytes(50_000)),
        "text": lambda: _write(d / "notes.mp4", b"these are my squat notes\n" * 40),
        "corrupt_middle": lambda: C.corrupt_middle(full(start, True), d / "corrupt.mp4"),
        "audio_only": lambda: C.write_audio_only(d / "audio.m4a"),
        "single_image": lambda: _image(d / "still.png", frames()[0]),
        "one_frame": lambda: C.write_mp4(d / "one_frame.mp4", frames()[:1]),
        "zero_frame": lambda: C.write_mp4(d / "zero_frame.mp4", []),
        "no_person": lambda: C.write_mp4(
            d / "solid.mp4", [np.full_like(f, (40, 120, 200)) for f in frames()]
        ),
        "leaves_and_returns": lambda: C.write_mp4(
            d / "leaves.mp4", C.edit(frames(), lambda i, f: blank(f) if 15 <= i < 30 else f)
        ),
        "two_people": lambda: C.write_mp4(
            d / "two.mp4", [np.concatenate([f, f[:, ::-1]], axis=1) for f in frames(width=160)]
        ),
        "legs_out_of_frame": lambda: C.write_mp4(
            d / "legs_out.mp4", [_crop_legs(f) for f in frames()]
        ),
        "side_view": lambda: C.write_mp4(d / "side.mp4", frames("lunge.mp4", start_s=2.0)),
        "frames_4k": lambda: C.write_mp4(
            d / "uhd.mp4", [cv2.resize(f, (3840, 2160)) for f in frames(seconds=0.4)]
        ),
        "frames_64": lambda: C.write_mp4(
            d / "tiny.mp4", [cv2.resize(f, (64, 64)) for f in frames()]
        ),
        "variable_rate": lambda: C.write_mp4(d / "vfr.mp4", frames(), pts_ms=VFR_PTS_MS),
        "rotated_phone": lambda: C.rotate_tkhd(  # stored sideways, shown upright
            C.write_mp4(d / "sideways.mp4", [cv2.rotate(f, ROTATE_CCW) for f in frames()]),
            d / "phone.mp4",
        ),
        "mixed_image_sizes": image_folder_mixed,
        "huge_header_frame_count": lambda: C.huge_frame_count(full(start, True), d / "huge.mp4"),
    }
    b.update(_cut_builders(d, lambda: full(start, True), lambda: full(end, False)))
    return b


ROTATE_CCW = cv2.ROTATE_90_COUNTERCLOCKWISE


def _cut_builders(
    d: Path, start: Callable[[], Path], end: Callable[[], Path]
) -> dict[str, Callable[[], Path]]:
    """The clip cut at 10, 50 and 90 % of its bytes, index at the start and at the end."""
    b: dict[str, Callable[[], Path]] = {}
    for share in (10, 50, 90):
        b[f"cut_{share}_index_at_start"] = lambda s=share: C.truncate(
            start(), d / f"cut{s}_start.mp4", s / 100
        )
        b[f"cut_{share}_index_at_end"] = lambda s=share: C.truncate(
            end(), d / f"cut{s}_end.mp4", s / 100
        )
    return b


VFR_PTS_MS = [int(v) for v in np.cumsum([0] + [50 if i % 3 == 0 else 33 for i in range(44)])]
"""45 frames at 33 and 50 ms spacing: a phone's variable frame rate."""


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _image(path: Path, rgb: np.ndarray) -> Path:
    cv2.imwrite(str(path), rgb[:, :, ::-1])
    return path


@pytest.fixture(scope="session")
def bad_input(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """bad_input(name) -> the path of that bad input, made on first use (see _builders)."""
    folder = tmp_path_factory.mktemp("bad_inputs")
    builders = _builders(folder)
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made[name] = builders[name]()
        return made[name]

    return get


def invoke(*args: str) -> Result:
    """Run the CLI in-process (click's CliRunner), stdout and stderr apart."""
    return CliRunner().invoke(cli, list(args), prog_name="valguscam")


def assert_one_line_error(result: Result, code: int, *words: str) -> str:
    """Exit `code`, exactly one line on stderr, 'valguscam: ...' holding every word, no
    traceback anywhere. Returns the line."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def report_of(folder: Path) -> dict:
    """The report.json in `folder`."""
    return json.loads((folder / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def lunge_clip(clip_path) -> Path:
    """nowva lunge (CC0-1.0): 961 frames, long enough to interrupt or kill mid-way."""
    return clip_path("sample:lunge.mp4")
