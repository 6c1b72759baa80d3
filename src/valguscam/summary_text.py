"""The short human summary `valguscam analyze` prints (plain text, no I/O)."""

from __future__ import annotations


def _deg(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1f} deg"


def side_line(side: str, s: dict) -> str:
    """One line per knee: peak FPPA, baseline, dynamic change, where the knee tracked."""
    if not s["assessable"]:
        return f"{side:>5} knee: not assessable (no frame with a trustworthy frontal view)"
    shares = s["knee_position_share"]
    where = ", ".join(f"{k} {v:.0%}" for k, v in shares.items() if v >= 0.005) or "n/a"
    return (
        f"{side:>5} knee: peak FPPA {_deg(s['peak_fppa_deg'])} at {s['peak_time_s']:.2f} s "
        f"(standing {_deg(s['baseline_fppa_deg'])}, change {_deg(s['peak_dynamic_fppa_deg'])}); "
        f"knee over foot ({s['position_frames']} bent-knee frames): {where}; "
        f"{s['valid_frames']} valid FPPA frames"
    )


def render(report: dict, files: dict) -> str:
    """The whole summary: source, quality, one line per knee, conventions, warnings, files."""
    src, q = report["source"], report["quality"]
    lines = [
        f"{src['path']}: {q['frames']} frames, {src['duration_s']:.1f} s, person in "
        f"{q['frames_with_pose']} frames, median body yaw "
        f"{'n/a' if q['median_yaw_deg'] is None else format(q['median_yaw_deg'], '.0f') + ' deg'}",
    ]
    lines += [side_line(side, report["summary"][side]) for side in ("left", "right")]
    lines.append(
        "FPPA + = valgus (knee toward the midline); sides are the subject's; valid when "
        + report["conventions"]["valid_when"]
    )
    lines += [f"warning: {w}" for w in q["warnings"]]
    lines += [f"wrote {p}" for p in files.values()]
    return "\n".join(lines)
