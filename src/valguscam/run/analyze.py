"""Analysis of one video: source -> pose -> clean-up -> knee metrics -> report files.

The only place that loops over frames for offline analysis. Outputs go to
`<out_dir>/<video stem>/` (frames.csv, report.json).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from valguscam.assessment.findings import Findings, find_movement, findings_report
from valguscam.body.knee import compute_metrics
from valguscam.body.smoothing import clean_track
from valguscam.config import Config
from valguscam.errors import InputError
from valguscam.media.sources import open_source
from valguscam.pose.estimator import (
    PoseEstimator,
    PoseSample,
    TrackBuilder,
    available_cores,
    open_estimators,
)
from valguscam.pose.models import resolve_model, sha256_file
from valguscam.report.document import ModelInfo, RunState, build_report
from valguscam.report.files import write_frames_csv, write_json
from valguscam.run.pipeline import RoundRobin, prefetch
from valguscam.types import Frame, KneeMetrics, PoseTrack, VideoInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysisResult:
    """What `analyze_video` produced: the report dict, output paths and the arrays behind them.

    track is the raw (unsmoothed) pose track; metrics are computed on the cleaned track.
    timings_s: wall time per stage (model_load, pose, post, write), seconds.
    """

    report: dict
    out_dir: Path
    files: dict[str, Path]
    info: VideoInfo
    track: PoseTrack
    metrics: KneeMetrics
    findings: Findings
    interrupted: bool = False
    timings_s: dict[str, float] = field(default_factory=dict)


def _progress(total: int | None, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total or None,
        unit="frame",
        disable=not enabled or None,
        leave=False,
        desc="pose",
        dynamic_ncols=True,
    )


def estimate_track(
    source, model_path: Path, cfg: Config, progress: bool, state: RunState
) -> PoseTrack:
    """Run the pose model on every frame of `source`. Ctrl-C keeps the frames done so far.

    Three stages overlap: a decode thread (up to 8 frames ahead) and `workers` landmarkers in
    threads of their own, landmarker k on frames k, k + workers, ... (2 frames each in flight).
    """
    info = source.info
    builder = TrackBuilder(info.width, info.height, capacity=info.frame_count)
    workers = max(1, min(cfg.pose.workers, available_cores()))
    state.pose_workers = workers
    start = time.perf_counter()
    # Decoding starts now, while the models load.
    with (
        prefetch(source, depth=8) as frames,
        open_estimators(model_path, cfg.pose, workers) as estimators,
        _progress(info.frame_count, progress) as bar,
    ):
        state.timings_s["model_load"] = time.perf_counter() - start
        start = time.perf_counter()
        detectors = [_detector(e) for e in estimators]
        try:
            with RoundRobin(detectors, frames, ahead=2) as results:
                for t_s, sample in results:
                    builder.add(t_s, sample)
                    bar.update(1)
        except KeyboardInterrupt:
            state.complete = False
            state.notes.append(f"interrupted after {len(builder)} frames: results cover those only")
        except InputError as exc:
            if not len(builder):
                raise
            state.complete = False
            state.notes.append(f"decoding stopped after {len(builder)} frames: {exc}")
    state.timings_s["pose"] = time.perf_counter() - start
    return builder.build()


def _detector(estimator: PoseEstimator):
    """frame -> (t_s, PoseSample) with `estimator`, for RoundRobin."""

    def detect(frame: Frame) -> tuple[float, PoseSample]:
        return frame.t_s, estimator.detect(frame.rgb, frame.t_s)

    return detect


def analyze_video(
    video: str | Path,
    out_dir: str | Path,
    cfg: Config,
    model: str | None = None,
    decoder: str = "auto",
    progress: bool = True,
    exercise: str = "auto",
) -> AnalysisResult:
    """Analyze one video file and write `<out_dir>/<stem>/frames.csv` and `report.json`.

    exercise: "auto" to detect it, or one of movement.EXERCISES to force it.
    """
    model_path = resolve_model(model or cfg.pose.model)
    state = RunState()
    with open_source(video, decoder=decoder) as source:
        info = source.info
        raw = estimate_track(source, model_path, cfg, progress, state)
    info = _with_count(info, raw)
    start = time.perf_counter()
    track = clean_track(raw, cfg.smoothing)
    metrics = compute_metrics(track, raw.visibility, cfg)
    findings = find_movement(raw, metrics, cfg, exercise)
    model_info = ModelInfo(
        name=model or cfg.pose.model, path=str(model_path), sha256=sha256_file(model_path)
    )
    report = build_report(
        info, model_info, cfg, raw, metrics, state, findings_report(findings, metrics)
    )
    state.timings_s["post"] = time.perf_counter() - start
    start = time.perf_counter()
    dest = Path(out_dir) / Path(str(video)).stem
    files = {
        "frames_csv": write_frames_csv(dest / "frames.csv", raw, metrics, findings.reps),
        "report_json": write_json(dest / "report.json", report),
    }
    state.timings_s["write"] = time.perf_counter() - start
    return AnalysisResult(
        report, dest, files, info, raw, metrics, findings, interrupted=not state.complete,
        timings_s=dict(state.timings_s),
    )  # fmt: skip


def _with_count(info: VideoInfo, track: PoseTrack) -> VideoInfo:
    """VideoInfo with frame_count and duration from the frames actually decoded."""
    n = track.n_frames
    if n == info.frame_count:
        return info
    duration = float(track.t_s[-1]) + (1.0 / info.fps if info.fps else 0.0) if n else 0.0
    return replace(info, frame_count=n, duration_s=duration)
