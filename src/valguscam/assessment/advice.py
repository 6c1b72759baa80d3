"""What to work on: cues and corrective exercises for the faults found (DESIGN.md section 4).

`advice_for(assessment)` maps an `Assessment` (verdicts.py) to a list of `AdviceItem`s
(kind, text, side, why); kind is an AdviceKind, side "left" | "right" | "both" | None (the
whole clip). Advice is given only for a fault that
was found; a structural standing alignment is referred to a professional, not coached.
This is coaching information, not a diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from valguscam.assessment.asymmetry import Asymmetry
from valguscam.assessment.verdicts import Assessment, SideAssessment
from valguscam.types import Verdict


class AdviceKind(StrEnum):
    """What an advice item is."""

    CUE = "cue"  # say it to yourself during the rep
    EXERCISE = "exercise"  # what to train
    PROFESSIONAL = "professional"  # see a physical therapist or doctor
    NOTE = "note"  # what could not be judged, asymmetry
    KEEP = "keep"  # no fault found: keep doing this
    SAFETY = "safety"  # always, last


@dataclass(frozen=True)
class AdviceItem:
    """One piece of advice. side: "left" | "right" | "both" | None (the whole clip);
    why: the finding it answers (None when there is nothing to say)."""

    kind: AdviceKind
    text: str
    side: str | None
    why: str | None


SAFETY_LINE = (
    "Sharp pain, sudden swelling, locking, visible deformity or pain that persists for weeks "
    "need a physical therapist or doctor, not an app."
)
CUE_KNEE = "Knee over the mid-outside of your foot."
CUE_HIPS = "Screw your hips into the ground."
VALGUS_EXERCISES = (
    ("Clamshells", "strengthen the glute medius and hip external rotators that hold the knee out"),
    ("Side-lying runner", "glute medius and hip external rotation, in a running pattern"),
    ("Glute bridge", "glute strength for hip extension, so the hips drive the squat"),
    ("Terminal knee extensions", "wake up the VMO (inner quadriceps) that steadies the kneecap"),
    (
        "Kneeling hip-flexor stretch",
        "tight hip flexors make the glutes harder to use and let the thigh turn in",
    ),
    (
        "Calf, soleus and plantar mobility",
        "stiff ankles (limited dorsiflexion) make the knee cave in to find depth",
    ),
)


Sides = Mapping[str, SideAssessment]


def _item(kind: AdviceKind, text: str, side: str | None, why: str | None) -> AdviceItem:
    return AdviceItem(kind, text, side, why)


def _verdict(sides: Sides, side: str) -> Verdict:
    s = sides.get(side)
    return s.verdict if s is not None else Verdict.NOT_ASSESSABLE


def _sides_with(sides: Sides, verdict: Verdict) -> str | None:
    """ "left", "right", "both" or None: the sides with this verdict."""
    found = [s for s in ("left", "right") if s in sides and sides[s].verdict == verdict]
    return None if not found else found[0] if len(found) == 1 else "both"


def _valgus_items(side: str, sides: Sides) -> list[AdviceItem]:
    worst = [sides[s].max_severity for s in ("left", "right") if side in (s, "both")]
    severity = ", ".join(w for w in worst if w) or "detected"
    names = {
        "fppa": "the knee angle (FPPA)",
        "knee_over_foot": "the knee's travel over the foot at depth",
    }
    found = sorted(
        {m for s in ("left", "right") if side in (s, "both") for m in sides[s].valgus_measures}
    )
    by = " and ".join(names.get(m, m) for m in found) or "the knee angle (FPPA)"
    why = (
        f"the knee moved inward beyond the measurement error ({severity} knee collapse, "
        f"found by {by})"
    )
    items = [
        _item(AdviceKind.CUE, CUE_KNEE, side, why),
        _item(
            AdviceKind.CUE, CUE_HIPS, side, "wakes up the glute medius, which holds the knee out"
        ),
    ]
    items += [_item(AdviceKind.EXERCISE, name, side, aim) for name, aim in VALGUS_EXERCISES]
    return items


def _tracking_items(
    sides: Sides, medial_share: Mapping[str, float], min_share: float
) -> list[AdviceItem]:
    """A knee cue for each judged side whose knee sat on the big-toe line or inside it for at
    least `min_share` of its bent-knee frames (coaching geometry, not a valgus verdict)."""
    items = []
    for s in ("left", "right"):
        share = medial_share.get(s)
        if share is None or share < min_share or _verdict(sides, s) != Verdict.OK:
            continue
        why = (
            f"the knee lined up with the big toe or inside it for {share:.0%} of the bent-knee "
            "frames; the FPPA change stayed within measurement error"
        )
        items.append(_item(AdviceKind.CUE, CUE_KNEE, s, why))
    return items


def _structural_items(sides: Sides) -> list[AdviceItem]:
    items = []
    for s in ("left", "right"):
        side = sides.get(s)
        if side is not None and side.structural and side.verdict != Verdict.NOT_ASSESSABLE:
            note = side.structural_note or "structural alignment, see a professional"
            items.append(
                _item(
                    AdviceKind.PROFESSIONAL,
                    "Have your standing knee alignment checked by a physical therapist or doctor.",
                    s,
                    f"{note}; bony alignment is not something to coach away",
                )
            )
    return items


def _asymmetry_items(asym: Asymmetry | None) -> list[AdviceItem]:
    if asym is None or not asym.exceeds_sdd:
        return []
    side = asym.more_valgus_side
    diffs = (asym.peak_diff_deg, asym.bottom_diff_deg, asym.near_bottom_diff_deg)
    diff = next((d for d in diffs if d is not None), None)
    size = f"{abs(diff):.1f} deg" if diff is not None else "more"
    return [
        _item(
            AdviceKind.NOTE,
            f"Your {side} knee moves {size} further inward than the other: give it extra "
            "attention and compare the sides again.",
            side,
            f"the left-right difference exceeds the {asym.threshold_deg:g} deg "
            "smallest detectable difference of 2D FPPA",
        )
    ]


def _not_assessable_items(sides: Sides) -> list[AdviceItem]:
    reasons = {s: sides[s].reason if s in sides else None for s in ("left", "right")}
    side = "both" if reasons["left"] == reasons["right"] else None
    text = "; ".join(sorted({r for r in reasons.values() if r}))
    return [
        _item(AdviceKind.NOTE, "Your knees could not be judged in this clip.", side, text or None)
    ]


def _fault_items(sides: Sides) -> tuple[list[AdviceItem], bool]:
    """Cues and exercises for valgus and varus sides; True when a fault was found."""
    items: list[AdviceItem] = []
    valgus_side = _sides_with(sides, Verdict.VALGUS)
    if valgus_side:
        items += _valgus_items(valgus_side, sides)
    varus_side = _sides_with(sides, Verdict.VARUS)
    if varus_side:
        why = "the knee travelled outside the foot: aim it over the mid-outside, not beyond"
        items.append(_item(AdviceKind.CUE, CUE_KNEE, varus_side, why))
    return items, bool(valgus_side or varus_side)


def advice_for(
    assessment: Assessment,
    medial_share: Mapping[str, float] | None = None,
    min_share: float = 0.5,
) -> list[AdviceItem]:
    """Cues, exercises and referrals for the findings; the safety line is always the last item.

    assessment: the clip's Assessment (its sides' verdicts, severities, structural notes,
    reasons, and the asymmetry).
    medial_share: per side, the share of bent-knee frames with the knee on the big-toe line or
    inside it; at least `min_share` adds a knee cue to a side judged ok.
    """
    sides = assessment.sides
    items, fault = _fault_items(sides)
    tracking = _tracking_items(sides, medial_share or {}, min_share)
    items += tracking
    items += _asymmetry_items(assessment.asymmetry)
    items += _structural_items(sides)
    if all(_verdict(sides, s) == Verdict.NOT_ASSESSABLE for s in ("left", "right")):
        items += _not_assessable_items(sides)
    elif not fault and not tracking:
        items.append(
            _item(
                AdviceKind.KEEP,
                f"Keep doing this: {CUE_KNEE[0].lower()}{CUE_KNEE[1:]}",
                _sides_with(sides, Verdict.OK),
                "your knees tracked over your feet within the measurement error",
            )
        )
    items.append(_item(AdviceKind.SAFETY, SAFETY_LINE, None, "an app cannot examine a knee"))
    return items
