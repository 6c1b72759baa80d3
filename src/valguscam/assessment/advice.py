"""What to work on: cues and corrective exercises for the faults found (DESIGN.md section 4).

`advice_for(findings)` maps an `Assessment` (valgus.py) or its `to_dict()` to a list of items,
each a dict {"kind", "text", "side", "why"}:
kind: "cue" (say it to yourself during the rep), "exercise" (what to train), "professional"
(see a physical therapist or doctor), "note" (what could not be judged, asymmetry),
"keep" (no fault found: keep doing this) and "safety" (always, last).
side: "left" | "right" | "both" | None (the whole clip). Advice is given only for a fault that
was found; a structural standing alignment is referred to a professional, not coached.
This is coaching information, not a diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def _item(kind: str, text: str, side: str | None, why: str) -> dict[str, str | None]:
    return {"kind": kind, "text": text, "side": side, "why": why}


def _sides_with(sides: Mapping[str, Mapping[str, Any]], verdict: str) -> str | None:
    """ "left", "right", "both" or None: the sides with this verdict."""
    found = [s for s in ("left", "right") if sides.get(s, {}).get("verdict") == verdict]
    return None if not found else found[0] if len(found) == 1 else "both"


def _valgus_items(side: str, sides: Mapping[str, Mapping[str, Any]]) -> list[dict]:
    worst = [sides[s].get("max_severity") for s in ("left", "right") if side in (s, "both")]
    severity = ", ".join(w for w in worst if w) or "detected"
    why = f"the knee moved inward beyond the measurement error ({severity} knee collapse)"
    items = [
        _item("cue", CUE_KNEE, side, why),
        _item("cue", CUE_HIPS, side, "wakes up the glute medius, which holds the knee out"),
    ]
    items += [_item("exercise", name, side, reason) for name, reason in VALGUS_EXERCISES]
    return items


def _tracking_items(
    sides: Mapping[str, Mapping[str, Any]], medial_share: Mapping[str, float], min_share: float
) -> list[dict]:
    """A knee cue for each judged side whose knee sat on the big-toe line or inside it for at
    least `min_share` of its bent-knee frames (coaching geometry, not a valgus verdict)."""
    items = []
    for s in ("left", "right"):
        share = medial_share.get(s)
        if share is None or share < min_share or sides.get(s, {}).get("verdict") != "ok":
            continue
        why = (
            f"the knee lined up with the big toe or inside it for {share:.0%} of the bent-knee "
            "frames; the FPPA change stayed within measurement error"
        )
        items.append(_item("cue", CUE_KNEE, s, why))
    return items


def _structural_items(sides: Mapping[str, Mapping[str, Any]]) -> list[dict]:
    items = []
    for s in ("left", "right"):
        side = sides.get(s, {})
        if side.get("structural") and side.get("verdict") != "not_assessable":
            note = side.get("structural_note") or "structural alignment, see a professional"
            items.append(
                _item(
                    "professional",
                    "Have your standing knee alignment checked by a physical therapist or doctor.",
                    s,
                    f"{note}; bony alignment is not something to coach away",
                )
            )
    return items


def _asymmetry_items(asym: Mapping[str, Any]) -> list[dict]:
    if not asym.get("exceeds_sdd"):
        return []
    side = asym.get("more_valgus_side")
    diff = asym.get("peak_diff_deg")
    if diff is None:
        diff = asym.get("bottom_diff_deg")
    size = f"{abs(diff):.1f} deg" if diff is not None else "more"
    return [
        _item(
            "note",
            f"Your {side} knee moves {size} further inward than the other: give it extra "
            "attention and compare the sides again.",
            side,
            f"the left-right difference exceeds the {asym.get('threshold_deg', 8.0):g} deg "
            "smallest detectable difference of 2D FPPA",
        )
    ]


def _not_assessable_items(sides: Mapping[str, Mapping[str, Any]]) -> list[dict]:
    reasons = {s: sides.get(s, {}).get("reason") for s in ("left", "right")}
    side = "both" if reasons["left"] == reasons["right"] else None
    text = "; ".join(sorted({r for r in reasons.values() if r}))
    return [_item("note", "Your knees could not be judged in this clip.", side, text or None)]


def advice_for(
    findings: Any, medial_share: Mapping[str, float] | None = None, min_share: float = 0.5
) -> list[dict]:
    """Cues, exercises and referrals for the findings; the safety line is always the last item.

    findings: an `Assessment` or its `to_dict()` (keys "sides" and "asymmetry"; each side has
    "verdict", "max_severity", "structural", "structural_note", "reason").
    medial_share: per side, the share of bent-knee frames with the knee on the big-toe line or
    inside it; at least `min_share` adds a knee cue to a side judged ok.
    """
    data = findings.to_dict() if hasattr(findings, "to_dict") else dict(findings)
    sides: Mapping[str, Mapping[str, Any]] = data.get("sides", {})
    verdicts = {s: sides.get(s, {}).get("verdict", "not_assessable") for s in ("left", "right")}
    items: list[dict] = []
    valgus_side = _sides_with(sides, "valgus")
    if valgus_side:
        items += _valgus_items(valgus_side, sides)
    varus_side = _sides_with(sides, "varus")
    if varus_side:
        items.append(
            _item(
                "cue",
                CUE_KNEE,
                varus_side,
                "the knee travelled outside the foot: aim it over the mid-outside, not beyond",
            )
        )
    tracking = _tracking_items(sides, medial_share or {}, min_share)
    items += tracking
    items += _asymmetry_items(data.get("asymmetry") or {})
    items += _structural_items(sides)
    if all(v == "not_assessable" for v in verdicts.values()):
        items += _not_assessable_items(sides)
    elif not valgus_side and not varus_side and not tracking:
        items.append(
            _item(
                "keep",
                f"Keep doing this: {CUE_KNEE[0].lower()}{CUE_KNEE[1:]}",
                _sides_with(sides, "ok"),
                "your knees tracked over your feet within the measurement error",
            )
        )
    items.append(_item("safety", SAFETY_LINE, None, "an app cannot examine a knee"))
    return items
