"""The cohort figure: markers only for judged knees, and a reason for a video not judged."""

from __future__ import annotations

from valguscam.draw.cohort import cohort_figure


def _row(folder: str, view: str, reps: int, verdict: str, fppa: float) -> dict:
    row = {"folder": folder, "status": "ok", "view": view, "reps": str(reps)}
    for side in ("left", "right"):
        row |= {f"{side}_verdict": verdict, f"{side}_peak_dynamic_fppa_deg": str(fppa),
                f"{side}_peak_knee_foot": "0.2"}  # fmt: skip
    return row


def test_only_judged_knees_get_markers_and_the_others_say_why():
    rows = [
        _row("squats", "frontal", 5, "valgus", 12.0),
        _row("lunge", "sagittal", 11, "not_assessable", 40.0),
        _row("balance", "frontal", 0, "not_assessable", 30.0),
    ]
    fig = cohort_figure(rows)
    ax_fppa, ax_foot = fig.axes[:2]
    for ax in (ax_fppa, ax_foot):
        marked = [line for line in ax.get_lines() if line.get_marker() not in (None, "None", "")]
        ys = sorted(round(float(y)) for line in marked for y in line.get_ydata())
        assert ys == [0, 0], ys  # two knees of the one judged video, none elsewhere
    labels = [t.get_text() for t in ax_fppa.get_yticklabels()]
    assert labels == [
        "squats", "lunge (not judged: sagittal view)", "balance (not judged: no rep)"
    ]  # fmt: skip
    assert ax_fppa.get_xlim()[1] < 40  # an unjudged side-view number does not stretch the axis
