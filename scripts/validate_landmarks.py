"""Landmark accuracy of MediaPipe Pose against human annotations -> docs/validation.md + .json.

Runs the pose model on a crop around every annotated person of the mmpose test fixtures
(COCO-WholeBody, Halpe, Human3.6M 2D; read in place from ../shared, never copied) and writes
a Markdown report and the JSON of its figures. tests/test_validation.py reads the thresholds
from that JSON and fails when a later run is worse.

    python scripts/validate_landmarks.py [--out docs/validation.md] [--json docs/validation.json]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import validation as v

from valguscam.errors import ModelError
from valguscam.pose.models import resolve_model, sha256_file

REPO = Path(__file__).resolve().parents[1]
KEEP_FROM = "## Knee collapse at depth"
SHARED = REPO.parent / "shared"
DATA_DIR = SHARED / "keypoints" / "mmpose" / "tests" / "data"
COMMAND = (
    "python scripts/validate_landmarks.py --out docs/validation.md --json docs/validation.json"
)
CROP_MARGIN = 0.25
DATASET_TITLES = {
    "coco_wholebody": "COCO-WholeBody",
    "halpe": "Halpe-FullBody",
    "h36m": "Human3.6M (2D)",
}


def find_model(name: str) -> Path:
    """The model by registry name or path; falls back to the shared mirror for "full"."""
    try:
        return resolve_model(name)
    except ModelError:
        mirror = SHARED / "models" / "pose_landmarker_full.task"
        if name == "full" and mirror.is_file():
            return mirror
        raise


def read_rgb(path: Path) -> np.ndarray:
    """(H, W, 3) uint8 RGB of an image file."""
    import cv2

    bgr = cv2.imread(str(path))
    if bgr is None:
        raise FileNotFoundError(f"cannot read image {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


# --- JSON summary --------------------------------------------------------------------------------


def num(value: float) -> float | None:
    """A float for JSON: NaN becomes None (null), others rounded to 4 decimals."""
    return None if not np.isfinite(value) else round(float(value), 4)


def stats_dict(values: Sequence[float] | np.ndarray) -> dict[str, Any]:
    s = v.Stats.of(values)
    return {"n": s.n, "median": num(s.median), "mean": num(s.mean), "p90": num(s.p90)}


def keypoint_summary(comparisons: Sequence[v.Comparison]) -> dict[str, Any]:
    """{point: {group: {"rel": stats, "px": stats}}}; groups: the subsets, then left/right."""
    groups = [(sub, None, sub) for sub in v.SUBSETS] + [("left", 0, "all"), ("right", 1, "all")]
    out: dict[str, Any] = {}
    for p, point in enumerate(v.POINTS):
        out[point] = {}
        for label, side, subset in groups:
            px, rel = v.keypoint_errors(comparisons, p, side, subset)
            out[point][label] = {"rel": stats_dict(rel), "px": stats_dict(px)}
    return out


def fppa_summary(comparisons: Sequence[v.Comparison]) -> dict[str, Any]:
    cases = v.fppa_cases(comparisons)

    def block(sel: Sequence[v.FppaCase]) -> dict[str, Any]:
        diffs = [c.abs_diff_deg for c in sel]
        return {**stats_dict(diffs), "max": num(max(diffs, default=float("nan")))}

    keys = ("annotated_deg", "mediapipe_deg", "abs_diff_deg", "hip_width_rel")
    return {
        "all": block(cases),
        "near_frontal": block([c for c in cases if v.near_frontal(c)]),
        "cases": [
            {"person_id": c.person_id, "side": c.side, "status": c.status}
            | {k: num(getattr(c, k)) for k in keys}
            | {"near_frontal": v.near_frontal(c)}
            for c in cases
        ],
    }


def person_record(c: v.Comparison) -> dict[str, Any]:
    """Per-person detail: status, crop, thigh, errors / thigh as labelled and swapped."""

    def per_side_point(values: np.ndarray) -> dict[str, Any]:
        return {
            side: {point: num(values[s, p]) for p, point in enumerate(v.POINTS)}
            for s, side in enumerate(v.SIDES)
        }

    return {
        "person_id": c.person.person_id,
        "image": c.person.image.name,
        "status": c.status,
        "crop_xyxy": list(c.detection.crop),
        "thigh_px": [num(x) for x in c.thigh_px],
        "hip_knee_rel": [num(x) for x in c.hip_knee_rel],
        "rel_error": per_side_point(c.rel_error),
        "rel_error_swapped": per_side_point(c.swapped_error_px / c.thigh_px[:, None]),
    }


def hip_width_ratios(comparisons: Sequence[v.Comparison]) -> list[float]:
    """MediaPipe hip-to-hip distance / annotated one, per found person whose annotated hips are
    at least 0.25 thigh apart (not a side view)."""
    out = []
    for c in comparisons:
        gt = float(np.linalg.norm(c.person.xy[0, v.HIP] - c.person.xy[1, v.HIP]))
        if c.status in v.FOUND and gt >= 0.25 * np.nanmean(c.thigh_px):
            out.append(
                float(np.linalg.norm(c.detection.xy[0, v.HIP] - c.detection.xy[1, v.HIP])) / gt
            )
    return out


def summarize(comparisons: Sequence[v.Comparison]) -> dict[str, Any]:
    """{"datasets": {...}, "annotation_agreement": {...}} of one run."""
    names = list(dict.fromkeys(c.person.dataset for c in comparisons))
    groups = {n: [c for c in comparisons if c.person.dataset == n] for n in names}
    datasets = {
        n: v.status_counts(g)
        | {"keypoints": keypoint_summary(g), "fppa": fppa_summary(g)}
        | {"hip_width_ratio_mediapipe_over_annotation": stats_dict(hip_width_ratios(g))}
        | {"persons_detail": [person_record(c) for c in g]}
        for n, g in groups.items()
    }
    agreement: dict[str, Any] = {}
    if "coco_wholebody" in groups and "halpe" in groups:
        a = [c.person for c in groups["coco_wholebody"]]
        b = [c.person for c in groups["halpe"]]
        for p, point in enumerate(v.POINTS):
            px, rel = v.annotation_distances(a, b, p)
            agreement[point] = {"px": stats_dict(px), "rel": stats_dict(rel)}
    return {"datasets": datasets, "annotation_agreement_coco_wholebody_vs_halpe": agreement}


def regression_thresholds(
    datasets: dict[str, Any], rel_margin: float = 0.02, fppa_margin_deg: float = 1.0
) -> dict[str, dict[str, float]]:
    """Per dataset: median error / thigh per keypoint <= recorded + rel_margin, found persons
    >= recorded, swaps <= recorded, median FPPA |difference| <= recorded + fppa_margin_deg."""
    out: dict[str, dict[str, float]] = {}
    for name, d in datasets.items():
        t: dict[str, float] = {"min_found": d["found"], "max_swapped": d["swapped"]}
        for point, kp in d["keypoints"].items():
            if kp["all"]["rel"]["median"] is not None:
                t[f"max_median_rel_{point}"] = round(kp["all"]["rel"]["median"] + rel_margin, 4)
        if d["fppa"]["all"]["median"] is not None:
            t["max_median_fppa_abs_diff_deg"] = round(
                d["fppa"]["all"]["median"] + fppa_margin_deg, 3
            )
        out[name] = t
    return out


def run(model_path: Path, data_dir: Path) -> dict[str, Any]:
    """Measure and return the full JSON document (figures, method, model, thresholds)."""
    import mediapipe

    persons = v.load_fixtures(data_dir)
    comparisons = v.measure(persons, model_path, read_rgb, margin=CROP_MARGIN)
    summary = summarize(comparisons)
    return {
        "generated_by": COMMAND,
        "model": {
            "file": model_path.name,
            "sha256": sha256_file(model_path),
            "mediapipe_version": mediapipe.__version__,
            "running_mode": "IMAGE",
        },
        "method": {
            "crop_margin": CROP_MARGIN,
            "mismatch_if_hip_knee_error_over_thigh": 1.0,
            "swap_if_swapped_error_below_fraction": 0.5,
            "mp_visible_min_visibility": 0.5,
            "near_frontal": {"max_abs_annotated_fppa_deg": 30.0, "min_hip_width_rel": 0.25},
        },
        **summary,
        "thresholds": regression_thresholds(summary["datasets"]),
    }


def compact_json(obj: Any, indent: str = " ", level: int = 0) -> str:
    """JSON with one line per innermost dict or list (a stats block, a case), for short diffs."""
    children = list(obj.values()) if isinstance(obj, dict) else obj
    if not isinstance(obj, dict | list) or not any(isinstance(x, dict | list) for x in children):
        return json.dumps(obj)
    pad, inner = indent * level, indent * (level + 1)
    if isinstance(obj, dict):
        items = [f"{json.dumps(k)}: {compact_json(x, indent, level + 1)}" for k, x in obj.items()]
        return "{\n" + ",\n".join(inner + i for i in items) + f"\n{pad}}}"
    items = [compact_json(x, indent, level + 1) for x in obj]
    return "[\n" + ",\n".join(inner + i for i in items) + f"\n{pad}]"


# --- Markdown ------------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def headline(doc: dict[str, Any]) -> str:
    lines = []
    for name, d in doc["datasets"].items():
        kp = d["keypoints"]
        meds = ", ".join(
            f"{p} {fmt(kp[p]['all']['rel']['median'])}"
            for p in v.POINTS
            if kp[p]["all"]["rel"]["n"]
        )
        f = d["fppa"]
        lines.append(
            f"- **{DATASET_TITLES[name]}** ({d['persons']} persons): found {d['found']}, "
            f"side swaps {d['swapped']}, mismatched {d['mismatched']}, not found "
            f"{d['not_found']}. Median error / thigh length: {meds}. FPPA |MediaPipe - "
            f"annotation|: median {fmt(f['all']['median'], 1)} deg, max {fmt(f['all']['max'], 1)}"
            f" deg over {f['all']['n']} leg(s); near-frontal subset median "
            f"{fmt(f['near_frontal']['median'], 1)} deg, max {fmt(f['near_frontal']['max'], 1)} deg"
            f" ({f['near_frontal']['n']} legs)."
        )
    return "\n".join(lines)


def keypoint_tables(name: str, d: dict[str, Any]) -> str:
    kp, hw = d["keypoints"], d["hip_width_ratio_mediapipe_over_annotation"]
    main_rows, subset_rows = [], []
    for p in v.POINTS:
        a = kp[p]["all"]
        if not a["rel"]["n"]:
            continue
        r, px = a["rel"], a["px"]
        main_rows.append(
            [p, r["n"], fmt(r["median"]), fmt(r["mean"]), fmt(r["p90"])]
            + [fmt(px["median"], 1), fmt(px["mean"], 1), fmt(px["p90"], 1)]
        )
        groups = ("labelled_visible", "mp_visible", "left", "right")
        subset_rows.append(
            [p] + [f"{kp[p][g]['rel']['n']}: {fmt(kp[p][g]['rel']['median'])}" for g in groups]
        )
    header = ["keypoint", "n", "median", "mean", "p90"]
    header += ["median px", "mean px", "p90 px"]
    sub_header = ["keypoint", "labelled visible (v=2)", "MediaPipe visibility >= 0.5"]
    sub_header += ["left side", "right side"]
    return (
        f"### {DATASET_TITLES[name]}\n\nError as a fraction of the annotated thigh length "
        "(columns 3-5) and in pixels of the stored image:\n\n"
        f"{table(header, main_rows)}\n\nMedian error / thigh in subsets (n: median):\n\n"
        f"{table(sub_header, subset_rows)}\n\nMediaPipe hip-to-hip distance / annotated "
        f"hip-to-hip distance (persons not seen from the side; n = {hw['n']}): median "
        f"{fmt(hw['median'])}, mean {fmt(hw['mean'])}, 90th percentile {fmt(hw['p90'])}.\n"
    )


def agreement_table(agreement: dict[str, Any]) -> str:
    rows = [
        [p, a["rel"]["n"], fmt(a["rel"]["median"]), fmt(a["rel"]["p90"]), fmt(a["px"]["median"], 1)]
        for p, a in agreement.items()
        if a["rel"]["n"]
    ]
    return table(["keypoint", "n", "median / thigh", "p90 / thigh", "median px"], rows)


def status_table(doc: dict[str, Any]) -> str:
    keys = ("persons", "found", "matched", "swapped", "mismatched", "not_found")
    rows = [[DATASET_TITLES[n]] + [d[k] for k in keys] for n, d in doc["datasets"].items()]
    return table(["dataset", *keys], rows)


def fppa_tables(doc: dict[str, Any]) -> str:
    rows, case_rows = [], []
    for name, d in doc["datasets"].items():
        for label in ("all", "near_frontal"):
            f = d["fppa"][label]
            rows.append([DATASET_TITLES[name], label, f["n"]])
            rows[-1] += [fmt(f[k], 1) for k in ("median", "mean", "p90", "max")]
        if name == "halpe":  # same persons and body points as COCO-WholeBody
            continue
        for c in d["fppa"]["cases"]:
            case_rows.append(
                [DATASET_TITLES[name], c["person_id"], c["side"]]
                + [fmt(c[k], 1) for k in ("annotated_deg", "mediapipe_deg", "abs_diff_deg")]
                + [fmt(c["hip_width_rel"]), "yes" if c["near_frontal"] else "no"]
            )
    header = ["dataset", "cases", "n", "median", "mean", "p90", "max"]
    case_header = ["dataset", "person", "side", "annotated", "MediaPipe", "abs diff"]
    case_header += ["hip width / thigh", "near-frontal"]
    return (
        f"{table(header, rows)}\n\nPer leg (degrees, + = valgus; Halpe's body points are the "
        f"same as COCO-WholeBody's, so its cases are not repeated):\n\n"
        f"{table(case_header, case_rows)}\n"
    )


def thresholds_table(doc: dict[str, Any]) -> str:
    rows = [[DATASET_TITLES[n], k, t[k]] for n, t in doc["thresholds"].items() for k in sorted(t)]
    return table(["dataset", "check", "limit"], rows)


METHOD = """\
## What was measured and how

