"""Pose estimation with MediaPipe Pose Landmarker (Tasks API). The only module importing mediapipe.

A MediaPipe result never leaves this module: `from_mediapipe` converts it into a `PoseSample`
of numpy arrays, and `TrackBuilder` stacks samples into a `PoseTrack`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from valguscam.config import PoseConfig
from valguscam.errors import ModelError, PoseError
from valguscam.landmarks import N_LANDMARKS
from valguscam.types import LANDMARK_ARRAYS, PoseTrack


@dataclass(frozen=True)
class PoseSample:
    """Landmarks of one frame. All NaN when no person was found.

    xy: (33, 2) pixels; z: (33,) relative depth (image-width units); visibility, presence: (33,);
    world: (33, 3) metres, hip-centred.
    """

    xy: np.ndarray
    z: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray

    @classmethod
    def missing(cls) -> PoseSample:
        return cls(**{k: np.full(shape, np.nan) for k, shape in LANDMARK_ARRAYS.items()})

    @property
    def found(self) -> bool:
        return not bool(np.isnan(self.visibility).all())


def from_mediapipe(result: Any, width: int, height: int) -> PoseSample:
    """Convert a `PoseLandmarkerResult` (first person) into a PoseSample in pixels."""
    if not result.pose_landmarks:
        return PoseSample.missing()
    lms = result.pose_landmarks[0]
    arr = np.array(
        [(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in lms], dtype=float
    )
    world = np.full((N_LANDMARKS, 3), np.nan)
    if result.pose_world_landmarks:
        world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]], dtype=float)
    return PoseSample(
        xy=arr[:, :2] * np.array([width, height], dtype=float),
        z=arr[:, 2],
        visibility=arr[:, 3],
        presence=arr[:, 4],
        world=world,
    )


_STDERR_LOCK = threading.RLock()  # re-entrant: a finaliser may close a landmarker inside
_stderr_state = {"depth": 0, "saved": -1}  # how many blocks silence fd 2, and the real fd 2


@contextlib.contextmanager
def native_stderr_silenced(enabled: bool = True) -> Iterator[None]:
    """Send what native code (TFLite, glog) writes to file descriptor 2 to /dev/null.

    MediaPipe prints start-up chatter (delegate, feedback-manager and projection warnings) from
    C++ when a model loads and on the first frame; users should see one line per problem.
    Safe from several threads at once: fd 2 is redirected by the first block to enter and
    restored by the last to leave.
    """
    if not enabled:
        yield
        return
    with _STDERR_LOCK:
        if _stderr_state["depth"] == 0:
            sys.stderr.flush()
            _stderr_state["saved"] = os.dup(2)
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 2)
        _stderr_state["depth"] += 1
    try:
        yield
    finally:
        with _STDERR_LOCK:
            _stderr_state["depth"] -= 1
            if _stderr_state["depth"] == 0:
                sys.stderr.flush()
                os.dup2(_stderr_state["saved"], 2)
                os.close(_stderr_state["saved"])


@contextlib.contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block is done, then raise KeyboardInterrupt.

    A KeyboardInterrupt between a native call's return and the assignment of its result would
    drop a half-made landmarker to its finaliser. Only in the main thread, and only when
    Python's own Ctrl-C handler is installed.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


class PoseEstimator:
    """MediaPipe Pose Landmarker for one person, as a context manager.

    mode "video": `detect(rgb, t_s)` with increasing times (tracking between frames);
    mode "image": `detect(rgb)` on unrelated images. Always close it (`with` or `.close()`).
    """

    _landmarker: Any = None  # a class default, so close() works after a failure in __init__

    def __init__(
        self,
        model_path: Path,
        cfg: PoseConfig | None = None,
        mode: str = "video",
        quiet: bool = True,
    ):
        with native_stderr_silenced(quiet):
            from mediapipe.tasks.python import BaseOptions, vision

        cfg = cfg or PoseConfig()
        if mode not in {"video", "image"}:
            raise ValueError(f"mode must be 'video' or 'image', not {mode!r}")
        running = vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=running,
            num_poses=1,
            min_pose_detection_confidence=cfg.min_detection_confidence,
            min_pose_presence_confidence=cfg.min_presence_confidence,
            min_tracking_confidence=cfg.min_tracking_confidence,
        )
        self._quiet_frames = 2 if quiet else 0  # native warnings come on the first frames
        self._quiet = quiet
        self.mode = mode
        self._last_ms = -1
        try:
            with ctrl_c_deferred():
                self._create(vision, options, model_path, quiet)
                _close_at_exit(self)
                self._warm_up()
        except BaseException:
            # Ctrl-C or a failure during set-up: close now, or the landmarker's finaliser runs
            # later (at interpreter exit), where mediapipe can crash.
            self.close()
            raise

    def _create(self, vision: Any, options: Any, model_path: Path, quiet: bool) -> None:
        try:
            with native_stderr_silenced(quiet):
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(
                f"could not load pose model {model_path} ({str(exc).splitlines()[0]}); "
                "check it with 'valguscam models verify' or download it again"
            ) from None

    def _warm_up(self) -> None:
        """One inference on a blank image, so graph set-up is paid at load time, not frame 1.

        A blank image has no person, so no tracking state carries over to the first frame.
        """
        import mediapipe as mp

        blank = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((64, 64, 3), np.uint8))
        with native_stderr_silenced(self._quiet_frames > 0):
            if self.mode == "video":
                self._landmarker.detect_for_video(blank, 0)
            else:
                self._landmarker.detect(blank)
        self._last_ms = 0

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the landmarker; silenced (mediapipe 1.x logs `DestroyAccelerator` here)."""
        landmarker, self._landmarker = self._landmarker, None
        if landmarker is not None:
            with native_stderr_silenced(getattr(self, "_quiet", True)):
                landmarker.close()

    def __del__(self) -> None:
        # A dropped estimator closes here, silenced, not in mediapipe's own finaliser, which
        # logs to fd 2 (and fails at interpreter exit: those left open are closed by atexit).
        self.close()

    def timestamp_ms(self, t_s: float) -> int:
        """Milliseconds for MediaPipe: rounded, forced strictly increasing."""
        ms = max(int(round(t_s * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        return ms

    def detect(self, rgb: np.ndarray, t_s: float | None = None) -> PoseSample:
        """Landmarks of the person in `rgb` ((H, W, 3) uint8 RGB, upright)."""
        import mediapipe as mp

        if self._landmarker is None:
            raise PoseError("the pose estimator is closed; create a new PoseEstimator")
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        height, width = rgb.shape[:2]
        if self.mode == "video" and t_s is None:
            raise ValueError("video mode needs the frame time t_s")
        with native_stderr_silenced(self._quiet_frames > 0):
            if self.mode == "video":
                result = self._landmarker.detect_for_video(image, self.timestamp_ms(t_s))
            else:
                result = self._landmarker.detect(image)
        self._quiet_frames = max(self._quiet_frames - 1, 0)
        return from_mediapipe(result, width, height)


_OPEN_ESTIMATORS: weakref.WeakSet[PoseEstimator] = weakref.WeakSet()
_EXIT_HOOK = {"registered": False}


def _close_open_estimators() -> None:
    """At exit: close, silenced, the estimators nobody closed, while mediapipe still can."""
    for estimator in list(_OPEN_ESTIMATORS):
        estimator.close()


def _close_at_exit(estimator: PoseEstimator) -> None:
    """Have `estimator` closed at interpreter exit if nobody closed it before.

    mediapipe closes a landmarker through a thread pool, and Python refuses new work on any pool
    once threading starts shutting down, which is before plain atexit hooks run: so the hook
    goes in CPython's earlier threading-exit list where there is one.
    """
    _OPEN_ESTIMATORS.add(estimator)
    if not _EXIT_HOOK["registered"]:
        _EXIT_HOOK["registered"] = True
        getattr(threading, "_register_atexit", atexit.register)(_close_open_estimators)


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@contextlib.contextmanager
def open_estimators(model_path: Path, cfg: PoseConfig, count: int) -> Iterator[list[PoseEstimator]]:
    """`count` video-mode landmarkers, created in parallel threads and all closed on exit.

    Ctrl-C is held while they are created (see ctrl_c_deferred); if one fails to load, the
    others are closed and its ModelError is raised.
    """
    from concurrent.futures import ThreadPoolExecutor

    with contextlib.ExitStack() as stack:
        with ctrl_c_deferred():
            with ThreadPoolExecutor(count, thread_name_prefix="valguscam-load") as pool:
                futures = [pool.submit(PoseEstimator, model_path, cfg) for _ in range(count)]
            for future in futures:  # every landmarker that loaded is closed on the way out
                if future.exception() is None:
                    stack.enter_context(future.result())
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            raise errors[0]
        yield [f.result() for f in futures]


class TrackBuilder:
    """Collects PoseSamples frame by frame into preallocated arrays (about 2 KB a frame).

    capacity: expected frame count (the container's); the arrays double when it is exceeded.
    build() returns a PoseTrack of the frames added, without copying them again.
    """

    def __init__(self, width: int, height: int, capacity: int = 256):
        self.width, self.height = width, height
        self._n = 0
        cap = max(int(capacity or 0), 16)
        self._t = np.empty(cap)
        self._data = {k: np.empty((cap, *shape)) for k, shape in LANDMARK_ARRAYS.items()}

    def _grow(self) -> None:
        cap = 2 * len(self._t)
        self._t = np.resize(self._t, cap)
        self._data = {k: np.resize(v, (cap, *v.shape[1:])) for k, v in self._data.items()}

    def add(self, t_s: float, sample: PoseSample) -> None:
        if self._n == len(self._t):
            self._grow()
        self._t[self._n] = t_s
        for key, arr in self._data.items():
            arr[self._n] = getattr(sample, key)
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def build(self) -> PoseTrack:
        n = self._n
        if n < len(self._t):  # trim in place; frees the unused tail
            self._t = np.resize(self._t, n)
            self._data = {k: np.resize(v, (n, *v.shape[1:])) for k, v in self._data.items()}
        return PoseTrack(t_s=self._t, width=self.width, height=self.height, **self._data)
