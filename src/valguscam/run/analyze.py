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
from contextlib import AbstractContextManager
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
from valguscam.pose.estimator import PoseEstimator
from valguscam.pose.models import resolve_model, sha256_file
from valguscam.report.document import ModelInfo, Report, RunState, build_report
from valguscam.report.files import write_frames_csv
from valguscam.report.folder import FRAMES_CSV, REPORT_JSON, write_json
from valguscam.report.load import load_report
from valguscam.report.opensim import write_mot, write_trc
from valguscam.run.outputs import SigintHold, output_error, prepare_output, safe_name
from valguscam.run.pose_pass import STOP_DECODING, STOP_INTERRUPTED, estimate_track
from valguscam.types import KneeMetrics, PoseTrack, VideoInfo

__all__ = [
    "FRAMES_CSV",
    "REPORT_JSON",
    "Analysis",
    "AnalysisResult",
    "analyze",
    "analyze_video",
    "baseline_from_clip",
    "estimate_track",
    "load_report",
    "post_process",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analysis:
    """One analyzed clip, in memory: what `analyze` returns. Nothing is written until `save`.

    track: the unsmoothed PoseTrack, one row per decoded frame (pixels, seconds), with
        MediaPipe's left/right leg swaps repaired (metrics.swapped says where): the labels
        every metric, plot, overlay and export uses.
    metrics: knee metrics per frame, computed on the cleaned track (angles in degrees).
    findings: view, reps, exercise, verdicts and advice.
    report: the typed Report (report/model.py); `report.to_dict()` is what report.json holds.
    info: the source's VideoInfo, frame_count and duration_s from the frames actually decoded
        (report.quality.frames_expected keeps what the file's header listed).
    interrupted: Ctrl-C stopped the run early; the results cover the frames done so far (the
        report's status is incomplete and its quality block says so).
    decoding_stopped: why decoding ended before the end of the input ("" = it did not): a
        damaged or cut-off file; the results cover the frames decoded (status incomplete).
    timings_s: wall time per stage in seconds (model_load, pose, post).
    """

    track: PoseTrack
    metrics: KneeMetrics
    findings: Findings
    report: Report
    info: VideoInfo
    interrupted: bool = False
    timings_s: dict[str, float] = field(default_factory=dict)
    decoding_stopped: str = ""

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

        Each file is written atomically: an interrupted save leaves no half-written file. An
        older report.json in the folder is removed first, with the files it lists (they belong
        to the older run), and report.json is written last,
        listing the files ("files"): a folder holds a report.json only when every file it lists
        is from the same run. Returns {"frames_csv": path, ["trc": path, "mot": path,]
        "report_json": path}. Raises OutputError if the folder cannot be written.
        """
        out = Path(out_dir)
        stem = stem or out.resolve().name
        files: dict[str, Path] = {}
        try:
            _remove_previous_run(out)
            files["frames_csv"] = write_frames_csv(
                out / FRAMES_CSV, self.track, self.metrics, self.findings.reps
            )
            if trc:
                files["trc"] = write_trc(out / f"{safe_name(stem)}_px.trc", self.track)
            if mot:
                files["mot"] = write_mot(out / f"{safe_name(stem)}_angles.mot", self.metrics)
            names = (*(p.name for p in files.values()), REPORT_JSON)
            report = replace(self.report, files=names)
            files["report_json"] = write_json(out / REPORT_JSON, report.to_dict())
        except OSError as err:
            for path in files.values():  # no report lists them: do not leave them behind
                with contextlib.suppress(OSError):
                    path.unlink()
            raise output_error(err, out) from None
        return files


def _remove_previous_run(out: Path) -> None:
    """Remove an older run's report.json and the files it lists from `out`: only plain names
    inside `out` (no separators, not hidden), whatever the old report says."""
    old = out / REPORT_JSON
    try:
        listed = json.loads(old.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        listed = []
    names = listed if isinstance(listed, list) else []
    for name in names:
        if isinstance(name, str) and name == safe_name(name) and not name.startswith("."):
            with contextlib.suppress(OSError):
                (out / name).unlink()
    with contextlib.suppress(FileNotFoundError):
        old.unlink()


@dataclass(frozen=True)
class AnalysisResult(Analysis):
    """What `analyze_video` produced: the Analysis, the folder it was saved to and its files.

    timings_s also holds "write" (seconds spent saving). extra_interrupts: Ctrl-C presses held
    (not acted on) while the results of an interrupted run were computed and written.
    """

    out_dir: Path = Path()
    files: dict[str, Path] = field(default_factory=dict)
    extra_interrupts: int = 0


def analyze(
    video: str | Path,
    *,
    config: Config | str | Path | None = None,
    exercise: str = "auto",
    model: str | Path | None = None,
    decoder: str = "auto",
    progress: bool = False,
    estimators: Sequence[PoseEstimator] | None = None,
    pose_slot: AbstractContextManager | None = None,
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
            loading `config.pose.workers` new ones (run/batch.py makes a fresh set per clip).
        pose_slot: a context held while the pose model runs (run/batch: one of the machine's
            pose slots, run/pose_slots.py, so landmarkers never outnumber the cores), or None.

    Returns:
        An Analysis (track, metrics, findings, report, info, interrupted, decoding_stopped,
        timings_s). Ctrl-C does not raise once a frame is done: it ends the run early with
        `interrupted` set (a second Ctrl-C while the results are computed is held). Corrupt
        data or a cut-off file does not raise either once a frame decoded: `decoding_stopped`
        says why, and the report's status is incomplete.

    Raises:
        InputError: the video is missing, unreadable or not a video.
        ConfigError: the config file or a value in it cannot be used, or `exercise` is unknown.
        ModelError: the pose model is missing or invalid (fix: `valguscam models download`).
        PoseError: the pose model failed on a frame.
    """
    with SigintHold() as hold:
        return _analyze(
            video, _as_config(config), exercise, model, decoder, progress, hold, estimators,
            pose_slot,
        )  # fmt: skip


def _analyze(
    video: str | Path,
    cfg: Config,
    exercise: str,
    model: str | Path | None,
    decoder: str,
    progress: bool,
    hold: SigintHold,
    estimators: Sequence[PoseEstimator] | None = None,
    pose_slot: AbstractContextManager | None = None,
) -> Analysis:
    """`analyze` with the caller's SigintHold: held from the first Ctrl-C on."""
    state = RunState()
    with open_source(video, decoder=decoder) as source:  # a bad input is named before the model
        model_path = resolve_model(str(model) if model is not None else cfg.pose.model)
        info = source.info
        with pose_slot or contextlib.nullcontext():
            raw = estimate_track(
                source, model_path, cfg, progress, state, on_interrupt=hold.hold,
                estimators=estimators,
            )  # fmt: skip
    info = _with_count(info, raw)
    start = time.perf_counter()
    track, metrics, findings = post_process(raw, cfg, exercise)
    name = str(model) if model is not None else cfg.pose.model
    model_info = ModelInfo(name=name, path=str(model_path), sha256=sha256_file(model_path))
    report = build_report(info, model_info, cfg, track, metrics, state, findings)
    state.timings_s["post"] = time.perf_counter() - start
    return Analysis(
        track, metrics, findings, report, info,
        interrupted=state.stopped == STOP_INTERRUPTED, timings_s=dict(state.timings_s),
        decoding_stopped=state.stop_detail if state.stopped == STOP_DECODING else "",
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

    The CLI's function. Arguments and errors as for `analyze` (cfg: a Config); the output
    folder is checked before any work (OutputError if it cannot be written). After a first
    Ctrl-C, further presses are held until the files are written: result.extra_interrupts
    counts them.
    """
    dest = Path(out_dir) / _output_name(video)
    made = not dest.exists()
    prepare_output(dest)
    try:
        with SigintHold() as hold:
            analysis = _analyze(video, cfg, exercise, model, decoder, progress, hold)
            start = time.perf_counter()
            files = analysis.save(dest, stem=_output_name(video), trc=trc, mot=mot)
    except BaseException:
        if made:  # a run that wrote nothing leaves no empty folder behind
            with contextlib.suppress(OSError):
                dest.rmdir()
        raise
    timings = {**analysis.timings_s, "write": time.perf_counter() - start}
    kept = {f.name: getattr(analysis, f.name) for f in fields(Analysis)}
    return AnalysisResult(
        **{**kept, "timings_s": timings}, out_dir=dest, files=files,
        extra_interrupts=hold.presses,
    )  # fmt: skip


def _output_name(video: str | Path) -> str:
    """The output folder's name for `video`: its stem ("0" for webcam 0, a folder's name),
    made safe (safe_name: no separators, no "..", so it stays inside the output folder)."""
    path = Path(str(video))
    return safe_name(path.stem or path.resolve().name or "video")


def _with_count(info: VideoInfo, track: PoseTrack) -> VideoInfo:
    """VideoInfo with frame_count and duration from the frames actually decoded."""
    n = track.n_frames
    if n == info.frame_count:
        return info
    duration = float(track.t_s[-1]) + (1.0 / info.fps if info.fps else 0.0) if n else 0.0
    return replace(info, frame_count=n, duration_s=duration)