- **Ground truth.** Human annotations of the mmpose test fixtures: COCO-WholeBody
  (`coco/test_coco_wholebody.json`: COCO body 17 + `foot_kpts`) and Halpe-FullBody
  (`halpe/test_halpe.json`, 136 points) on the same 4 COCO val2017 photos (a downhill skier,
  two seated street vendors, a baseball batter and catcher with two background players,
  cross-country skiers; 14 persons, 12 with an annotated thigh), and Human3.6M 2D
  (`h36m/h36m_coco.json`, 4 lab frames, one person each, hips/knees/ankles only; joint ids 1-3
  are the subject's RIGHT leg whatever the file's name list says). Left/right are the
  subject's sides everywhere.
- **Points compared** per side: hip, knee, ankle, heel and toe. The annotated toe is the **big
  toe**; MediaPipe's `foot_index` is a toe-tip point nearer the second toe, so part of the toe
  error is a definition difference, not a detection error. Only points the annotation labels
  (v > 0) are compared; COCO's v = 1 ("labelled but occluded") points are included in "all"
  and left out of "labelled visible". Human3.6M marks every joint v = 1 (motion capture), so
  there all points count as visible.
- **Detection.** MediaPipe Pose Landmarker detects one person, so for each annotated person the
  photo is cropped to the annotated box grown by {margin:.0%} of its width/height on each side
  (clipped to the image), the model runs on the crop in IMAGE mode with the default confidences
  (0.5), and the landmarks are mapped back to full-image pixels. The landmarks are used as the
  model gives them, whatever their visibility score, except in the "MediaPipe visibility >= 0.5"
  column (the points the product keeps by default).
