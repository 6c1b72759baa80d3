"""Which videos a batch analyzes and where each one's results go.

INPUTS are files, folders (searched recursively for video extensions) or glob patterns.
Each video's results go to `OUT/<its path relative to the inputs' common root, without the
extension>/`, so formfit/squat.mp4 and rjsong/squat.mp4 land in two folders; two videos that
would still share a folder (squat.mp4 and squat.mov side by side) keep their extension in the
name (squat_mp4/, squat_mov/). No folder can lie outside OUT.
"""

from __future__ import annotations

import glob
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from valguscam.errors import InputError

VIDEO_EXTENSIONS = frozenset(
    {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv", ".mts", ".3gp"}
)
"""File extensions (lower case) a folder is searched for; a file named directly is always taken."""

GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class BatchInput:
    """One video of a batch: its file (absolute) and its result folder relative to OUT (a
    POSIX path such as "formfit/squat", never absolute, never with "..")."""

    video: Path
    rel: str


def _is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_EXTENSIONS and not path.name.startswith(".")


def _expand(item: str, out: Path) -> list[Path]:
    """The video files `item` names: the file itself, a folder's videos (recursive, sorted,
    nothing under `out`) or a glob's matches. InputError when it names nothing."""
    if GLOB_CHARS & set(item) and not Path(item).exists():
        matches = sorted(Path(p) for p in glob.glob(item, recursive=True))
        found = [p for m in matches for p in (_folder_videos(m, out) if m.is_dir() else [m])]
        if not found:
            raise InputError(f"the pattern {item!r} matches no file; check it, or quote it")
        return found
    path = Path(item)
    if path.is_dir():
        return _folder_videos(path, out)
    if not path.exists():
        raise InputError(f"{item} does not exist; pass video files, folders or glob patterns")
    return [path]


def _folder_videos(folder: Path, out: Path) -> list[Path]:
    """Video files under `folder` (recursive, sorted), except those under `out` (a previous
    batch's annotated videos are not inputs)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and here / d != out)
        found += [here / f for f in sorted(filenames) if _is_video(here / f)]
    return [p for p in found if not _inside(p.resolve(), out)]


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def common_root(videos: list[Path]) -> Path:
    """The deepest folder holding every video (absolute paths)."""
    return Path(os.path.commonpath([str(v.parent) for v in videos]))


def discover(inputs: list[str | Path], out: str | Path) -> tuple[list[BatchInput], Path]:
    """The batch's videos, in input order without duplicates, each with its result folder,
    and the common root the folders mirror.

    Raises InputError when an input names nothing or no video is found.
    """
    if not inputs:
        raise InputError("no input given; pass video files, folders or glob patterns")
    out_abs = Path(out).resolve()
    found = (p.resolve() for item in inputs for p in _expand(str(item), out_abs))
    videos = list(dict.fromkeys(found))
    if not videos:
        raise InputError(
            f"no video found in {', '.join(map(str, inputs))} "
            f"(extensions: {' '.join(sorted(VIDEO_EXTENSIONS))})"
        )
    root = common_root(videos)
    return [BatchInput(v, rel) for v, rel in zip(videos, _folders(videos, root), strict=True)], root


def _folders(videos: list[Path], root: Path) -> list[str]:
    """Result folder per video: relative path without extension; with it (stem_ext) where two
    videos would otherwise share a folder."""
    plain = [PurePosixPath(v.relative_to(root).with_suffix("").as_posix()) for v in videos]
    taken = Counter(str(p).lower() for p in plain)
    rels = []
    for video, rel in zip(videos, plain, strict=True):
        if taken[str(rel).lower()] > 1:
            rel = rel.with_name(f"{rel.name}_{video.suffix.lstrip('.').lower()}")
        rels.append(safe_rel(str(rel)))
    if len({r.lower() for r in rels}) != len(rels):
        raise InputError("two inputs map to the same result folder; rename one of them")
    return rels


def safe_rel(rel: str) -> str:
    """`rel` checked as a result folder inside OUT: relative, no "..", no empty part."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or any(p in {"..", ".", ""} for p in parts):
        raise InputError(f"result folder {rel!r} would leave the output folder")
    return str(PurePosixPath(*parts))
