"""Shared fixtures: the repository's sample clips and model, and the ../shared folder.

Two suites (DESIGN.md, rule 11). The default one needs only the repository: the clips in
sample_videos/ and the model in models/. Tests that read ../shared (clips without a licence, the
annotated keypoints) are marked `shared`, deselected by default and run with `pytest -m shared`;
asked for without ../shared, that suite fails at once with one line. Nothing skips.

Clips are named with their home: "sample:squats.mp4" (sample_videos/) or
"shared:lnewco/IMG_7060.mov" (../shared/videos/). A parametrized case whose value is a "shared:"
name is marked `shared` here; any other test that reads ../shared must carry the mark itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "sample_videos"
SHARED_DIR = REPO.parent / "shared"
SAMPLE, SHARED = "sample:", "shared:"


def _names_shared_clip(item: pytest.Item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(isinstance(v, str) and v.startswith(SHARED) for v in params.values())


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _names_shared_clip(item):
            item.add_marker(pytest.mark.shared)
        elif "shared_dir" in item.fixturenames and item.get_closest_marker("shared") is None:
            raise pytest.UsageError(
                f"{item.nodeid} reads ../shared but is not marked: add @pytest.mark.shared"
            )


def pytest_collection_finish(session: pytest.Session) -> None:
    """The shared suite without ../shared: one line and a failing exit, before any test runs."""
    wanted = [i for i in session.items if i.get_closest_marker("shared") is not None]
    if wanted and not SHARED_DIR.is_dir():
        pytest.exit(
            f"the shared suite ({len(wanted)} tests) needs {SHARED_DIR} beside the checkout "
            "(clips, annotated keypoints); it is missing",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


def _skipped(config: pytest.Config) -> int:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return len(reporter.stats.get("skipped", [])) if reporter is not None else 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test fails the run: no test passes by skipping (DESIGN.md, rule 11)."""
    if _skipped(session.config) and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if n := _skipped(config):
        terminalreporter.write_line(f"{n} test(s) skipped: a skip fails the run here", red=True)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The repository's openly licensed clips (sample_videos/MANIFEST.md)."""
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder, `../shared` beside the repository. Only for tests marked shared."""
    if not SHARED_DIR.is_dir():
        pytest.fail(f"shared data folder missing: {SHARED_DIR} (expected beside the repository)")
    return SHARED_DIR


@pytest.fixture(scope="session")
def videos_dir(shared_dir: Path) -> Path:
    """The shared clips, read in place (../shared/videos/MANIFEST.md). Only for shared tests."""
    return shared_dir / "videos"


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The real pose model, found as a user's install finds it (the repository's copy)."""
    from valguscam.pose.models import resolve_model

    path = resolve_model("full")
    if not path.is_file():
        pytest.fail(f"pose model missing: {path}")
    return path


def _clip_path(name: str, node: pytest.Item | None = None) -> Path:
    """Where a clip is: sample:NAME in sample_videos/, shared:DIR/NAME in ../shared/videos/.

    node: the test asking; a "shared:" clip then needs its `shared` mark.
    """
    if name.startswith(SAMPLE):
        path = SAMPLE_DIR / name.removeprefix(SAMPLE)
    elif name.startswith(SHARED):
        if node is not None and node.get_closest_marker("shared") is None:
            pytest.fail(f"{node.nodeid} reads {name} but is not marked: add @pytest.mark.shared")
        path = SHARED_DIR / "videos" / name.removeprefix(SHARED)
    else:
        pytest.fail(f"clip name {name!r} must start with {SAMPLE!r} or {SHARED!r}")
    if not path.is_file():
        pytest.fail(f"clip missing: {path}")
    return path


@pytest.fixture
def clip_file(request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Factory: clip_file("sample:squats.mp4") -> the clip's path (see the module docstring)."""
    return lambda name: _clip_path(name, request.node)


@pytest.fixture(scope="session")
def clip_path() -> Callable[[str], Path]:
    """clip_file for module- and session-scoped fixtures, which cannot see the test's mark: give
    them "shared:" names only as parameters (marked at collection)."""
    return _clip_path


_TRACKS: dict[str, object] = {}


@pytest.fixture
def clip_track(clip_file: Callable[[str], Path], model_path: Path):
    """Factory: clip_track("sample:squats.mp4") -> the raw PoseTrack of a clip.

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
        path = clip_file(name)  # checks the name and the test's mark, even for a cached track
        if name in _TRACKS:
            return _TRACKS[name]
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
