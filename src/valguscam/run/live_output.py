"""What a live session shows and writes: the screens (window or none), the recorder, the
session's speed figures and the end-of-session files.

`save_session` runs the offline stages of `analyze` (run/analyze.post_process, build_report)
on the session's processed frames and writes the same frames.csv and report.json, with a
`live` section added to report.json (LiveStats.to_dict()).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from valguscam.draw.hud import HudState, HudWindow, render_hud, render_summary, save_png
from valguscam.errors import InputError
from valguscam.media.camera import CaptureCounts
from valguscam.media.writer import VideoWriter
from valguscam.pose.models import sha256_file
from valguscam.report.document import ModelInfo, RunState, build_report
from valguscam.report.folder import write_json
from valguscam.run.analyze import REPORT_JSON, Analysis, post_process
from valguscam.types import Frame, VideoInfo

SUMMARY_MS = 4000
"""How long the summary screen stays in the window (milliseconds) unless a key is pressed."""


PARTS = ("wait", "pose", "hud")
"""The parts of a frame's latency: waiting for the pose model (capture to its start), the pose
model (with the shrinking of the frame), the live stages and HUD (pose done to HUD shown)."""


@dataclass
class LiveStats:
    """Speed of a live session. Latency: capture (the frame handed over by the camera
    thread) to the HUD shown, seconds per processed frame, and its PARTS. fps: processed
    frames per second of session time."""

    latencies_s: list[float] = field(default_factory=list)
    parts_s: list[tuple[float, float, float]] = field(default_factory=list)
    first_t: float = math.nan
    last_t: float = math.nan
    processed: int = 0
    captured: int = 0
    dropped: int = 0
    live_reps: int = 0
    cues: int = 0

    def processed_at(self, t_s: float) -> None:
        if math.isnan(self.first_t):
            self.first_t = t_s
        self.last_t = t_s
        self.processed += 1

    def latency(self, seconds: float, parts: tuple[float, float, float] | None = None) -> None:
        """One processed frame's latency and (optionally) its PARTS, seconds."""
        self.latencies_s.append(seconds)
        if parts is not None:
            self.parts_s.append(parts)

    @property
    def fps(self) -> float:
        span = self.last_t - self.first_t
        return (self.processed - 1) / span if self.processed > 1 and span > 0 else math.nan

    def text(self) -> str:
        """The HUD's line, e.g. "29 fps  latency 31 ms" (the last 30 frames' median)."""
        recent = self.latencies_s[-30:]
        lat = f"  latency {1000 * float(np.median(recent)):.0f} ms" if recent else ""
        return f"{self.fps:.0f} fps{lat}" if math.isfinite(self.fps) else lat.strip()

    def finish(self, counts: CaptureCounts) -> None:
        self.captured, self.dropped = counts.captured, counts.captured - self.processed

    def to_dict(self) -> dict:
        lat = np.asarray(self.latencies_s, float) * 1000.0
        pct = (lambda q: float(np.percentile(lat, q))) if lat.size else (lambda q: None)
        return {
            "frames_captured": self.captured,
            "frames_processed": self.processed,
            "frames_dropped": self.dropped,
            "dropped_pct": 100.0 * self.dropped / self.captured if self.captured else None,
            "fps": self.fps if math.isfinite(self.fps) else None,
            "latency_ms": {
                "p50": pct(50),
                "p95": pct(95),
                "max": float(lat.max()) if lat.size else None,
            },  # fmt: skip
            "latency_parts_ms": self._parts(),
            "live_reps": self.live_reps,
            "cues": self.cues,
        }

    def _parts(self) -> dict[str, dict[str, float]] | None:
        """p50 and p95 of each latency part, ms (None without parts)."""
        if not self.parts_s:
            return None
        ms = np.asarray(self.parts_s, float) * 1000.0
        return {
            name: {
                "p50": float(np.percentile(ms[:, k], 50)),
                "p95": float(np.percentile(ms[:, k], 95)),
            }
            for k, name in enumerate(PARTS)
        }


