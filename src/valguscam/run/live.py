"""`valguscam live`: knee feedback while the person squats, from a webcam or a paced clip.

One loop (the only one here): a capture thread hands over the newest frame (media/camera.py,
no queue, frames the loop cannot keep up with are dropped and counted), the landmarker runs
on it (VIDEO running mode with monotonic millisecond timestamps, on a copy shrunk to
`max_side` pixels), the session's online stages turn it into a HUD state
(run/live_session.py) and draw/hud.py draws it, mirrored for display only. At the end
(q/Esc, --duration, Ctrl-C, end of the clip, a camera that stopped) the processed frames go
through the offline stages exactly as in `analyze` (post_process, build_report), and the
same frames.csv and report.json are written, plus a `live` section (frames captured,
processed, dropped, fps, latency capture->HUD shown) and with `record` raw.mp4 and hud.mp4.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from valguscam.config import Config
from valguscam.draw.hud import HudState
from valguscam.draw.overlay import blur_face
from valguscam.draw.overlay_state import face_boxes
from valguscam.errors import InputError
from valguscam.media.camera import LatestFrame, downscale
from valguscam.media.sources import FrameSource, VideoFileSource, WebcamSource
from valguscam.pose.estimator import PoseEstimator, PoseSample
from valguscam.pose.models import resolve_model
from valguscam.run.analyze import Analysis
from valguscam.run.live_output import LiveStats, Recorder, Screens, save_session
from valguscam.run.live_session import LiveSession
from valguscam.types import Frame

log = logging.getLogger(__name__)

MAX_SIDE = 640
"""Default longest side, pixels, of the copy the landmarker sees (landmarks are scaled back)."""


@dataclass(frozen=True)
class LiveOptions:
    """How to run a live session.

    camera: webcam index, or None with `source` (a video file played in real time as if it
    were a camera). mirror: flip the display (None = mirror a webcam, not a file).
    exercise: as for analyze. out_dir: results go to out_dir/<name>/. record: also write
    raw.mp4 and hud.mp4 there. duration_s: stop after this many seconds (None = until q).
    headless: no window. max_side: the landmarker's input size, pixels (0 = full frame).
    model: pose model name or path (None = the config's). blur_faces: blur each head (from
    its face landmarks) in the frame before anything is shown, recorded or snapshotted.
    """

    camera: int | None = 0
    source: Path | None = None
    mirror: bool | None = None
    exercise: str = "auto"
    out_dir: Path = Path("out")
    record: bool = False
    duration_s: float | None = None
    headless: bool = False
    max_side: int = MAX_SIDE
    model: str | None = None
    blur_faces: bool = False

    @property
    def mirrored(self) -> bool:
        return self.mirror if self.mirror is not None else self.source is None

    @property
    def name(self) -> str:
        """The output folder's name: the clip's stem, or camera<N>-<UTC time>."""
        if self.source is not None:
            return Path(self.source).stem
        return f"camera{self.camera}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"


@dataclass(frozen=True)
class LiveResult:
    """A finished session: the folder and files written, the stats, and why it ended
    ("quit", "duration", "end", "interrupted", "camera"); error: the camera's one-line
    problem when it stopped, else None. analysis: the offline Analysis of the session."""

    out_dir: Path
    files: dict[str, Path]
    stats: LiveStats
    ended: str
    analysis: Analysis
    error: str | None = None


def _open(opts: LiveOptions):
    if opts.source is not None:
        return VideoFileSource(opts.source, threads=1)  # decoded in the capture thread
    return WebcamSource(opts.camera if opts.camera is not None else 0)


def _detect(est: PoseEstimator, rgb: np.ndarray, t_s: float, max_side: int) -> PoseSample:
    """Landmarks of `rgb` in its own pixels, found on a copy at most max_side pixels long."""
    small, factor = downscale(rgb, max_side)
    sample = est.detect(small, t_s)
    return sample if factor == 1.0 else replace(sample, xy=sample.xy * factor)


def run_live(opts: LiveOptions, cfg: Config, source: FrameSource | None = None) -> LiveResult:
    """Run one live session and save it (see the module doc). Returns a LiveResult.

    source: an opened FrameSource to use instead of opts.camera / opts.source (owned: closed
    at the end); paced in real time when opts.source is set.

    Raises InputError for a missing or busy camera, a bad clip or no display without
    --headless; ModelError for a bad pose model. A camera that stops mid-session does not
    raise: the session so far is saved and LiveResult.error says what happened.
    """
    source = source or _open(opts)  # a bad camera or clip is named before the model loads
    info = source.info
    dest = Path(opts.out_dir) / opts.name
    session = LiveSession(cfg, info.width, info.height)
    stats = LiveStats()
    with contextlib.ExitStack() as stack:
        stack.callback(source.close)  # also when the model fails to load
        model_path = resolve_model(opts.model or cfg.pose.model)
        dest.mkdir(parents=True, exist_ok=True)
        screens = stack.enter_context(Screens(opts.headless, opts.mirrored, dest))  # no display?
        est = stack.enter_context(PoseEstimator(model_path, cfg.pose))
        rec = stack.enter_context(Recorder(dest, info, opts.record))
        cam = stack.enter_context(LatestFrame(source, paced=opts.source is not None))
        ended = _loop(cam, est, session, screens, rec, stats, opts)
        stats.finish(cam.counts)
        error = str(cam.error) if cam.error is not None else None
        if error:
            ended = "camera"
            if stats.processed == 0:  # a busy camera that never sent a frame: nothing to save
                raise cam.error
        analysis, files = save_session(session, cfg, info, model_path, opts, stats, dest, ended)
        screens.summary(analysis, stats)
    return LiveResult(dest, files, stats, ended, analysis, error)


@dataclass
class _Loop:
    """What the frame loop carries between frames."""

    session: LiveSession
    screens: object
    rec: object
    stats: LiveStats
    opts: LiveOptions
    paused: bool = False
    hud: HudState | None = None
    frame: Frame | None = None
    captured_at: float = 0.0


def _loop(cam, est, session, screens, rec, stats, opts) -> str:
    """Process the newest frame until the session ends; returns why it ended.

    Two stages in two threads: a pose thread takes the newest frame from the camera as soon
    as it is free and runs the model on it (its native code runs without Python's lock); this
    thread feeds each frame's landmarks to the session and draws the HUD, while the pose
    thread already works on the next frame. A frame waits for the model only while the model
    is busy with the frame before it, never for this thread; the hand-over holds one frame's
    landmarks, so the pose thread waits when the HUD falls behind (the camera then drops).
    """
    loop = _Loop(session, screens, rec, stats, opts)
    pose = _PoseThread(cam, est, loop)
    pose.start()
    try:
        while True:
            item = pose.get(timeout_s=0.1)  # none within 0.1 s: keep the HUD alive
            if isinstance(item, str):
                return item
            ended = _show(loop, item)
            if ended:
                return ended
    except KeyboardInterrupt:
        return "interrupted"
    finally:
        pose.stop()


class _PoseThread(threading.Thread):
    """The pose stage: newest frame -> landmarks, handed over one at a time by `get()`.

    get() returns a detected item (see _detect_item), None when nothing came within the
    timeout, or why the frames ended: "end" (the source ended) or "duration" (a frame past
    --duration). An error of the model is raised by get() in the HUD thread.
    """

    def __init__(self, cam: LatestFrame, est: PoseEstimator, loop: _Loop):
        super().__init__(name="valguscam-pose", daemon=True)
        self.cam, self.est, self.loop = cam, est, loop
        self._out: queue.Queue = queue.Queue(maxsize=1)
        self._halt = threading.Event()

    def get(self, timeout_s: float):
        try:
            item = self._out.get(timeout=timeout_s)
        except queue.Empty:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5.0)

    def _put(self, item) -> None:
        while not self._halt.is_set():
            try:
                self._out.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                got = self.cam.next(timeout_s=0.1)
                if got is None:
                    if self.cam.ended.is_set():
                        self._put("end")
                        return
                    continue
                if _over(got[0], self.loop.opts):
                    self._put("duration")
                    return
                if not self.loop.paused:  # paused: frames are dropped, as a camera would
                    self._put(_detect_item(self.est, got, self.loop.opts.max_side))
        except BaseException as exc:  # noqa: BLE001 - handed to the HUD thread, raised there
            self._put(exc)


def _over(frame: Frame, opts: LiveOptions) -> bool:
    return opts.duration_s is not None and frame.t_s >= opts.duration_s


def _detect_item(est: PoseEstimator, got: tuple[Frame, float], max_side: int):
    """(frame, captured_at, landmarks, pose started, pose done): perf_counter seconds."""
    frame, captured_at = got
    started = time.perf_counter()
    sample = _detect(est, frame.rgb, frame.t_s, max_side)
    return frame, captured_at, sample, started, time.perf_counter()


def _show(loop: _Loop, item) -> str | None:
    """Feed one detected frame (or, paused, none) to the session, show the HUD, act on keys;
    returns "quit" when the session should end."""
    if item is None and loop.hud is None:
        return None
    if item is not None:
        frame, captured_at, sample, started, posed = item
        if loop.opts.blur_faces:
            frame = _blurred(frame, sample)
        loop.hud = loop.session.step(frame.t_s, sample)
        loop.stats.processed_at(frame.t_s)
        loop.frame, loop.captured_at = frame, captured_at
    hud = replace(loop.hud, stats=loop.stats.text(), paused=loop.paused)
    key, shown = loop.screens.show(loop.frame.rgb, hud)
    if item is not None:
        now = time.perf_counter()
        parts = (started - captured_at, posed - started, now - posed)
        loop.stats.latency(now - captured_at, parts)
        loop.rec.write(loop.frame, shown)
    action = _key(key, loop.session, loop.screens, shown)
    if action == "pause":
        loop.paused = not loop.paused
    return "quit" if action == "quit" else None


def _blurred(frame: Frame, sample) -> Frame:
    """`frame` with the head blurred where this frame's face landmarks put it (--blur-faces).
    Without a face landmark the whole top fifth is blurred: a missed detection must not show a
    face."""
    h, w = frame.rgb.shape[:2]
    box = face_boxes(sample.xy[None], w, h, reach=0)[0]
    if box[0] < 0:
        box = np.array([0, 0, w - 1, h // 5])
    return replace(frame, rgb=blur_face(frame.rgb, box))


def _key(key: str | None, session: LiveSession, screens, shown) -> str | None:
    """Act on a key: q/Esc quit, space pause, c re-take the baseline, s snapshot."""
    if key in ("q", "esc") or screens.closed():
        return "quit"
    if key == "space":
        return "pause"
    if key == "c":
        session.retake_baseline()
    elif key == "s":
        screens.snapshot(shown)
    return None


def check_source(path: str | Path) -> Path:
    """The --source clip as a Path; InputError naming the fix when it is not a file."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"--source {p} is not a file; pass a video file (e.g. squat.mp4)")
    return p
