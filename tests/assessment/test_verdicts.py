"""Knee-collapse events, severity, rep and side verdicts, asymmetry and advice on synthetic squats.

Sessions: 1 s standing, 3 squats of 2 s (bottom at 2, 4, 6 s), 1 s standing, 30 fps unless VFR.
Medial knee excursions are given in metres at each bottom (60 deg flexion: 6 cm ~ 17 deg FPPA).
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from synthetic_events import (
    add_noise,
    deep_squat_artefact,
    drop_frames,
    session,
)

from valguscam.assessment.advice import SAFETY_LINE, AdviceItem, AdviceKind, advice_for
from valguscam.assessment.events import detect_events, severity
from valguscam.assessment.verdicts import assess, summarize_side
from valguscam.body.knee import compute_metrics
from valguscam.body.smoothing import clean_track
from valguscam.config import Config, EventsConfig
from valguscam.errors import ConfigError
from valguscam.landmarks import Side
from valguscam.types import Baseline, KneeMetrics

CFG = Config()
EV = CFG.events


def metrics_of(track) -> KneeMetrics:
    return compute_metrics(track, track.visibility, CFG)


def frame_s(t: np.ndarray) -> float:
    return float(np.median(np.diff(t)))


def assert_one_event_per_rep_at_the_bottom(events, reps, t, tol_s=None):
    """One event per rep, peak within 2 frames of the bottom (or tol_s), spanning the bottom."""
    tol_s = 2 * frame_s(t) if tol_s is None else tol_s
    assert [e.rep for e in events] == [r.index for r in reps]
    for e, r in zip(events, reps, strict=True):
        assert abs(e.peak_s - r.bottom_s) <= tol_s + 1e-9
        assert e.start_s < r.bottom_s < e.end_s
        assert e.i_start <= e.i_peak <= e.i_end


def test_left_knee_collapse_gives_one_event_per_rep_and_none_on_the_right():
    track, reps, _ = session(medial_m={Side.LEFT: 0.06})
    m = metrics_of(track)
    left = detect_events(m, "left", reps, EV)
    assert_one_event_per_rep_at_the_bottom(left, reps, m.t_s)
    assert detect_events(m, "right", reps, EV) == []
    for e in left:
        assert e.side == "left" and e.knee_position == "inside"
        assert e.peak_dynamic_fppa_deg == pytest.approx(17.4, abs=0.5)
        assert e.severity == "severe"  # into the patellofemoral-pain range (>= 16.8)
    assert detect_events(m, "left", reps, EV, direction="varus") == []


def test_variable_frame_rate_keeps_events_on_the_bottoms():
    track, reps, _ = session(medial_m={Side.LEFT: 0.06}, vfr=True)
    m = metrics_of(track)
    assert np.ptp(np.diff(m.t_s)) > 0.01  # really variable
    assert_one_event_per_rep_at_the_bottom(detect_events(m, "left", reps, EV), reps, m.t_s)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("smooth", "sd_px"), [(False, 1.5), (True, 3.0)])
def test_noise_and_short_dropouts_neither_create_nor_split_events(seed, smooth, sd_px):
    # 1.5 px raw ~ 1.2 deg FPPA noise; 3 px ~ 2.5 deg (the SEM of 2D FPPA), then smoothed
    track, reps, _ = session(medial_m={Side.LEFT: 0.06})
    b = reps[1].i_bottom
    noisy = add_noise(track, sd_px=sd_px, seed=seed)
    noisy = drop_frames(noisy, np.r_[b - 1 : b + 3, 10:14, reps[2].i_bottom - 12])
    cleaned = clean_track(noisy, CFG.smoothing) if smooth else noisy  # as the pipeline does
    m = compute_metrics(cleaned, noisy.visibility, CFG)
    assert not m.left.valid[b]
    left = detect_events(m, "left", reps, EV)
    # the FPPA curve is flat near the bottom: noise moves its maximum by a few frames
    assert_one_event_per_rep_at_the_bottom(left, reps, m.t_s, tol_s=EV.bottom_window_s)
    assert detect_events(m, "right", reps, EV) == []


@pytest.mark.parametrize("seed", [3, 4])
def test_clean_symmetric_squat_has_no_events_and_ok_verdicts(seed):
    track, reps, _ = session()
    m = metrics_of(add_noise(track, sd_px=1.5, seed=seed))
    result = assess(m, reps, "frontal", "bilateral_squat", EV)
    assert result.events == () and result.varus_events == ()
    assert {s.verdict for s in result.sides.values()} == {"ok"}
    assert {r.verdict for r in result.reps} == {"ok"}
    assert not result.asymmetry.exceeds_sdd
    advice = advice_for(result)
    assert [a.kind for a in advice] == ["keep", "safety"]
    assert "keep doing this" in advice[0].text.lower()


def test_change_within_the_measurement_error_is_not_an_event():
    track, reps, _ = session(medial_m={Side.LEFT: 0.02})  # ~6 deg < SDD
    m = metrics_of(track)
    assert 4.0 < np.nanmax(m.dynamic("left")) < EV.enter_deg
    assert detect_events(m, "left", reps, EV) == []


def test_deep_front_squat_with_knees_pushed_out_is_not_valgus_or_varus():
    # knees travelling 40 px (0.22 thigh lengths) out over the feet at the bottom: the 2D angle
    # swings strongly negative, the knee lands outside the foot line: the coaching goal
    track, reps, flex = session(depth_deg=120.0)
    m = metrics_of(deep_squat_artefact(track, flex, 40.0))
    deep = flex > 100
    assert np.nanmax(np.abs(m.left.fppa_deg[deep])) > 20  # the 2D angle swings at the bottom
    result = assess(m, reps, "frontal", "bilateral_squat", EV)
    assert result.events == () and result.varus_events == ()
    for side in result.sides.values():
        assert side.verdict == "ok"
        assert side.max_severity is None
    for row in result.reps:
        assert not row.bottom_assessable
        assert "not assessable at the bottom" in row.bottom_note
        assert "deep flexion" in row.bottom_note
        assert row.bottom_dynamic_fppa_deg is None  # no true bottom: only the near-bottom mean
        assert row.near_bottom_dynamic_fppa_deg == pytest.approx(0.0, abs=1.0)
    for side in result.sides.values():
        assert side.bottom_fppa_deg is None and side.near_bottom_fppa_deg is not None


def test_deep_squat_collapse_on_descent_and_ascent_is_one_event_per_rep():
    track, reps, flex = session(depth_deg=120.0, medial_m={Side.RIGHT: 0.07})
    m = metrics_of(track)
    assert not m.right.valid[reps[0].i_bottom]
    right = detect_events(m, "right", reps, EV)
    assert [e.rep for e in right] == [0, 1, 2]
    no_bridge = dataclasses.replace(EV, bridge_within_rep=False)
    assert len(detect_events(m, "right", reps, no_bridge)) == 6  # descent and ascent apart


def test_severity_bands():
    assert severity(8.1, EV) == "mild"
    assert severity(13.49, EV) == "mild"
    assert severity(13.5, EV) == "moderate"
    assert severity(16.8, EV) == "severe"
    track, reps, _ = session(medial_m={Side.LEFT: [0.038, 0.052, 0.07]})  # ~11, 15, 20 deg
    events = detect_events(metrics_of(track), "left", reps, EV)
    assert [e.severity for e in events] == ["mild", "moderate", "severe"]
    result = assess(metrics_of(track), reps, "frontal", "bilateral_squat", EV)
    assert result.sides["left"].max_severity == "severe"
    assert [r.severity for r in result.reps if r.side == "left"] == ["mild", "moderate", "severe"]


def test_rep_and_side_summaries_of_a_left_collapse():
    track, reps, _ = session(medial_m={Side.LEFT: 0.06})
    result = assess(metrics_of(track), reps, "frontal", "bilateral_squat", EV)
    left, right = result.sides["left"], result.sides["right"]
    assert (left.verdict, right.verdict) == ("valgus", "ok")
    assert left.events == 3 and right.events == 0 and left.judged_reps == 3
    assert left.rep_verdicts["valgus"] == 3
    assert left.peak_dynamic_fppa_deg == pytest.approx(17.4, abs=0.5)
    rows = [r for r in result.reps if r.side == "left"]
    for row, rep in zip(rows, reps, strict=True):
        assert row.verdict == "valgus" and row.events == 1 and row.bottom_assessable
        assert row.peak_time_s == pytest.approx(rep.bottom_s, abs=0.07)
        assert 14.0 < row.bottom_dynamic_fppa_deg <= row.peak_dynamic_fppa_deg
        assert row.knee_position_share["inside"] > 0.5
        assert sum(row.knee_position_share.values()) == pytest.approx(1.0, abs=0.01)
    assert result.asymmetry.exceeds_sdd and result.asymmetry.more_valgus_side == "left"
    assert result.asymmetry.peak_diff_deg == pytest.approx(17.4, abs=0.5)
    json.dumps(result.to_dict(), allow_nan=False)


def test_small_asymmetry_is_not_flagged():
    track, reps, _ = session(medial_m={Side.LEFT: 0.06, Side.RIGHT: 0.05})
    result = assess(metrics_of(track), reps, "frontal", "bilateral_squat", EV)
    assert {s.verdict for s in result.sides.values()} == {"valgus"}
    assert 0 < result.asymmetry.peak_diff_deg < EV.asymmetry_deg
    assert not result.asymmetry.exceeds_sdd


@pytest.mark.parametrize("view", ["sagittal", "unknown"])
def test_side_or_unknown_view_is_not_assessable(view):
    track, reps, _ = session(medial_m={Side.LEFT: 0.06})
    result = assess(metrics_of(track), reps, view, "bilateral_squat", EV)
    assert {s.verdict for s in result.sides.values()} == {"not_assessable"}
    assert {r.verdict for r in result.reps} == {"not_assessable"}
    assert all("front" in s.reason for s in result.sides.values())
    assert result.events == () and not result.asymmetry.assessable
    assert all(s.events == 0 and s.max_severity is None for s in result.sides.values())
    kinds = [a.kind for a in advice_for(result)]
    assert kinds == ["note", "safety"]


def test_oblique_view_gets_verdicts_and_a_warning():
    track, reps, _ = session(medial_m={Side.LEFT: 0.06})
    result = assess(metrics_of(track), reps, "oblique", "bilateral_squat", EV)
    assert result.sides["left"].verdict == "valgus"
    assert any("oblique" in w for w in result.warnings)


def test_only_the_lead_leg_is_judged_in_a_split_squat():
    # the trailing right knee "collapses" (e.g. the back knee drops inward): not judged
    track, reps, _ = session(medial_m={Side.RIGHT: 0.06}, lead_side="left")
    result = assess(metrics_of(track), reps, "frontal", "split_squat", EV)
    assert result.sides["left"].verdict == "ok"
    right = result.sides["right"]
    assert right.verdict == "not_assessable" and "trailing leg" in right.reason
    for row in result.reps:
        if row.side == "right":
            assert row.verdict == "not_assessable" and row.reason == "trailing leg: not judged"
            assert not row.judged
    assert result.events == ()  # trailing-leg readings are not findings
    assert not result.asymmetry.assessable


def test_alternating_lead_legs_judge_each_side_in_its_own_reps():
    leads = ["left", "right", "left"]
    track, reps, _ = session(medial_m={Side.RIGHT: 0.06}, lead_side=leads)
    result = assess(metrics_of(track), reps, "frontal", "split_squat", EV)
    assert result.sides["right"].verdict == "valgus"
    assert result.sides["right"].judged_reps == 1 and result.sides["right"].events == 1
    assert result.sides["left"].verdict == "ok" and result.sides["left"].judged_reps == 2
    assert [(e.side, e.rep) for e in result.events] == [("right", 1)]


def test_unknown_lead_leg_of_a_one_leg_exercise_is_not_judged():
    track, reps, _ = session(medial_m={Side.LEFT: 0.06})
    result = assess(metrics_of(track), reps, "frontal", "single_leg_squat", EV)
    assert {s.verdict for s in result.sides.values()} == {"not_assessable"}


def test_no_baseline_falls_back_to_absolute_fppa_and_says_so():
    track, reps, _ = session(medial_m={Side.LEFT: [0.06, 0.034, 0.06]})  # 17, ~10, 17 deg
    m = metrics_of(track)
    m = dataclasses.replace(
        m, baseline={"left": Baseline(float("nan"), 0), **{"right": m.baseline["right"]}}
    )
    events = detect_events(m, "left", reps, EV)
    assert [e.rep for e in events] == [0, 2]  # 10 deg < 8 + 3 deg margin
    assert all(np.isnan(e.peak_dynamic_fppa_deg) and e.peak_fppa_deg > 16 for e in events)
    result = assess(m, reps, "frontal", "bilateral_squat", EV)
    left = result.sides["left"]
    assert left.reference == "absolute" and left.verdict == "valgus"
    assert any("no standing baseline" in n for n in left.notes)
    assert result.asymmetry.reference == "absolute"
    json.dumps(result.to_dict(), allow_nan=False)


def test_structural_alignment_is_referred_not_coached():
    track, reps, flex = session()
    medial = np.full(len(track.t_s), 0.09)  # the right knee sits medial all the time
    from synthetic import squat_track

    m = metrics_of(squat_track(track.t_s, flex, {Side.RIGHT: medial}))
    assert m.baseline["right"].structural
    result = assess(m, reps, "frontal", "bilateral_squat", EV)
    right = result.sides["right"]
    assert right.verdict == "ok" and right.structural
    assert "structural alignment, see a professional" in right.structural_note
    advice = advice_for(result)
    kinds = [a.kind for a in advice]
    assert "professional" in kinds and "exercise" not in kinds
    assert next(a for a in advice if a.kind == "professional").side == "right"


def test_varus_needs_the_knee_outside_the_foot():
    # knees pushed out 6 cm: negative FPPA (~ -17 deg) but still over the foot: coaching goal
    track, reps, _ = session(medial_m={Side.LEFT: -0.06})
    m = metrics_of(track)
    assert np.nanmin(m.dynamic("left")) < -EV.enter_deg
    assert detect_events(m, "left", reps, EV, direction="varus") == []
    assert assess(m, reps, "frontal", "bilateral_squat", EV).sides["left"].verdict == "ok"
    loose = dataclasses.replace(EV, varus_needs_outside=False)
    assert len(detect_events(m, "left", reps, loose, direction="varus")) == 3
    # 10 cm out: the knee passes the foot's lateral border
    track, reps, _ = session(medial_m={Side.LEFT: -0.10})
    result = assess(metrics_of(track), reps, "frontal", "bilateral_squat", EV)
    assert result.sides["left"].verdict == "varus" and result.sides["left"].varus_events == 3
    assert all(e.peak_fppa_deg < -EV.enter_deg for e in result.varus_events)
    advice = advice_for(result)
    assert [a.kind for a in advice] == ["cue", "safety"]


def test_knee_position_rules():
    track, reps, _ = session(medial_m={Side.LEFT: 0.06})
    m = metrics_of(track)
    both = dataclasses.replace(EV, knee_position_rule="and")
    assert len(detect_events(m, "left", reps, both)) == 3  # the knee went inside too
    either = dataclasses.replace(EV, knee_position_rule="or")
    assert len(detect_events(m, "left", reps, either)) == 3
    with pytest.raises(ConfigError, match="knee_position_rule"):
        detect_events(m, "left", reps, dataclasses.replace(EV, knee_position_rule="maybe"))


def test_advice_for_valgus_names_the_side_the_cues_and_glute_medius_work():
    track, reps, _ = session(medial_m={Side.LEFT: 0.06})
    advice = advice_for(assess(metrics_of(track), reps, "frontal", "bilateral_squat", EV))
    texts = [a.text for a in advice]
    assert "Knee over the mid-outside of your foot." in texts
    assert "Screw your hips into the ground." in texts
    for name in ("Clamshells", "Side-lying runner", "Glute bridge", "Terminal knee extensions"):
        assert name in texts
    assert all(a.side == "left" for a in advice if a.kind in ("cue", "exercise"))
    assert all(a.why for a in advice)
    assert advice[-1] == AdviceItem(
        AdviceKind.SAFETY, SAFETY_LINE, None, "an app cannot examine a knee"
    )
    assert "keep" not in [a.kind for a in advice]


def test_advice_always_ends_with_the_safety_line():
    track, reps, _ = session()
    m = metrics_of(track)
    for view in ("frontal", "oblique", "sagittal", "unknown"):
        advice = advice_for(assess(m, reps, view, "bilateral_squat", EV))
        assert advice[-1].text == SAFETY_LINE
    assert "physical therapist or doctor" in SAFETY_LINE


def test_summarize_side_keeps_its_keys():
    track, _, _ = session(medial_m={Side.LEFT: 0.06})
    keys = set(summarize_side(metrics_of(track), "left").to_dict())
    assert {"assessable", "peak_fppa_deg", "peak_dynamic_fppa_deg", "knee_position_share"} <= keys


def test_events_config_is_in_the_config_with_literature_defaults():
    ev = Config().events
    assert isinstance(ev, EventsConfig)
    assert 7.5 <= ev.enter_deg <= 8.9  # the SDD (Munro et al. 2012)
    assert ev.moderate_deg == pytest.approx(8.4 + 5.1)  # healthy mean + 1 SD (Herrington 2014)
    assert ev.severe_deg == pytest.approx(16.8)  # patellofemoral pain mean
    assert ev.exit_deg < ev.enter_deg