- **Error** = Euclidean distance in pixels, and as a fraction of the annotated thigh length
  (hip -> knee distance of the same side). Person-sides without an annotated thigh are left
  out. The fraction makes photos of different sizes comparable: 0.10 = a tenth of the thigh,
  roughly 4-5 cm on an adult.
- **Person matching.** A person counts as **mismatched** (MediaPipe found someone else or
  nonsense) when the mean hip/knee error exceeds 1 thigh length both as labelled and with
  sides swapped; **not found** when MediaPipe returns nobody. Neither enters the error
  statistics. The error is also computed with MediaPipe's left/right swapped; a **side swap**
  is counted when the swapped mean hip/knee/ankle error is below half the as-labelled one.
  Swapped persons would stay in the statistics with their as-labelled (large) errors.
- **FPPA** (frontal plane projection angle, `valguscam.body.geometry.fppa_deg`; + = valgus, knee
  medial of the hip-ankle line, medial = toward the other hip) per leg where the annotation has
  that leg's hip, knee and ankle and the other hip, once from the annotation and once from
  MediaPipe (with MediaPipe's own side labels); reported as the absolute difference.
  "Near-frontal" legs: annotated |FPPA| <= 30 deg and hip distance >= 0.25 x thigh length
  (in a side view the hips overlap, "medial" is undefined and the sign flips at random). This
  subset was chosen after looking at these photos; treat it as descriptive.
"""

DATA_NOTE = """\
## Data and licences

Fixtures from open-mmlab/mmpose `tests/data` (commit 759b39c, Apache-2.0), read in place from
`../shared/keypoints/mmpose/tests/data/` and never copied into this repository. The images keep
their own dataset terms: COCO photos are Flickr images under Creative Commons licences (see each
image's `license` in the json); Human3.6M frames are under its research-only licence. Use them
only as test fixtures. The annotation files are COCO-WholeBody's and Halpe's, as shipped by
mmpose.
"""

CLINICAL = """\
## How to read this (clinical note)

- These are **not frontal squat photos**: skiers, seated people, a batter and a crouching
  catcher, and four Human3.6M lab frames (standing, sitting down, greeting, walking). Most legs
  are far from the product's measuring condition (frontal camera, moderate knee flexion), and
  many annotated angles lie outside the clinical FPPA range. The figures are a check of the
  landmarks, not a validation of FPPA as measured by the product on a squat video.
- For comparison, manual 2D FPPA measured by trained raters on frontal single-leg-squat video
  has a standard error of measurement of 2.7-3.0 deg and a smallest detectable difference of
  7.5-8.9 deg (Munro et al. 2012). A MediaPipe-vs-annotator difference of about 3 deg is
  within that rater noise; one above about 8-9 deg is larger than the smallest change a rater
  can detect, and about the gap between healthy people (8.4 +/- 5.1 deg) and people with
  patellofemoral pain (16.8 +/- 5.4 deg) in a single-leg squat (Herrington 2014), so it could
  change a verdict.
- Large FPPA differences here come from side views (hips overlapping: the sign of FPPA is
  meaningless), deep knee flexion (seated, crouching: thigh foreshortened, angles near +/-90 deg
  or beyond), small or occluded persons. The product is meant to mark frames in those
  conditions as outside FPPA's validity (camera yaw, knee flexion, thigh foreshortening);
  these photos show why it must.
- The hip is the least certain point. MediaPipe's hip landmarks are placed differently from
  Human3.6M's motion-capture hip joint centres (hip error median {h36m_hip} thigh; hip-to-hip
  distance MediaPipe / annotation median {h36m_hip_ratio}, i.e. narrower); COCO annotators
  click yet another "hip" on the clothed outline. FPPA is built on the hip, so a different hip
  definition alone can shift it by degrees: compare FPPA only with FPPA from the same tool.
- Errors are divided by the thigh length seen in the image. In seated or crouching people the
  thigh points at the camera and looks short, which inflates the relative error of those
  persons; the per-side columns differ mostly because of such poses and of occluded or cut-off
  legs in these few photos, not because of a demonstrated left/right bias.
- The annotations themselves are not exact: the two annotation sets disagree on the feet (see
  the agreement table), so foot-point errors below that level cannot be told apart from
  annotation noise. COCO and Halpe share the same hip/knee/ankle annotations.
- The sample is tiny ({n_persons} annotated persons, {n_h36m} Human3.6M frames). Use these
  numbers as a regression guard and an order of magnitude, not as a population accuracy.
"""


def clinical_note(ds: dict[str, Any]) -> str:
    h36m = ds.get("h36m")
    hip = h36m["keypoints"]["hip"]["all"]["rel"]["median"] if h36m else None
    ratio = h36m["hip_width_ratio_mediapipe_over_annotation"]["median"] if h36m else None
    return CLINICAL.format(
        n_persons=ds.get("coco_wholebody", {}).get("persons", 0),
        n_h36m=h36m["persons"] if h36m else 0,
        h36m_hip=fmt(hip),
        h36m_hip_ratio=fmt(ratio),
    )


def render(doc: dict[str, Any]) -> str:
    """The Markdown report of a run document."""
    ds = doc["datasets"]
    parts = [
        "# Landmark accuracy against human annotations\n",
        f"Generated by `{doc['generated_by']}` (do not edit by hand; run it again after a "
        "model or landmark change). Figures: `docs/validation.json`. Regression test: "
        "`tests/test_validation.py`.\n",
        "## Headline\n",
        headline(doc) + "\n",
        METHOD.format(margin=doc["method"]["crop_margin"]),
        DATA_NOTE,
        "## Keypoint error\n",
        *(keypoint_tables(n, d) for n, d in ds.items()),
        "## Annotation agreement: COCO-WholeBody vs Halpe\n",
        "Distance between the two datasets' annotations of the same persons (the noise floor of"
        " the ground truth):\n",
        agreement_table(doc["annotation_agreement_coco_wholebody_vs_halpe"]) + "\n",
        "## Person matching and left/right\n",
        status_table(doc) + "\n",
        "## FPPA: MediaPipe vs annotation\n",
        "Absolute difference in degrees:\n",
        fppa_tables(doc),
        clinical_note(ds),
        "## Regression thresholds\n",
        "`tests/test_validation.py` reruns this measurement and fails above these limits "
        "(recorded median + 0.02 thigh per keypoint, recorded median FPPA difference + 1 deg; "
        "found persons must not drop, side swaps must not rise):\n",
        thresholds_table(doc) + "\n",
        model_section(doc),
    ]
    return "\n".join(parts)


def model_section(doc: dict[str, Any]) -> str:
    m = doc["model"]
    return (
        "## Model and environment\n\n"
        f"- Model file: `{m['file']}`, sha256 `{m['sha256']}`\n"
        f"- mediapipe {m['mediapipe_version']}, Pose Landmarker, running mode {m['running_mode']}\n"
        f"- Regenerate: `{doc['generated_by']}` (the model is found by `valguscam.models."
        "resolve_model('full')`, e.g. with `VALGUSCAM_MODEL_DIR` set, else the shared mirror "
        "`../shared/models/`)\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "validation.md")
    parser.add_argument("--json", type=Path, default=REPO / "docs" / "validation.json")
    parser.add_argument("--model", default="full", help="registry name or .task path")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="mmpose tests/data folder")
    args = parser.parse_args(argv)
    doc = run(find_model(args.model), args.data)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(compact_json(doc) + "\n", encoding="utf-8")
    # keep the sections other scripts own (the collapse benchmark) below the landmark tables
    kept = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
    kept = kept[kept.find(KEEP_FROM) :] if KEEP_FROM in kept else ""
    args.out.write_text(render(doc) + ("\n" + kept if kept else ""), encoding="utf-8")
    print(headline(doc))
    print(f"wrote {args.out} and {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
