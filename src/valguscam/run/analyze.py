"""Analysis of one video: source -> pose -> clean-up -> knee metrics -> report.

`analyze` runs the pipeline and returns an `Analysis` without writing anything;
`Analysis.save(folder)` writes frames.csv and report.json; `analyze_video` (the CLI's
function) does both, into `<out_dir>/<video stem>/`. `load_report` reads a report.json back.
The only place that loops over frames for offline analysis.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from valguscam.assessment.findings import Findings, find_movement
from valguscam.body.knee import compute_metrics
from valguscam.body.legswap import repair_leg_swaps
from valguscam.body.measures import measure_body
from valguscam.body.smoothing import clean_track
from valguscam.config import Config, load_config
from valguscam.errors import ConfigError, InputError
from valguscam.media.sources import open_source
from valguscam.pose.estimator import (
    PoseEstimator,
    PoseSample,
    TrackBuilder,
    available_cores,
    open_estimators,
)
from valguscam.pose.models import resolve_model, sha256_file
from valguscam.report.document import SCHEMA_VERSION, ModelInfo, Report, RunState, build_report
from valguscam.report.files import write_frames_csv, write_json
from valguscam.report.opensim import write_mot, write_trc
from valguscam.run.pipeline import RoundRobin, prefetch
from valguscam.types import Frame, KneeMetrics, PoseTrack, VideoInfo

log = logging.getLogger(__name__)


FRAMES_CSV = "frames.csv"
REPORT_JSON = "report.json"


@dataclass(frozen=True)
class Analysis:
    """One analyzed clip, in memory: what `analyze` returns. Nothing is written until `save`.

    track: the unsmoothed PoseTrack, one row per decoded frame (pixels, seconds), with
        MediaPipe's left/right leg swaps repaired (metrics.swapped says where): the labels
        every metric, plot, overlay and export uses.
    metrics: knee metrics per frame, computed on the cleaned track (angles in degrees).
    findings: view, reps, exercise, verdicts and advice.
    report: the typed Report (report/model.py); `report.to_dict()` is what report.json holds.
    info: the source's VideoInfo, frame_count and duration_s from the frames actually decoded.
    interrupted: Ctrl-C or a decoding error stopped the run early; the results cover the
        frames done so far (the report's quality block says so).
    timings_s: wall time per stage in seconds (model_load, pose, post).
    """

    track: PoseTrack
    metrics: KneeMetrics
    findings: Findings
    report: Report
    info: VideoInfo
    interrupted: bool = False
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def no_person(self) -> bool:
        """True when no frame had a person in it (the report's status is then no_person)."""
        return not bool(self.track.has_pose.any())

    def save(
        self, out_dir: str | Path, *, stem: str | None = None, trc: bool = False, mot: bool = False
    ) -> dict[str, Path]:
        """Write frames.csv and report.json into `out_dir` itself (made if missing); with `trc`
        also `<stem>_px.trc` (pixel landmarks), with `mot` `<stem>_angles.mot` (knee angles),
        named as Sports2D names them (report/opensim.py). stem: default the folder's name.

        Each file is written atomically: an interrupted save leaves no half-written file.
        report.json is written last and lists the files ("files").
        Returns {"frames_csv": path, ["trc": path, "mot": path,] "report_json": path}.
        Raises OSError if the folder cannot be written.
        """
        out = Path(out_dir)
        stem = stem or out.resolve().name
        files = {"frames_csv": write_frames_csv(
            out / FRAMES_CSV, self.track, self.metrics, self.findings.reps
        )}  # fmt: skip
        if trc:
            files["trc"] = write_trc(out / f"{stem}_px.trc", self.track)
        if mot:
            files["mot"] = write_mot(out / f"{stem}_angles.mot", self.metrics)
        names = (*(p.name for p in files.values()), REPORT_JSON)
        report = replace(self.report, files=names)
        files["report_json"] = write_json(out / REPORT_JSON, report.to_dict())
        return files


@dataclass(frozen=True)
class AnalysisResult(Analysis):
    """What `analyze_video` produced: the Analysis, the folder it was saved to and its files.

    timings_s also holds "write" (seconds spent saving).
    """

    out_dir: Path = Path()
    files: dict[str, Path] = field(default_factory=dict)


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
    source,
    model_path: Path,
    cfg: Config,
    progress: bool,
    state: RunState,
    estimators: Sequence[PoseEstimator] | None = None,
) -> PoseTrack:
    """Run the pose model on every frame of `source`. Ctrl-C keeps the frames done so far.

    Three stages overlap: a decode thread (up to 8 frames ahead) and `workers` landmarkers in
    threads of their own, landmarker k on frames k, k + workers, ... (2 frames each in flight).
    estimators: landmarkers already loaded (run/batch reuses them across clips), else
    cfg.pose.workers are loaded here and closed at the end.
    """
    info = source.info
    builder = TrackBuilder(info.width, info.height, capacity=info.frame_count)
    workers = len(estimators) if estimators else max(1, min(cfg.pose.workers, available_cores()))
    state.pose_workers = workers
    start = time.perf_counter()
    loaded = contextlib.nullcontext(list(estimators)) if estimators else None
    # Decoding starts now, while the models load.
    with (
        prefetch(source, depth=8) as frames,
        loaded or open_estimators(model_path, cfg.pose, workers) as estimators,
        _progress(info.frame_count, progress) as bar,
    ):
        state.timings_s["model_load"] = time.perf_counter() - start
        log.debug("pose: %d landmarker(s) loaded in %.1f s", workers, state.timings_s["model_load"])
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


def analyze(
    video: str | Path,
    *,
    config: Config | str | Path | None = None,
    exercise: str = "auto",
    model: str | Path | None = None,
    decoder: str = "auto",
    progress: bool = False,
    estimators: Sequence[PoseEstimator] | None = None,
) -> Analysis:
    """Analyze one clip (pose, clean-up, knee metrics, reps, verdicts) without writing files.

    Args:
        video: a video file, a webcam index as a string ("0"; runs until Ctrl-C) or a folder
            of images (.jpg .jpeg .png .bmp, natural order, taken as 30 frames per second).
        config: a Config, a path to a TOML config file (merged over the defaults) or None
            for the defaults.
        exercise: "auto" to detect it, or the exercise to judge (bilateral_squat,
            split_squat, lateral_lunge, single_leg_squat); decides the judged leg in lunges.
        model: pose model name (lite, full, heavy) or path to a .task file; None = the
            config's pose.model.
        decoder: "auto", "pyav" or "opencv" (video files only).
        progress: show a progress bar on stderr.
        estimators: video-mode landmarkers already loaded with this model, reused instead of
            loading `config.pose.workers` new ones (run/batch.py keeps them per process).

    Returns:
        An Analysis (track, metrics, findings, report, info, interrupted, timings_s).
        Ctrl-C does not raise: it ends the run early with `interrupted` set.

    Raises:
        InputError: the video is missing, unreadable or not a video.
        ConfigError: the config file or a value in it cannot be used, or `exercise` is unknown.
        ModelError: the pose model is missing or invalid (fix: `valguscam models download`).
        PoseError: the pose model failed on a frame.
    """
    cfg = _as_config(config)
    state = RunState()
    with open_source(video, decoder=decoder) as source:  # a bad input is named before the model
        model_path = resolve_model(str(model) if model is not None else cfg.pose.model)
        info = source.info
        raw = estimate_track(source, model_path, cfg, progress, state, estimators)
    info = _with_count(info, raw)
    start = time.perf_counter()
    track, metrics, findings = post_process(raw, cfg, exercise)
    name = str(model) if model is not None else cfg.pose.model
    model_info = ModelInfo(name=name, path=str(model_path), sha256=sha256_file(model_path))
    report = build_report(info, model_info, cfg, track, metrics, state, findings)
    state.timings_s["post"] = time.perf_counter() - start
    return Analysis(
        track, metrics, findings, report, info, interrupted=not state.complete,
        timings_s=dict(state.timings_s),
    )  # fmt: skip


def post_process(
    raw: PoseTrack, cfg: Config, exercise: str
) -> tuple[PoseTrack, KneeMetrics, Findings]:
    """Leg-swap repair, clean-up, body measures, knee metrics and movement findings of a raw
    track: (the repaired track, metrics, findings). Every later stage reads the repaired track
    and the one set of body measures."""
    repaired = repair_leg_swaps(raw)
    fixed = repaired.track
    body = measure_body(fixed, cfg.movement)
    metrics = compute_metrics(clean_track(fixed, cfg.smoothing), fixed.visibility, cfg, body)
    findings = find_movement(fixed, metrics, cfg, exercise, body)
    return fixed, replace(metrics, swapped=repaired.swapped), findings


def _as_config(config: Config | str | Path | None) -> Config:
    """`config` as a Config: defaults for None, a TOML file merged over them for a path."""
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    if isinstance(config, str | os.PathLike):
        return load_config(config)
    raise ConfigError(
        f"config is a {type(config).__name__}; pass a Config, a path to a TOML file or None"
    )


def baseline_from_clip(
    clip: str | Path, cfg: Config, model: str | Path | None = None, decoder: str = "auto"
) -> dict[str, float]:
    """The standing FPPA per side ("left"/"right", degrees) of a clip of the person standing
    still, facing the camera, for --baseline-clip. Raises InputError naming the fix when the
    clip gives no reliable baseline for a side."""
    found = analyze(clip, config=cfg, model=model, decoder=decoder)
    out = {}
    for side, base in found.metrics.baseline.items():
        if not (base.reliable and np.isfinite(base.fppa_deg)):
            raise InputError(
                f"no reliable standing baseline for the {side} knee in {clip} "
                f"({base.source} frames, {base.duration_s:.1f} s); film at least 1 s standing "
                "still, facing the camera, hips to feet in view"
            )
        out[side] = float(base.fppa_deg)
    return out


def analyze_video(
    video: str | Path,
    out_dir: str | Path,
    cfg: Config,
    model: str | None = None,
    decoder: str = "auto",
    progress: bool = True,
    exercise: str = "auto",
    trc: bool = False,
    mot: bool = False,
) -> AnalysisResult:
    """`analyze` one clip and save frames.csv and report.json to `<out_dir>/<video stem>/`;
    `trc`, `mot`: also the OpenSim files (see `Analysis.save`).

    The CLI's function. Arguments and errors as for `analyze` (cfg: a Config); also raises
    OSError if the output folder cannot be written.
    """
    analysis = analyze(
        video, config=cfg, exercise=exercise, model=model, decoder=decoder, progress=progress
    )
    start = time.perf_counter()
    dest = Path(out_dir) / _output_name(video)
    files = analysis.save(dest, stem=_output_name(video), trc=trc, mot=mot)
    timings = {**analysis.timings_s, "write": time.perf_counter() - start}
    kept = {f.name: getattr(analysis, f.name) for f in fields(Analysis)}
    return AnalysisResult(**{**kept, "timings_s": timings}, out_dir=dest, files=files)


def _output_name(video: str | Path) -> str:
    """The output folder's name for `video`: its stem ("0" for webcam 0, a folder's name)."""
    path = Path(str(video))
    return path.stem or path.resolve().name or "video"


def load_report(path: str | Path) -> dict:
    """Read a report.json written by valguscam.

    Args:
        path: the report.json file, or the folder holding it (e.g. OUT/<video stem>/).

    Returns:
        The report as a dict (see docs/report-schema.json).

    Raises:
        InputError: the file is missing, is not JSON, is not a valguscam report, or its
            schema_version has another major version than this valguscam writes.
    """
    p = Path(path)
    if p.is_dir():
        p = p / REPORT_JSON
    if not p.is_file():
        raise InputError(
            f"no report at {p}; pass a report.json or the folder 'valguscam analyze' wrote it to"
        )
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{p} cannot be read as JSON ({exc}); run 'valguscam analyze' again to rewrite it"
        ) from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(version, str):
        raise InputError(
            f"{p} has no schema_version, so it is not a valguscam report; "
            "pass the report.json that 'valguscam analyze' wrote"
        )
    major = SCHEMA_VERSION.split(".")[0]
    if version.split(".")[0] != major:
        raise InputError(
            f"{p} has report schema {version}, this valguscam reads {major}.x; "
            "analyze the video again with this version"
        )
    return data


def _with_count(info: VideoInfo, track: PoseTrack) -> VideoInfo:
    """VideoInfo with frame_count and duration from the frames actually decoded."""
    n = track.n_frames
    if n == info.frame_count:
        return info
    duration = float(track.t_s[-1]) + (1.0 / info.fps if info.fps else 0.0) if n else 0.0
    return replace(info, frame_count=n, duration_s=duration)
