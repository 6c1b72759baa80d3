"""Why a video file cannot be read, told in the user's terms (standard library only).

FFmpeg says "Invalid data found when processing input" for a file cut off during a copy or an
upload, whatever was cut. An MP4/MOV (ISO base media) file is a chain of boxes, each with its
size up front, so walking the top-level boxes tells a cut-off file apart from one that is not
a video at all, and where the index (the `moov` box) sits: written last by most cameras and
phones (cut off: no index, so no frame can be found) or first ("fast start" files, cut off:
the frames up to the cut decode).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

_ISO_BRANDS = (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot")


@dataclass(frozen=True)
class BoxWalk:
    """The top-level boxes of an ISO base media file (MP4, MOV, M4V, 3GP).

    boxes: the box types in file order (bytes, e.g. b"moov"). cut_off: the last box claims more
    bytes than the file holds (the file ends early). size: the file's size in bytes;
    claimed: the bytes the boxes claim (>= size when cut off).
    """

    boxes: tuple[bytes, ...]
    cut_off: bool
    size: int
    claimed: int

    @property
    def has_index(self) -> bool:
        """The file holds its `moov` box (the index of every frame)."""
        return b"moov" in self.boxes


def walk_boxes(path: Path, limit: int = 10_000) -> BoxWalk | None:
    """The top-level boxes of `path`, or None when it does not start like an MP4/MOV file."""
    size = path.stat().st_size
    boxes: list[bytes] = []
    pos = 0
    with path.open("rb") as fh:
        while pos < size and len(boxes) < limit:
            fh.seek(pos)
            head = fh.read(16)
            if len(head) < 8:
                return BoxWalk(tuple(boxes), True, size, pos + 8) if boxes else None
            length, kind = struct.unpack(">I4s", head[:8])
            if not boxes and kind not in _ISO_BRANDS:
                return None
            if length == 1 and len(head) == 16:
                length = struct.unpack(">Q", head[8:16])[0]
            elif length == 0:  # the box runs to the end of the file
                length = size - pos
            if length < 8:
                return BoxWalk(tuple(boxes), False, size, pos) if boxes else None
            boxes.append(kind)
            pos += length
    return BoxWalk(tuple(boxes), pos > size, size, pos)


def describe_unreadable(path: Path) -> str | None:
    """A one-line reason naming the fix when `path` is an MP4/MOV cut off before its end;
    None when the boxes say nothing (then FFmpeg's own reason is the best there is)."""
    try:
        walk = walk_boxes(path)
    except OSError:
        return None
    if walk is None or not walk.cut_off:
        return None
    share = 100.0 * walk.size / walk.claimed if walk.claimed else 0.0
    if not walk.has_index:
        return (
            f"{path} is an MP4/MOV cut off before its end (it holds {share:.0f}% of its data) "
            "and its index (moov box), which this file keeps at the end, is missing, so no frame "
            "can be found; copy or export the file again in full"
        )
    return (
        f"{path} is an MP4/MOV cut off before its end (it holds {share:.0f}% of its data) and "
        "not one frame could be decoded; copy or export the file again in full"
    )


def cut_off_note(path: Path) -> str | None:
    """'the file is cut off at N% of its data' for an MP4/MOV whose last box runs past the end
    of the file; None otherwise."""
    try:
        walk = walk_boxes(path)
    except OSError:
        return None
    if walk is None or not walk.cut_off or not walk.claimed:
        return None
    return f"the file is cut off at {100.0 * walk.size / walk.claimed:.0f}% of its data"
