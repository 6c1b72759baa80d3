"""sample_videos/ holds exactly the clips its MANIFEST.md lists, byte for byte, with licences."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"
MANIFEST = SAMPLES / "MANIFEST.md"


def _listed() -> dict[str, str]:
    """file name -> sha256, from the manifest's checksum block."""
    text = MANIFEST.read_text(encoding="utf-8")
    pairs = re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.M)
    return {name: digest for digest, name in pairs}


def test_every_file_is_listed_with_its_checksum() -> None:
    listed = _listed()
    present = {p.name for p in SAMPLES.iterdir() if p.name != "MANIFEST.md"}
    assert present == set(listed)  # nothing unlisted (no clip without a licence) sneaks in
    for name, digest in listed.items():
        assert hashlib.sha256((SAMPLES / name).read_bytes()).hexdigest() == digest, name


def test_every_clip_names_a_licence_file_that_is_there() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    for clip in (n for n in _listed() if n.endswith((".mp4", ".mov"))):
        row = next(line for line in text.splitlines() if line.startswith(f"| `{clip}`"))
        licence = re.search(r"\(`(LICENSE-[\w-]+\.txt)`\)", row)
        assert licence and (SAMPLES / licence.group(1)).is_file(), row
