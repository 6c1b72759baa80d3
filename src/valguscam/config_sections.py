"""The sections of valguscam's configuration: one frozen dataclass per stage, each value
documented with its unit and where its default comes from. `config.py` assembles them into the
one `Config`, loads TOML and overrides; every stage receives the section it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from valguscam.config_ranges import (
    BASELINE_ORDERS,
    BASELINE_RANGES,
    DEPTH_ORDERS,
    DEPTH_RANGES,
    EVENTS_ORDERS,
    EVENTS_RANGES,
    KNEE_FOOT_RANGES,
    MOVEMENT_ORDERS,
    MOVEMENT_RANGES,
    POSE_RANGES,
    SMOOTHING_RANGES,
    VALIDITY_RANGES,
    ranged,
)
from valguscam.errors import ConfigError


@dataclass(frozen=True)
@ranged("pose", POSE_RANGES)
class PoseConfig:
    """MediaPipe Pose Landmarker options. model: registry name (lite/full/heavy) or a path.

    workers: landmarkers run in parallel for file analysis, each on every workers-th frame
    (one per core, capped at the cores this process may use). 1 = a single landmarker on every
    frame, the reference; 2 stays within the tolerance in docs/performance.md.
    """

    model: str = "full"
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    workers: int = 2

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ConfigError(f"pose.workers is {self.workers}; set it to 1 or more")


@dataclass(frozen=True)
@ranged("smoothing", SMOOTHING_RANGES)
class SmoothingConfig:
    """Track clean-up.

    min_visibility: landmarks scored below this are treated as missing (MediaPipe's own
    drawing threshold is 0.5). max_gap_s: gaps up to this long are filled by interpolation.
    cutoff_hz: zero-phase Butterworth low-pass for offline use; 6 Hz is the usual cut-off for
    human-movement kinematics (Winter, Biomechanics and Motor Control of Human Movement).
    one_euro_*: One Euro filter for live use (Casiez et al. 2012).
    """

    min_visibility: float = 0.5
    max_gap_s: float = 0.25
    cutoff_hz: float = 6.0
    filter_order: int = 2
    one_euro_min_cutoff_hz: float = 1.5
    one_euro_beta: float = 0.05
    one_euro_d_cutoff_hz: float = 1.0


@dataclass(frozen=True)
@ranged("validity", VALIDITY_RANGES)
class ValidityConfig:
    """Where frontal-plane (FPPA, knee-over-foot) numbers are trusted.

    max_yaw_deg: body turned at most this far from facing the camera. 2D FPPA error grows with
    camera yaw; beyond ~30 deg it is no longer a frontal-plane measure.
    max_flexion_deg: FPPA studies measure at 45-70 deg knee flexion (single-leg squat, landing;
    Munro et al. 2012, Herrington 2014); deeper, the thigh foreshortens and the 2D angle swings.
    min_thigh_ratio: 2D thigh length at least this fraction of its standing length
    (0.7 = thigh tilted about 45 deg toward the camera).
    min_visibility: hip, knee and ankle visibility needed.
    """

    max_yaw_deg: float = 30.0
    max_flexion_deg: float = 70.0
    min_thigh_ratio: float = 0.7
    min_visibility: float = 0.5


@dataclass(frozen=True)
@ranged("baseline", BASELINE_RANGES, BASELINE_ORDERS)
class BaselineConfig:
    """Standing baseline per side: median FPPA over upright frames.

    max_depth: a frame counts as standing while the pelvis depth (body/measures.py: fraction of
    the standing hip height) is at most this. Upright is judged from the 2D pelvis height, not
    from MediaPipe's 3D knee flexion, which reads 15-40 deg on straight legs.
    max_speed: standing STILL = hip, knee and ankle slower than this, leg lengths per second
    (a squat's descent moves the hip at 0.5-1 leg lengths/s; filtered landmark jitter of a
    person standing still stays under 0.1). min_duration_s: still frames must cover at least
    this long, else the baseline falls back to moving standing frames and is unreliable.
    min_frames: fewer standing frames than this leaves the baseline unknown.
    max_spread_deg: a baseline whose FPPA interquartile range exceeds this is unreliable:
    1.96 x the SEM of 2D FPPA (2.7 deg, Munro et al. 2012).
    start_s, end_s: take the baseline from this stretch of the clip instead (seconds; nan =
    search for it; the CLI's --baseline START-END).
    left_fppa_deg, right_fppa_deg: a standing FPPA measured elsewhere (degrees; nan = measure
    it in this clip; the CLI's --baseline-clip FILE fills them from a standing clip).
    structural_fppa_deg: |standing FPPA| beyond this is reported as structural alignment
    (genu valgum/varum), not a movement fault. Normal mechanical axis is within about +/-3 deg
    (Moreland et al. 1987); 2D landmark FPPA has an SDD of 7.5-8.9 deg (Munro et al. 2012),
    so the default flags 3 + 7.5 ~= 10 deg.
    """

    max_depth: float = 0.03
    min_frames: int = 5
    structural_fppa_deg: float = 10.0
    max_speed: float = 0.2
    min_duration_s: float = 0.5
    max_spread_deg: float = 5.3
    start_s: float = float("nan")
    end_s: float = float("nan")
    left_fppa_deg: float = float("nan")
    right_fppa_deg: float = float("nan")


@dataclass(frozen=True)
@ranged("knee_foot", KNEE_FOOT_RANGES)
class KneeFootConfig:
    """Knee position over the foot (DESIGN.md section 3), in foot widths from foot_index.

    MediaPipe's foot_index sits near the second toe; u = the knee's lateral offset from it in
    foot widths. Anatomy (adult foot): the big toe is centred about a quarter of the foot's
    width medial of the second toe and the lateral border about three quarters lateral of it.
    foot_breadth_shank_ratio: foot breadth / shank (knee-ankle) length: 0.055 H / 0.246 H in
    Drillis & Contini's segment proportions (Winter's anthropometric table), so the foot's
    width in pixels is estimated from the standing 2D shank length, free of camera distance.
    (MediaPipe's world heel->foot_index is about half a real foot, so it is not used.)
    big_toe_offset_fw, big_toe_half_width_fw: the big-toe band is offset +/- half
    (default u in [-0.5, 0)): medial of it = "inside", lateral of it = "target".
    lateral_edge_fw: lateral border of the foot; beyond it the knee is "outside".
    min_depth: the knee is placed over the foot only once the pelvis has dropped this far (leg
    lengths) below standing; standing, a knee sits between hip and ankle by build (a wide
    stance puts it inside the toes), and the coaching cue is about where the knee travels as
    the person goes down.
    cue_medial_share: a side judged ok still gets the "knee over the mid-outside of your foot"
    cue when its knee sat on the big-toe line or inside it for at least this share of the
    bent-knee frames (0.5 = most of the time; a coaching choice, not from the literature).
    These are coaching geometry, not clinical thresholds.
    """

    foot_breadth_shank_ratio: float = 0.224
    big_toe_offset_fw: float = 0.25
    big_toe_half_width_fw: float = 0.25
    lateral_edge_fw: float = 0.75
    min_depth: float = 0.05
    cue_medial_share: float = 0.5


@dataclass(frozen=True)
@ranged("events", EVENTS_RANGES, EVENTS_ORDERS)
class EventsConfig:
    """Knee-collapse events, severity and verdicts (valgus.py, events.py). Angles in degrees.

    Events are judged on the DYNAMIC FPPA (FPPA minus the standing baseline), so a bony standing
    alignment is not counted as a movement fault. Literature behind the defaults:
    2D FPPA has a measurement error (SEM) of 2.7-3.0 deg and a smallest detectable difference
    (SDD) of 7.5-8.9 deg (Munro et al. 2012); single-leg squat FPPA is 8.4 +/- 5.1 deg in
    healthy people and 16.8 +/- 5.4 deg in patellofemoral pain (Herrington 2014); drop-jump
    norms are 3-8 deg for men and 7-13 deg for women (Herrington & Munro 2010).
    enter_deg: an event starts when the dynamic FPPA rises above this: 8 deg, the SDD (7.5-8.9),
    so a change the method cannot tell from its own error is never an event. This is also the
    "mild" band: detectable, but within healthy single-leg squat values (8.4 +/- 5.1).
    exit_deg: the event ends when it falls below this: enter minus one SEM (8 - 3 = 5), so
    frame-to-frame noise at the size of the measurement error neither ends nor restarts it.
    moderate_deg: healthy single-leg squat mean + 1 SD (8.4 + 5.1 = 13.5), also just above the
    highest drop-jump norm (13 deg, women): beyond what most healthy people show.
    severe_deg: the patellofemoral-pain group mean (16.8): into the range of symptomatic knees.
    The bands come from single-leg tasks and are applied to every exercise; a bilateral squat
    normally shows less FPPA, so they are lenient there rather than alarmist.
    absolute_margin_deg: with no standing baseline the absolute FPPA is judged instead, and
    enter/exit rise by this much: normal standing alignment is within about +/-3 deg
    (Moreland et al. 1987). Severity bands are absolute values in the studies and stay as set.
    min_duration_s: an event lasts at least this long (frames x frame interval), and a dip below
    exit_deg shorter than this does not end it (debounce). Not from the literature: pose jitter
    spans 1-2 frames; a knee collapse in a rep lasts far longer.
    max_gap_s: invalid or missing frames spanning at most this long do not split an event (the
    same 0.25 s that smoothing fills). bridge_within_rep: a longer gap inside one rep (the
    deep bottom, where FPPA is not valid) does not split it either.
    knee_position_rule: "fppa" = events from FPPA alone (the knee position at the peak is
    reported); "and" = an FPPA event counts only if the knee also reached big_toe/inside;
    "or" = the knee reaching big_toe/inside also starts or extends an event (also where FPPA is
    not valid, e.g. deep flexion). varus_needs_outside: varus events (FPPA below -enter_deg)
    count only if the knee is also OUTSIDE the foot: in a wide-stance squat with turned-out toes,
    knees tracking out over the toes read negative FPPA and are often the coaching goal.
    bottom_window_s: the "at the bottom" mean uses valid frames within +/- this of the bottom.
    min_valid_frames / min_rep_valid_frames: fewer valid frames of a side in the judged part of
    the clip / in a rep make it not assessable.
    asymmetry_deg: left-right differences beyond this (the SDD) are flagged.
    """

    enter_deg: float = 8.0
    exit_deg: float = 5.0
    moderate_deg: float = 13.5
    severe_deg: float = 16.8
    absolute_margin_deg: float = 3.0
    min_duration_s: float = 0.1
    max_gap_s: float = 0.25
    bridge_within_rep: bool = True
    knee_position_rule: str = "fppa"
    varus_needs_outside: bool = True
    bottom_window_s: float = 0.25
    min_valid_frames: int = 10
    min_rep_valid_frames: int = 5
    asymmetry_deg: float = 8.0


@dataclass(frozen=True)
@ranged("depth", DEPTH_RANGES, DEPTH_ORDERS)
class DepthConfig:
    """Knee collapse at depth: the knee's medial travel over the foot (assessment/depth.py).

    Unit: standing 2D thigh lengths, the unit of the landmark error. enter_tl: an event starts
    when the knee has travelled this far medially from its early-descent position: 0.10, the
    median knee-landmark error against human annotation (docs/validation.md) and the smallest
    detectable difference of the travel itself, 1.96 x sqrt(2) x its SEM of 0.034 (rep-to-rep
    SD pooled over the 17 reps of the two many-rep front-view clips, nowva/squats and
    rjsong/squat): a smaller travel cannot be told from measurement error. exit_tl: it ends
    below enter minus one SEM (0.10 - 0.034 ~ 0.07). early_frac: the reference is the rep's
    descent up to this share of its depth; deep_frac: "at depth" = at least this share (the
    movement's bottom_frac). min_reference_frames: fewer early frames leave the rep unmeasured.
    max_yaw_deg: only frames viewed from the front (the FPPA validity limit).
    asymmetry_sdd_tl: left minus right travel beyond this is reported as an asymmetry (not a
    verdict): 1.96 x sqrt(2) x 0.058, the rep-to-rep SEM of that difference on the same 17 reps.
    """

    enter_tl: float = 0.10
    exit_tl: float = 0.07
    early_frac: float = 0.35
    deep_frac: float = 0.7
    min_reference_frames: int = 3
    max_yaw_deg: float = 30.0
    asymmetry_sdd_tl: float = 0.16


@dataclass(frozen=True)
@ranged("movement", MOVEMENT_RANGES, MOVEMENT_ORDERS)
class MovementConfig:
    """Reps, exercise and camera view (movement.py, reps.py).

    Depth = pelvis drop: 1 - (hip height above the lower ankle) / (its standing value); 0 is
    standing tall (with thigh and shank tilted by a and b, depth = 1 - (cos a + cos b) / 2:
    about 0.3 at 90 deg of knee flexion, 0.5-0.7 in the deep squats of the shared clips).
    depth_cutoff_hz: zero-phase low-pass of the depth and knee flexion signals. A rep lasts
    1-4 s (< 1 Hz); 4 Hz removes pose jitter and moves the moment a rep leaves standing by
    under 2 frames at 30 fps (a zero-phase filter spreads an onset over ~1 / (2 cutoff)).
    max_gap_s: pose gaps up to this long are interpolated; a longer gap drops the rep under way.
    standing_window_s, standing_percentile: the standing height is this percentile of the hip
    height within +/- the window, so a person who steps toward or away from the camera keeps
    depth 0 when upright. 4 s is longer than a rep stays down (1-3 s, ~4 s for a heavy one);
    the 90th percentile is standing while at least a tenth of the window is spent upright.
    A rep leaves standing, goes deeper than the rep level and comes back to standing:
    standing = at most max(standing_depth, standing_frac x the rep's depth) (25 % of a 0.5-deep
    squat is ~40 deg of knee flexion; 0.05 is well above hip jitter of a few pixels); rep
    level = max(min_rep_depth, rep_depth_frac x reference), reference = the clip's deepest peak
    offline, the deepest rep so far live. Sets go to a consistent depth: the shallowest rep of
    a set in the shared clips reaches 78 % of its deepest, picking up a bottle or re-racking a
    bar dips 38-43 % as deep, and 0.5-0.7 count alike. min_rep_depth 0.1 ~ 50 deg of knee
    flexion, the shallow end of clinical single-leg squats (45-60 deg).
    min_rep_flexion_deg: some knee bends this much more at the rep's deepest than at its start
    (world landmarks; MediaPipe's 3D flexion is offset, 15-40 deg on straight legs, but its
    change follows the movement: +48 to +130 deg in the shared clips' reps, ~0 when a lifter
    walks back from the rack, which shrinks him in the image and reads as depth).
    min_rep_s / max_rep_s: shorter is jitter or a bounce (a jump squat takes ~0.8 s), longer
    is not one rep (a slow-tempo squat with a pause takes ~13 s).
    View: per frame, 2D hip and shoulder widths over the standing 2D leg length, divided by
    their front-on values (frontal_hip_ratio, frontal_shoulder_ratio; landmark spacings of
    about 0.1 H and 0.2 H against a 0.49 H leg in Winter's anthropometric table, 0.24-0.29 and
    0.39-0.51 on the shared front clips), give a 2D yaw = arccos(ratio), averaged with the
    world-landmark yaw (view_2d_weight on 2D: MediaPipe's depth is noisy). Median yaw below
    frontal_max_yaw_deg (the FPPA validity limit) is "frontal", from sagittal_min_yaw_deg
    (nearer side-on than face-on) "sagittal", between "oblique"; fewer than min_view_frames
    frames with a pose: "unknown".
    Exercise, per rep, from world landmarks in hip widths (hip landmark spacing), medians over
    the rep's bottom (frames at least bottom_frac of its depth): split squat / lunge when the
    ankles are split_min_hw apart front-to-back (a split stance is 3-4, squat stances stay
    under 1: 0.05-0.6 on the shared clips); lateral lunge when lateral_min_hw apart sideways (a
    lateral lunge is 4-5, the widest squat stance seen 2.4) with the pelvis lateral_min_shift
    of the stance width off-centre toward one foot (squats: under 0.05 from the front);
    single-leg squat when one foot's lowest point is single_leg_lift leg lengths above the
    other's in single_leg_frac of the rep's frames (MediaPipe puts a hidden foot up to 0.2
    high in side views). min_visibility: landmarks scored below this are ignored.
    """

    depth_cutoff_hz: float = 4.0
    max_gap_s: float = 0.5
    standing_window_s: float = 4.0
    standing_percentile: float = 90.0
    standing_depth: float = 0.05
    standing_frac: float = 0.25
    min_rep_depth: float = 0.1
    rep_depth_frac: float = 0.6
    min_rep_flexion_deg: float = 30.0
    min_rep_s: float = 0.4
    max_rep_s: float = 20.0
    frontal_hip_ratio: float = 0.25
    frontal_shoulder_ratio: float = 0.45
    view_2d_weight: float = 0.5
    frontal_max_yaw_deg: float = 30.0
    sagittal_min_yaw_deg: float = 45.0
    min_view_frames: int = 10
    bottom_frac: float = 0.7
    split_min_hw: float = 1.5
    lateral_min_hw: float = 3.0
    lateral_min_shift: float = 0.2
    single_leg_lift: float = 0.25
    single_leg_frac: float = 0.6
    min_visibility: float = 0.5