class Screens:
    """The HUD window (none when headless), snapshots (s key) and the summary screen.

    show(rgb, hud) renders the HUD (also headless: the recorder and snapshots use it) and
    returns (key pressed or None, the picture shown).
    """

    def __init__(self, headless: bool, mirror: bool, dest: Path):
        self.headless, self.mirror, self.dest = headless, mirror, dest
        self.window: HudWindow | None = None
        self.snapshots: list[Path] = []

    def __enter__(self) -> Screens:
        if not self.headless:
            try:
                self.window = HudWindow().__enter__()
            except RuntimeError as exc:
                raise InputError(f"{exc}; run with --headless where there is no screen") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.window is not None:
            self.window.__exit__()

    def show(self, rgb: np.ndarray, hud: HudState) -> tuple[str | None, np.ndarray]:
        shown = render_hud(rgb, hud, self.mirror)
        key = self.window.show(shown) if self.window is not None else None
        return key, shown

    def closed(self) -> bool:
        return self.window is not None and not self.window.visible()

    def snapshot(self, shown: np.ndarray) -> Path:
        path = save_png(self.dest / f"snapshot-{len(self.snapshots) + 1}.png", shown)
        self.snapshots.append(path)
        return path

    def summary(self, analysis: Analysis, stats: LiveStats) -> np.ndarray:
        """Draw (and in a window show for SUMMARY_MS or until a key) the end-of-session screen."""
        img = summary_picture(analysis, stats)
        save_png(self.dest / "summary.png", img)
        if self.window is not None:
            self.window.wait_ms = SUMMARY_MS
            self.window.show(img)
        return img


def summary_picture(analysis: Analysis, stats: LiveStats, size=(1280, 720)) -> np.ndarray:
    """The summary screen: reps, per-knee verdicts and the session's speed."""
    r = analysis.report.to_dict()
    lines = [f"reps: {len(r['reps'])} (counted live: {stats.live_reps})"]
    summary = r.get("summary") or {}
    for side in ("left", "right"):
        s = summary.get(side) or {}
        why = f" ({s['reason']})" if s.get("reason") else ""
        lines.append(f"{side} knee: {s.get('verdict', 'n/a')}{why}")
    d = stats.to_dict()
    lat = d["latency_ms"]
    if lat["p95"] is not None:
        lines.append(f"{d['frames_processed']} frames, {d['dropped_pct'] or 0:.0f} % dropped, "
                     f"latency p50 {lat['p50']:.0f} / p95 {lat['p95']:.0f} ms")  # fmt: skip
    lines.append("details: report.json and frames.csv in the output folder")
    return render_summary(size[0], size[1], "session summary", lines)


class Recorder:
    """With `enabled`: raw.mp4 (the processed camera frames) and hud.mp4 (the HUD shown)."""

    def __init__(self, dest: Path, info: VideoInfo, enabled: bool):
        self.enabled = enabled
        self.writers: list[VideoWriter] = []
        if enabled:
            fps = info.fps or 30.0
            for name in ("raw.mp4", "hud.mp4"):
                w = VideoWriter(dest / name, info.width, info.height, fps=fps, preset="ultrafast")
                self.writers.append(w)

    def __enter__(self) -> Recorder:
        for w in self.writers:
            w.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for w in self.writers:
            w.__exit__(None, None, None)

    def write(self, frame: Frame, shown: np.ndarray) -> None:
        if self.enabled:
            self.writers[0].write(frame.rgb, frame.t_s)
            self.writers[1].write(shown, frame.t_s)


def save_session(session, cfg, info, model_path, opts, stats, dest, ended):
    """Run the offline stages on the session's frames and write frames.csv and report.json
    (with the `live` section) into `dest`. Returns (Analysis, files)."""
    raw = session.track()
    if raw.n_frames == 0:
        raise InputError(f"no frame was processed from {info.path}; check the camera or clip")
    base = session.baseline
    if base is not None:  # the report's baseline is the stretch the countdown took
        cfg = replace(cfg, baseline=replace(cfg.baseline, start_s=base.start_s, end_s=base.end_s))
    track, metrics, findings = post_process(raw, cfg, opts.exercise)
    span = float(raw.t_s[-1] - raw.t_s[0]) if raw.n_frames > 1 else 0.0
    info = replace(info, frame_count=raw.n_frames, duration_s=span,
                   fps=(raw.n_frames - 1) / span if span > 0 else info.fps)  # fmt: skip
    state = RunState(complete=ended in ("end", "duration", "quit"))
    state.notes.append(f"live session ({ended}): {stats.dropped} of {stats.captured} frames "
                       "dropped while the pipeline was busy")  # fmt: skip
    name = opts.model or cfg.pose.model
    model = ModelInfo(name=str(name), path=str(model_path), sha256=sha256_file(model_path))
    report = build_report(info, model, cfg, track, metrics, state, findings)
    analysis = Analysis(track, metrics, findings, report, info, interrupted=not state.complete)
    session.counter.finish()  # a last rep already back at standing counts, as offline
    stats.live_reps, stats.cues = session.counter.count, len(session.coach.given)
    files = analysis.save(dest)
    data = replace(report, files=tuple(p.name for p in files.values())).to_dict()
    data["live"] = {**stats.to_dict(), "mirrored": opts.mirrored, "ended": ended,
                    "baseline": base.fppa_deg if base else None,
                    "setup_problems": sorted(session.problems_seen)}  # fmt: skip
    files["report_json"] = write_json(dest / REPORT_JSON, data)
    return analysis, files
