"""Argument handling of the command line, in-process with click's CliRunner (no model run).

Exit codes: 2 bad input, 3 model, 5 no person, 7 bad config, 130 interrupted.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from valguscam.cli.main import cli, main, quiet_summary
from valguscam.cli.options import exercise_choices
from valguscam.config import Config, load_config, to_toml


def invoke(*args: str, **kwargs):
    return CliRunner().invoke(cli, list(args), prog_name="valguscam", **kwargs)


def assert_one_line_error(result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    err = result.stderr.strip().splitlines()
    assert len(err) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in err[0]


# -- help ---------------------------------------------------------------------------------


def test_help_lists_commands_options_and_exit_codes():
    result = invoke("--help")
    assert result.exit_code == 0
    for word in ("analyze", "config", "models", "--quiet", "--debug", "130"):
        assert word in result.stdout


def test_analyze_help_says_what_video_can_be():
    from valguscam.media.sources import IMAGE_SUFFIXES

    text = " ".join(invoke("analyze", "--help").stdout.split())
    assert "a video file" in text
    assert "a webcam index 0 for the first camera" in text
    assert "an image folder" in text
    for suffix in IMAGE_SUFFIXES:  # the suffixes ImageFolderSource reads
        assert suffix in text
    assert "With -q only the per-knee verdicts" in text


def test_exercise_choices_come_from_the_vocabulary():
    import valguscam.types

    vocabulary = getattr(valguscam.types, "Exercise", None)
    if vocabulary is None:
        from valguscam.movement.view import EXERCISES as vocabulary
    names = {getattr(e, "value", e) for e in vocabulary} - {"unknown"}
    assert set(exercise_choices()) == names
    text = invoke("analyze", "--help").stdout
    assert all(name in text for name in names)


# -- bad input: one line, exit code 2 -------------------------------------------------------


def test_bad_exercise(tmp_path):
    result = invoke("analyze", str(tmp_path / "clip.mp4"), "--exercise", "deadlift")
    assert result.exit_code == 2
    assert "deadlift" in result.stderr and "bilateral_squat" in result.stderr


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("validity=3", ["section.key=value"]),
        ("validity.max_yaw_dog=3", ["max_yaw_dog"]),
        ("pose.workers=two", ["pose.workers='two' is not a whole number"]),
    ],
)
def test_bad_set(tmp_path, override, words):
    result = invoke("analyze", str(tmp_path / "clip.mp4"), "--set", override)
    assert_one_line_error(result, 7, *words)


def test_config_file_missing_or_wrong(tmp_path):
    result = invoke("analyze", "clip.mp4", "--config", str(tmp_path / "nope.toml"))
    assert_one_line_error(result, 7, "nope.toml", "does not exist")
    bad = tmp_path / "bad.toml"
    bad.write_text("[validity]\nmax_yaw_dog = 3\n")
    assert_one_line_error(invoke("analyze", "clip.mp4", "--config", str(bad)), 7, "max_yaw_dog")
    assert_one_line_error(invoke("config", "--config", str(tmp_path / "nope.toml")), 7, "nope")


def test_missing_video(tmp_path):
    result = invoke("analyze", str(tmp_path / "nope.mp4"), "--out", str(tmp_path))
    assert_one_line_error(result, 2, "does not exist")


def test_not_a_video(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n")
    assert_one_line_error(invoke("analyze", str(fake), "--out", str(tmp_path)), 2, "not a video")


def test_missing_model_exits_3(tmp_path, squats_clip):
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"VALGUSCAM_MODEL_DIR": str(empty), "VALGUSCAM_CACHE_DIR": str(empty)}
    result = invoke("analyze", str(squats_clip), "--model", "heavy", "--out", str(tmp_path),
                    env=env)  # fmt: skip
    assert_one_line_error(result, 3, "valguscam models download")
    assert not (tmp_path / "squats").exists()


def test_main_returns_the_exit_code(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nope.mp4")]) == 2
    assert main(["analyze", "x", "--exercise", "deadlift"]) == 2
    assert main(["--version"]) == 0
    assert "does not exist" in capsys.readouterr().err


# -- -q and --debug, before or after the command name ---------------------------------------


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback_and_keeps_the_exit_code(tmp_path, where):
    args = ["analyze", str(tmp_path / "clip.mp4"), "--set", "validity=3"]
    result = invoke(*(["--debug", *args] if where == "before" else [*args, "--debug"]))
    assert result.exit_code == 7
    assert "Traceback" in result.stderr and "ConfigError" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("valguscam: error: --set")


SUMMARY = """\
clip.mp4: 30 frames, 1.0 s, person in 30 frames, median body yaw 3 deg
view frontal, bilateral squat (auto), 1 rep(s)
 left knee: OK (0 valgus event(s)); peak FPPA +1.2 deg
right knee: VALGUS (1 valgus event(s)); peak FPPA +14.0 deg
  valgus right knee, rep 1: 0.40-0.60 s
FPPA + = valgus (knee toward the midline); sides are the subject's
keep [left]: Keep doing this.
safety: Sharp pain needs a physical therapist.
warning: body turned away
wrote out/clip/frames.csv
wrote out/clip/report.json"""

QUIET = """\
 left knee: OK (0 valgus event(s)); peak FPPA +1.2 deg
