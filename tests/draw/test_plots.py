"""The result plots on a real analysis (nowva squats, the real model): files, content, labels,
events, the `valguscam plot` command and `analyze --plots`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import valguscam
from valguscam.cli.main import cli
from valguscam.draw import plots
from valguscam.draw.results import load_result, read_frames_csv
from valguscam.errors import InputError


@pytest.fixture(scope="module")
def result_dir(clip_path, tmp_path_factory) -> Path:
    """squats.mp4 analysed once and saved: report.json and frames.csv."""
    folder = tmp_path_factory.mktemp("squats")
    valguscam.analyze(clip_path("sample:squats.mp4")).save(folder)
    return folder


@pytest.fixture(scope="module")
def figures(result_dir) -> dict:
    result = load_result(result_dir)
    return plots.make_figures(result.report, result.frames)


@pytest.fixture
def with_event(result_dir, tmp_path) -> tuple[Path, dict]:
    """A copy of the result with one synthetic right-knee FPPA valgus event at 2.0-2.6 s."""
    folder = tmp_path / "with_event"
    shutil.copytree(result_dir, folder)
    report = json.loads((folder / "report.json").read_text())
    event = {
        "side": "right", "start_s": 2.0, "peak_s": 2.3, "end_s": 2.6, "kind": "valgus",
        "measure": "fppa", "severity": "moderate", "rep": 0, "peak_fppa_deg": 15.0,
        "peak_dynamic_fppa_deg": 14.0,
    }  # fmt: skip
    report["events"] = [event]
    (folder / "report.json").write_text(json.dumps(report))
    return folder, event


def labels(fig) -> str:
    """Every axis label, title and text of a figure, joined."""
    out = [fig.get_suptitle()]
    for ax in fig.axes:
        out += [ax.get_ylabel(), ax.get_xlabel(), ax.get_title(loc="left")]
        out += [t.get_text() for t in ax.texts]
    return "\n".join(out)


def test_frames_csv_reads_as_arrays(result_dir):
    frames = read_frames_csv(result_dir / "frames.csv")
    n = len(frames["time_s"])
    assert n == 365 and np.all(np.diff(frames["time_s"]) > 0)
    assert frames["fppa_left_deg"].dtype == float and np.isnan(frames["fppa_left_deg"]).any()
    assert (
        np.isfinite(frames["raw_fppa_left_deg"]).sum() > np.isfinite(frames["fppa_left_deg"]).sum()
    )
    assert set(frames["knee_position_left"]) <= {"", "inside", "big_toe", "target", "outside"}


def test_axes_state_the_convention_and_the_subjects_sides(figures):
    angle = figures["knee_angle"]
    assert [ax.get_ylabel() for ax in angle.axes] == [plots.FPPA_LABEL] * 2
    assert "FPPA (deg), + = valgus" in plots.FPPA_LABEL
    titles = [ax.get_title(loc="left") for ax in angle.axes]
    assert titles[0].startswith("left knee") and titles[1].startswith("right knee")
    assert angle.axes[-1].get_xlabel() == "time (s)"
    assert "squats.mp4" in angle.get_suptitle() and "5 reps" in angle.get_suptitle()
    foot = figures["knee_over_foot"]
    assert all("hip widths" in ax.get_ylabel() and "medial" in ax.get_ylabel() for ax in foot.axes)
    reps = figures["reps_left_right"]
    assert "thigh lengths" in reps.axes[0].get_ylabel()
    assert "+ = valgus" in reps.axes[1].get_ylabel()


def test_invalid_stretches_and_bands_are_in_the_legend(figures):
    legend = "\n".join(t.get_text() for t in figures["knee_angle"].legends[0].get_texts())
    assert "not valid: deep flexion / view / visibility" in legend
    assert "standing baseline" in legend and "Munro 2012" in legend and "Herrington 2014" in legend
    legend = "\n".join(t.get_text() for t in figures["knee_over_foot"].legends[0].get_texts())
    assert "collapse > 0.1" in legend and "mid-foot line" in legend


def test_rep_bottoms_are_numbered(figures):
    for name in ("knee_angle", "knee_over_foot"):
        texts = [t.get_text() for t in figures[name].axes[0].texts]
        assert [t.split(":")[0] for t in texts[:5]] == ["1", "2", "3", "4", "5"], name


def event_spans(fig, gid_prefix: str) -> list:
    return [p for ax in fig.axes for p in ax.patches if (p.get_gid() or "").startswith(gid_prefix)]


def test_events_are_shaded_at_their_time(with_event):
    folder, event = with_event
    result = load_result(folder)
    fig = plots.knee_angle_figure(result.report, result.frames)
    spans = event_spans(fig, "event:valgus:right:fppa")
    assert len(spans) == 1 and spans[0] in fig.axes[1].patches  # the right knee's panel
    x0, x1 = spans[0].get_x(), spans[0].get_x() + spans[0].get_width()
    assert (x0, x1) == pytest.approx((event["start_s"], event["end_s"]))
    assert "valgus, moderate" in labels(fig)
    assert not event_spans(plots.knee_over_foot_figure(result.report, result.frames), "event:")


def test_no_events_no_spans(figures):
    assert not event_spans(figures["knee_angle"], "event:")


def test_unjudged_side_is_said_in_its_panel(result_dir):
    result = load_result(result_dir)
    report = json.loads(json.dumps(result.report))
    report["summary"]["left"].update(verdict="not_assessable", reason="trailing leg")
    frames = {**result.frames, "fppa_left_deg": np.full(len(result.frames["time_s"]), np.nan)}
    frames.pop("raw_fppa_left_deg")
    fig = plots.knee_angle_figure(report, frames)
    assert "not judged: trailing leg" in [t.get_text() for t in fig.axes[0].texts]
    assert "left knee: not assessable" in fig.get_suptitle()


def check_png(path: Path) -> None:
    from matplotlib.image import imread

    image = imread(path)
    assert image.shape[:2] == (960, 1320) or image.shape[:2] == (840, 1320), image.shape
    assert image[..., :3].std() > 0.05  # not a single colour
    assert len(np.unique(image[..., :3].reshape(-1, 3), axis=0)) > 50


def test_save_writes_each_format_atomically(figures, tmp_path):
    written = plots.save_figures(figures, tmp_path, ("png", "svg", "pdf"))
    assert sorted(p.name for p in written) == sorted(
        f"{n}.{f}" for n in plots.PLOT_NAMES for f in ("png", "svg", "pdf")
    )
    for name in plots.PLOT_NAMES:
        check_png(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        assert "<svg" in (tmp_path / f"{name}.svg").read_text()[:2000]
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(InputError, match="png, svg, pdf"):
        plots.save_figures(figures, tmp_path, ("jpg",))


def test_plot_command_writes_the_files(with_event):
    folder, _ = with_event
    run = CliRunner().invoke(cli, ["plot", str(folder), "--format", "png", "--format", "svg"])
    assert run.exit_code == 0, run.output
    for name in plots.PLOT_NAMES:
        check_png(folder / f"{name}.png")
        assert f"wrote {folder / name}.svg" in run.output
    listed = json.loads((folder / "report.json").read_text())["files"]
    assert {f"{n}.{f}" for n in plots.PLOT_NAMES for f in ("png", "svg")} <= set(listed)


@pytest.mark.parametrize("what", ["missing", "empty"])
def test_plot_command_without_a_result_exits_2_with_one_line(tmp_path, what):
    folder = tmp_path / "nothing"
    if what == "empty":
        folder.mkdir()
    run = CliRunner().invoke(cli, ["plot", str(folder)])
    assert run.exit_code == 2
    lines = run.output.strip().splitlines()
    assert len(lines) == 1 and "valguscam analyze" in lines[0], run.output


def test_analyze_plots_writes_them_beside_the_report(clip_path, tmp_path):
    clip = clip_path("sample:squats.mp4")
    run = CliRunner().invoke(
        cli, ["analyze", str(clip), "--out", str(tmp_path), "--plots", "-q", "--no-progress"]
    )
    assert run.exit_code == 0, run.output
    for name in plots.PLOT_NAMES:
        check_png(tmp_path / "squats" / f"{name}.png")
    listed = json.loads((tmp_path / "squats" / "report.json").read_text())["files"]
    assert listed[:2] == ["frames.csv", "report.json"]
    assert listed[2:] == [f"{name}.png" for name in plots.PLOT_NAMES]


@pytest.mark.parametrize(
    ("clip", "view", "judged"),
    [
        ("shared:lnewco/IMG_7060.mov", "frontal", True),
        ("shared:tommyhill/squat1.mp4", "sagittal", False),
    ],
)
def test_every_figure_kind_and_format_on_a_phone_clip_and_a_side_view(
    clip_path, tmp_path, clip, view, judged
):
    """IMG_7060 (portrait iPhone, one deep squat) and a side view: PNG, SVG and PDF of each
    figure, the conventions on the axes, invalid stretches named, a side view not judged."""
    folder = tmp_path / "result"
    valguscam.analyze(clip_path(clip)).save(folder)
    written = plots.plot_result_folder(folder, ("png", "svg", "pdf"))
    assert len(written) == 3 * len(plots.PLOT_NAMES)
    for name in plots.PLOT_NAMES:
        check_png(folder / f"{name}.png")
        assert (folder / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
        assert "<svg" in (folder / f"{name}.svg").read_text()[:2000]
    result = load_result(folder)
    figs = plots.make_figures(result.report, result.frames)
    angle = labels(figs["knee_angle"])
    assert plots.FPPA_LABEL in angle and "subject's left" in angle and f"{view} view" in angle
    legend = [t.get_text() for t in figs["knee_angle"].legends[0].get_texts()]
    assert any(t.startswith("not valid") for t in legend), legend
    assert ("not judged" in angle) is (not judged)
    assert "hip widths" in labels(figs["knee_over_foot"])
