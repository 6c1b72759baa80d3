"""Shared fixtures: the ../shared folder beside the repository (clips, models).

A missing shared folder is a test FAILURE, never a skip (DESIGN.md, rule 9).
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder, `../shared` relative to the repository root."""
    path = Path(__file__).resolve().parents[1].parent / "shared"
    if not path.is_dir():
        pytest.fail(
            f"shared data folder missing: {path} (expected ../shared beside the repository, "
            "holding videos/ and models/)"
        )
    return path


@pytest.fixture(scope="session")
def videos_dir(shared_dir: Path) -> Path:
    """The real exercise clips, read in place (see videos/MANIFEST.md)."""
    return shared_dir / "videos"


@pytest.fixture(scope="session")
def model_path(shared_dir: Path) -> Path:
    """The real pose model: $VALGUSCAM_MODEL_DIR (CI: ../shared/models), else the mirror."""
    import os

    from valguscam.pose.models import resolve_model

    os.environ.setdefault("VALGUSCAM_MODEL_DIR", str(shared_dir / "models"))
    path = resolve_model("full")
    if not path.is_file():
        pytest.fail(f"pose model missing: {path}")
    return path


_TRACKS: dict[str, object] = {}


@pytest.fixture(scope="session")
def clip_track(videos_dir: Path, model_path: Path):
    """Factory: clip_track("nowva/squats.mp4") -> the raw PoseTrack of a shared clip.

    Runs the real model once per clip per test session. Developers iterating locally may set
    VALGUSCAM_TEST_TRACK_CACHE to a folder to keep tracks between runs (keyed by the model's
    and pose.py's hashes); CI never sets it.
    """
    import hashlib
    import os

    import numpy as np

    from valguscam.config import Config
    from valguscam.media.sources import open_source
    from valguscam.report.document import RunState
    from valguscam.run.analyze import estimate_track
    from valguscam.types import PoseTrack

    def get(name: str) -> PoseTrack:
        if name in _TRACKS:
            return _TRACKS[name]
        path = videos_dir / name
        if not path.is_file():
            pytest.fail(f"shared clip missing: {path}")
        cache_dir = os.environ.get("VALGUSCAM_TEST_TRACK_CACHE")
        cache = None
        if cache_dir:
            import valguscam.pose.estimator as pose_mod
            import valguscam.run.analyze as analysis_mod
            import valguscam.run.pipeline as pipeline_mod

            code = b"".join(
                Path(m.__file__).read_bytes() for m in (pose_mod, pipeline_mod, analysis_mod)
            )
            key = hashlib.sha256(
                model_path.read_bytes()[: 1 << 20]
                + code
                + repr(Config().pose).encode()
                + name.encode()
                + str(path.stat().st_size).encode()
            ).hexdigest()[:16]
            cache = Path(cache_dir) / f"{key}.npz"
            if cache.is_file():
                data = np.load(cache)
                track = PoseTrack(
                    **{k: data[k] for k in data.files if k not in ("wh",)},
                    width=int(data["wh"][0]),
                    height=int(data["wh"][1]),
                )
                _TRACKS[name] = track
                return track
        with open_source(path) as source:
            track = estimate_track(source, model_path, Config(), False, RunState())
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez(cache, wh=np.array([track.width, track.height]), **track.arrays)
        _TRACKS[name] = track
        return track

    return get
