"""Frozen dataclasses of numpy arrays shared by every stage.

Shapes use T = number of frames, 33 = MediaPipe landmarks. Missing data is NaN.
Pixel coordinates: origin top-left, x right, y down, in the upright (rotation-corrected) frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum

import numpy as np

from valguscam.landmarks import N_LANDMARKS

LANDMARK_ARRAYS: dict[str, tuple[int, ...]] = {
    "xy": (N_LANDMARKS, 2),
    "z": (N_LANDMARKS,),
    "visibility": (N_LANDMARKS,),
    "presence": (N_LANDMARKS,),
    "world": (N_LANDMARKS, 3),
}
"""The landmark arrays of one frame (a PoseSample) and their shapes; a PoseTrack has (T, ...)."""


@dataclass(frozen=True)
class VideoInfo:
    """What a frame source knows about its input.

    width/height are of the upright frame (after applying `rotation`), in pixels.
    fps is the average rate (frames / duration); variable-rate video keeps its own timestamps.
    rotation is the display rotation in degrees clockwise (0, 90, 180, 270) that was applied.
    """

    path: str
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    rotation: int = 0
    codec: str = ""
    kind: str = "video"  # "video", "webcam" or "images"


@dataclass(frozen=True)
class Frame:
    """One decoded frame: `rgb` is (H, W, 3) uint8 RGB, upright; `t_s` from the container."""

    index: int
    t_s: float
    rgb: np.ndarray


@dataclass(frozen=True)
class PoseTrack:
    """Landmarks of one person over a clip, one row per decoded frame (no dropped rows).

    t_s: (T,) seconds from the container's timestamps.
    xy: (T, 33, 2) pixels in the upright frame; NaN where no person or landmark treated missing.
    z: (T, 33) MediaPipe's relative depth, in units of image width (smaller = nearer).
    visibility, presence: (T, 33) scores in [0, 1]; NaN where no person.
    world: (T, 33, 3) metres, hip-centred, x right, y down, z away from the camera; NaN if none.
    width, height: frame size in pixels.
    """

    t_s: np.ndarray
    xy: np.ndarray
    z: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    width: int
    height: int

    def __post_init__(self) -> None:
        n = len(self.t_s)
        for name, frame_shape in LANDMARK_ARRAYS.items():
            got, shape = getattr(self, name).shape, (n, *frame_shape)
            if got != shape:
                raise ValueError(f"PoseTrack.{name} has shape {got}, expected {shape}")

    @property
    def n_frames(self) -> int:
        return len(self.t_s)

    @property
    def has_pose(self) -> np.ndarray:
        """(T,) bool: a person was detected in the frame."""
        return ~np.isnan(self.visibility).all(axis=1)

    @classmethod
    def empty(cls, t_s: np.ndarray, width: int, height: int) -> PoseTrack:
        """A track of T frames with no person in any of them (all NaN)."""
        n = len(t_s)
        arrays = {k: np.full((n, *shape), np.nan) for k, shape in LANDMARK_ARRAYS.items()}
        return cls(t_s=np.asarray(t_s, dtype=float), width=width, height=height, **arrays)

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """t_s and the landmark arrays by name (no copies), e.g. for np.savez."""
        return {"t_s": self.t_s} | {k: getattr(self, k) for k in LANDMARK_ARRAYS}

    def select(self, frames: slice | np.ndarray) -> PoseTrack:
        """The frames picked by `frames` (a slice, indices or a (T,) bool mask), times kept."""
        return replace(self, **{k: a[frames] for k, a in self.arrays.items()})

    def with_(self, **changes: object) -> PoseTrack:
        """A copy with some fields replaced."""
        return replace(self, **changes)


class KneePosition(IntEnum):
    """Where the knee is over the foot, medial to lateral (DESIGN.md section 3).

    INSIDE: medial of the big-toe line (the fault). BIG_TOE: on the big-toe line.
    TARGET: over the mid-outside of the foot (the coaching target). OUTSIDE: lateral of the foot.
    UNKNOWN: landmarks missing or not trusted.
    """

    UNKNOWN = -1
    INSIDE = 0
    BIG_TOE = 1
    TARGET = 2
    OUTSIDE = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class SideMetrics:
    """Per-frame knee metrics of one side. All arrays are (T,); NaN where not measurable.

    fppa_deg: frontal plane projection angle, + = valgus (knee medial of hip-ankle line).
    thigh_deg: thigh (hip->knee) angle to image vertical, + = knee medial of hip.
    shank_deg: shank (knee->ankle) angle to image vertical, + = knee medial of ankle.
    flexion_deg: knee flexion from world landmarks, 0 = straight.
    knee_foot: knee offset from the big-toe line in hip widths, + = medial (valgus direction).
    knee_position: KneePosition codes (int8); UNKNOWN (-1) unless the view is frontal, hip, knee,
        ankle and toe are seen and the knee is bent (its own validity: not limited by FPPA's
        flexion range, as knee-over-toe positions are not foreshortened).
    thigh_ratio: 2D thigh length / standing thigh length (foreshortening, 1 = none).
    valid: frontal-plane numbers trusted in this frame (visibility, view, flexion, foreshortening).
    """

    fppa_deg: np.ndarray
    thigh_deg: np.ndarray
    shank_deg: np.ndarray
    flexion_deg: np.ndarray
    knee_foot: np.ndarray
    knee_position: np.ndarray
    thigh_ratio: np.ndarray
    valid: np.ndarray


class Exercise(StrEnum):
    """The exercise of a clip; it decides which leg is judged (DESIGN.md section 3)."""

    BILATERAL_SQUAT = "bilateral_squat"
    SPLIT_SQUAT = "split_squat"
    LATERAL_LUNGE = "lateral_lunge"
    SINGLE_LEG_SQUAT = "single_leg_squat"
    UNKNOWN = "unknown"


class View(StrEnum):
    """Where the camera sees the subject from (movement/view.py)."""

    FRONTAL = "frontal"
    OBLIQUE = "oblique"
    SAGITTAL = "sagittal"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    """A side's or a rep's verdict."""

    OK = "ok"
    VALGUS = "valgus"
    VARUS = "varus"
    NOT_ASSESSABLE = "not_assessable"


class BaselineSource(StrEnum):
    """Where a standing baseline came from (body/baseline.py).

    STILL: frames standing still with straight legs (the reliable case). MOVING: standing-height
    frames while the leg moved (no still stretch long enough): unreliable. GIVEN: the stretch
    the user named. NONE: no baseline.
    """

    STILL = "still"
    MOVING = "moving"
    GIVEN = "given"
    NONE = "none"


@dataclass(frozen=True)
class Baseline:
    """Standing alignment of one side (median FPPA over the baseline frames), degrees.

    fppa_deg: NaN when there is none. structural: a reliable |fppa_deg| beyond the configured
    structural limit (bony alignment, "see a professional", not a movement fault).
    spread_deg: interquartile range of FPPA over the baseline frames. duration_s: the time they
    cover. reliable: still frames (or the user's stretch) with a spread within the limit.
    thigh_px: the standing 2D thigh length, pixels.
    """

    fppa_deg: float
    n_frames: int
    structural: bool = False
    thigh_px: float = float("nan")
    spread_deg: float = float("nan")
    duration_s: float = 0.0
    source: BaselineSource = BaselineSource.NONE
    reliable: bool = False


@dataclass(frozen=True)
class KneeMetrics:
    """Per-frame metrics of both sides plus bilateral measures. Arrays are (T,).

    kasr: knee-to-ankle separation ratio (knee gap / ankle gap), < 1 = knees closer than ankles.
    knee_hip_ratio: knee separation / hip separation (Noyes screen).
    yaw_deg: estimated camera-to-body yaw from world landmarks, 0 = frontal, 90 = side view.
    depth: pelvis depth (body/measures.py), fraction of the standing hip height (0 = standing).
    hip_width_px: 2D hip width per frame of the track the metrics were computed on, pixels: the
        width knee_foot is divided by (converts knee_foot to other units).
    swapped: (T,) bool, frames whose leg labels MediaPipe had exchanged and that were swapped
    back before any metric (body/legswap.py); None when no repair ran.
    dynamic_fppa_deg per side = fppa_deg - baseline.fppa_deg (see `dynamic`).
    """

    t_s: np.ndarray
    left: SideMetrics
    right: SideMetrics
    kasr: np.ndarray
    knee_hip_ratio: np.ndarray
    yaw_deg: np.ndarray
    depth: np.ndarray
    baseline: dict[str, Baseline] = field(default_factory=dict)
    hip_width_px: np.ndarray | None = None
    swapped: np.ndarray | None = None

    def side(self, name: str) -> SideMetrics:
        return self.left if name == "left" else self.right

    def dynamic(self, name: str) -> np.ndarray:
        """(T,) FPPA change from the standing baseline of side `name`, degrees (+ = more valgus)."""
        base = self.baseline.get(name)
        offset = base.fppa_deg if base is not None else np.nan
        return self.side(name).fppa_deg - offset


@dataclass(frozen=True)
class Rep:
    """One complete repetition. Times in seconds (container time), indices into the track.

    lead_side: the judged leg ("left"/"right") for split squats/lunges (front leg), lateral
    lunges (bent working leg) and single-leg squats (stance leg); None for bilateral squats.
    """

    index: int
    i_start: int
    i_bottom: int
    i_end: int
    start_s: float
    bottom_s: float
    end_s: float
    lead_side: str | None = None
    depth: float = float("nan")


@dataclass(frozen=True)
class ValgusEvent:
    """One knee-collapse event on one side. Angles in degrees (FPPA + = valgus).

    peak_fppa_deg is absolute; peak_dynamic_fppa_deg is relative to the standing baseline.
    knee_position: KneePosition label at the peak ("inside", "big_toe", ...) or None.
    severity: "mild" | "moderate" | "severe". rep: Rep.index or None outside reps.
    measure: what found it: "fppa" (dynamic FPPA on valid frames) or "knee_over_foot" (the
    knee's medial travel over the foot at depth, assessment/depth.py); peak_excursion_tl: that
    travel at the peak, standing thigh lengths, + = medial (NaN for FPPA events).
    """

    side: str
    start_s: float
    peak_s: float
    end_s: float
    i_start: int
    i_peak: int
    i_end: int
    peak_fppa_deg: float
    peak_dynamic_fppa_deg: float
    knee_position: str | None
    severity: str
    rep: int | None = None
    measure: str = "fppa"
    peak_excursion_tl: float = float("nan")