right knee: VALGUS (1 valgus event(s)); peak FPPA +14.0 deg
warning: body turned away
wrote out/clip/frames.csv
wrote out/clip/report.json"""


@pytest.fixture
def fake_analysis(monkeypatch):
    """analyze_video and render replaced: records the call, returns a canned result."""
    import valguscam.report.text
    import valguscam.run.analyze

    calls: list[dict] = []
    outcome = {"no_person": False, "interrupted": False, "raises": None}

    def analyze_video(video, out_dir, cfg, **kwargs):
        calls.append({"video": video, "out_dir": out_dir, "cfg": cfg, **kwargs})
        if outcome["raises"]:
            raise outcome["raises"]
        files = {"report_json": Path(out_dir) / "clip/report.json"}
        return SimpleNamespace(report={}, files=files, no_person=outcome["no_person"],
                               interrupted=outcome["interrupted"])  # fmt: skip

    monkeypatch.setattr(valguscam.run.analyze, "analyze_video", analyze_video)
    monkeypatch.setattr(valguscam.report.text, "render", lambda report, files: SUMMARY)
    return SimpleNamespace(calls=calls, outcome=outcome)


def test_analyze_passes_its_options_on(fake_analysis):
    result = invoke("analyze", "clip.mp4", "--out", "o", "--model", "lite", "--decoder",
                    "opencv", "--exercise", "split_squat", "--set", "pose.workers=1")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip("\n") == SUMMARY
    (call,) = fake_analysis.calls
    assert call["video"] == "clip.mp4" and call["out_dir"] == "o"
    assert call["cfg"] == load_config(None, ["pose.workers=1"])
    assert call["model"] == "lite" and call["decoder"] == "opencv"
    assert call["exercise"] == "split_squat" and call["progress"] is True


@pytest.mark.parametrize("args", [["-q", "analyze", "clip.mp4"], ["analyze", "clip.mp4", "-q"],
                                  ["analyze", "--quiet", "clip.mp4"]])  # fmt: skip
def test_quiet_hides_the_progress_bar_and_the_details(fake_analysis, args):
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip("\n") == QUIET
    assert fake_analysis.calls[0]["progress"] is False


def test_quiet_summary_keeps_verdicts_warnings_and_files():
    assert quiet_summary(SUMMARY) == QUIET


def test_no_person_exits_5(fake_analysis):
    fake_analysis.outcome["no_person"] = True
    result = invoke("analyze", "clip.mp4", "--out", "o")
    assert_one_line_error(result, 5, "no person found in clip.mp4", "report.json")


@pytest.mark.parametrize("how", ["flag", "raise"])
def test_interrupted_exits_130(fake_analysis, how):
    if how == "flag":
        fake_analysis.outcome["interrupted"] = True  # Ctrl-C during pose: results were written
    else:
        fake_analysis.outcome["raises"] = KeyboardInterrupt()
    result = invoke("analyze", "clip.mp4")
    assert result.exit_code == 130
    assert result.stderr.strip() == "valguscam: interrupted"


# -- config ---------------------------------------------------------------------------------


def test_config_prints_the_defaults():
    result = invoke("config")
    assert result.exit_code == 0
    assert "[validity]" in result.stdout and "max_yaw_deg = 30.0" in result.stdout


def test_config_write_to_a_new_file(tmp_path):
    path = tmp_path / "new" / "cfg.toml"
    result = invoke("config", "--write", str(path), "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"wrote {path}"
    assert to_toml(load_config(path)) == to_toml(Config())  # NaN defaults: compare as text
    assert load_config(path, ["validity.max_yaw_deg=25"]).validity.max_yaw_deg == 25.0
    assert [p.name for p in path.parent.iterdir()] == ["cfg.toml"]  # no temp file left


def test_models_path_of_an_unknown_file_exits_3(tmp_path):
    result = invoke("models", "path", str(tmp_path / "nope.task"), "--debug")
    assert result.exit_code == 3
    assert "Traceback" in result.stderr


@pytest.mark.parametrize("command", ["path", "verify"])
def test_models_commands_find_the_model(model_path, command):
    result = invoke("models", command, "full", env={"VALGUSCAM_MODEL_DIR": str(model_path.parent)})
    assert result.exit_code == 0, result.stderr
    assert str(model_path) in result.stdout


@pytest.mark.parametrize("span", ["1.5", "2-1", "a-b", "-1-2", "1-1"])
def test_bad_baseline_span(tmp_path, span):
    result = invoke("analyze", str(tmp_path / "clip.mp4"), f"--baseline={span}")
    assert_one_line_error(result, 7, "--baseline", "START-END")


def test_baseline_span_becomes_the_baseline_stretch(fake_analysis):
    result = invoke("analyze", "clip.mp4", "--baseline", "0.5-1.5")
    assert result.exit_code == 0, result.stderr
    base = fake_analysis.calls[0]["cfg"].baseline
    assert (base.start_s, base.end_s) == (0.5, 1.5)
