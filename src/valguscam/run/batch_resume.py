"""Resume: what makes a video's earlier results trustworthy, and the marker that records it.

A video's result folder is complete only when its marker, `batch_done.json`, is there and
matches the run key: the sha256 of the input's bytes, of the effective config, the exercise
asked for, the pose model's sha256 and the tool version. The worker removes the marker before
it starts on a video and writes it (atomically) after every other file, so a video stopped
half-way, or made with other inputs, settings or outputs, is analyzed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from valguscam import __version__
from valguscam.config import Config
from valguscam.report.atomic import atomic_open

MARKER = "batch_done.json"


def config_sha256(cfg: Config) -> str:
    """sha256 of the config's canonical JSON (sorted keys): equal configs, equal digests."""
    text = json.dumps(cfg.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RunKey:
    """What a video's results depend on: input bytes, config, exercise, model, tool version."""

    input_sha256: str
    config_sha256: str
    exercise: str
    model_sha256: str
    tool_version: str = __version__


@dataclass(frozen=True)
class Marker:
    """The content of batch_done.json: the key, the extra outputs made ("plots", "html",
    "video"), the files of the folder (names) and the video's summary row."""

    key: RunKey
    extras: tuple[str, ...]
    files: tuple[str, ...]
    row: dict[str, Any]


def remove_marker(folder: Path) -> None:
    """Forget that `folder` is complete (done before anything in it is rewritten)."""
    with contextlib.suppress(FileNotFoundError):
        (folder / MARKER).unlink()


def write_marker(folder: Path, marker: Marker) -> Path:
    """Write batch_done.json atomically; call it after every other file of the folder."""
    path = folder / MARKER
    data = {**asdict(marker), "extras": list(marker.extras), "files": list(marker.files)}
    with atomic_open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    return path


def read_marker(folder: Path) -> Marker | None:
    """The folder's marker, or None when it is missing or unreadable."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        return Marker(
            key=RunKey(**data["key"]),
            extras=tuple(data["extras"]),
            files=tuple(data["files"]),
            row=dict(data["row"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def trusted(folder: Path, key: RunKey, extras: tuple[str, ...]) -> Marker | None:
    """The marker if `folder` holds complete results for `key` with at least `extras`, every
    file it lists still there; else None (the video must be analyzed again)."""
    marker = read_marker(folder)
    if marker is None or marker.key != key or not set(extras) <= set(marker.extras):
        return None
    if not all((folder / name).is_file() for name in marker.files):
        return None
    return marker
