"""The annotated video and key-frame strip on a real clip (first 3 s of squats.mp4, the real
model): frame count and duration kept, event banners where events are, blurred faces, the
key-frame strip, a frame-count mismatch refused, and `analyze --video --key-frames`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

import valguscam
from valguscam.cli.main import main
from valguscam.draw.overlay_state import face_boxes, states_from_analysis
from valguscam.errors import InputError
from valguscam.media.writer import VideoWriter
from valguscam.run.render import write_annotated_video, write_key_frames
from valguscam.types import ValgusEvent

N_FRAMES = 90  # 3 s at 30 frames/s: the first rep


def decode(path) -> tuple[np.ndarray, list[np.ndarray]]:
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    return np.array([f.time for f in frames]), [f.to_ndarray(format="rgb24") for f in frames]


@pytest.fixture(scope="module")
def short_clip(clip_path, tmp_path_factory) -> Path:
    """The first N_FRAMES frames of squats.mp4, with their timestamps."""
    path = tmp_path_factory.mktemp("clip") / "squats3s.mp4"
    with av.open(str(clip_path("sample:squats.mp4"))) as src, VideoWriter(path, 1280, 720) as out:
        for k, frame in enumerate(src.decode(video=0)):
            if k == N_FRAMES:
                break
            out.write(frame.to_ndarray(format="rgb24"), float(frame.time))
    return path


@pytest.fixture(scope="module")
def analysis(short_clip):
    return valguscam.analyze(short_clip)


@pytest.fixture(scope="module")
def with_event(analysis):
    """The analysis with a collapse event of the left knee injected over frames 30-45."""
    t = analysis.track.t_s
    event = ValgusEvent(
        side="left", start_s=t[30], peak_s=t[38], end_s=t[45], i_start=30, i_peak=38, i_end=45,
        peak_fppa_deg=16.0, peak_dynamic_fppa_deg=14.0, knee_position="inside",
        severity="severe", rep=0,
    )  # fmt: skip
    findings = analysis.findings
    assessment = replace(findings.assessment, events=(event,))
    return replace(analysis, findings=replace(findings, assessment=assessment))


@pytest.fixture(scope="module")
def rendered(short_clip, with_event, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("render")
    plain = write_annotated_video(short_clip, with_event, out / "plain.mp4")
    blurred = write_annotated_video(
        short_clip, with_event, out / "blur.mp4", blur_faces=True, key_frames_path=out / "k.png"
    )
    assert plain.n_frames == blurred.n_frames == N_FRAMES
    return {"plain": plain.video, "blur": blurred.video, "key_frames": blurred.key_frames}


def test_same_frame_count_and_duration_as_the_input(short_clip, rendered):
    t_in, _ = decode(short_clip)
    t_out, frames = decode(rendered["plain"])
    assert len(t_out) == len(t_in) == N_FRAMES
    period = float(np.median(np.diff(t_in)))
    assert abs((t_out[-1] - t_out[0]) - (t_in[-1] - t_in[0])) < period
    assert np.allclose(t_out - t_out[0], t_in - t_in[0], atol=1e-3)
    assert frames[0].shape == (720, 1280, 3)


def test_banner_only_while_the_event_lasts(rendered):
    _, frames = decode(rendered["plain"])
    corner = np.array([f[5:30, -200:].reshape(-1, 3).mean(axis=0) for f in frames])
    reddish = (corner[:, 0] > 140) & (corner[:, 1] < 80) & (corner[:, 2] < 80)
    assert reddish[30:46].all()
    assert not reddish[:30].any() and not reddish[46:].any()


def test_knee_colour_follows_the_knee_position(analysis, rendered):
    from valguscam.draw.overlay import POSITION_COLOR

    states = states_from_analysis(analysis)
    _, frames = decode(rendered["plain"])
    checked = 0
    for i, st in enumerate(states):
        knee = st.left.points[1]
        if not np.isfinite(knee).all():
            continue
        x, y = (int(round(v)) for v in knee)
        got = frames[i][y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3).mean(axis=0)
        assert np.abs(got - POSITION_COLOR[st.left.position]).max() < 30, i
        checked += 1
    assert checked > N_FRAMES // 2


def test_blur_changes_the_face_not_the_legs(analysis, rendered):
    _, plain = decode(rendered["plain"])
    _, blur = decode(rendered["blur"])
    boxes = face_boxes(analysis.track.xy, 1280, 720)
    i = 10
    x0, y0, x1, y1 = boxes[i]
    face = np.abs(plain[i][y0:y1, x0:x1].astype(int) - blur[i][y0:y1, x0:x1]).mean()
    legs = np.abs(plain[i][y1 + 150 :].astype(int) - blur[i][y1 + 150 :]).mean()
    assert face > 8 and legs < 1.5


def panels(path) -> int:
    import cv2

    img = cv2.imread(str(path))
    white = (img == 255).all(axis=(0, 2))
    return int(np.sum(np.diff(white.astype(int)) == 1)) + 1


def test_key_frames_one_panel_per_event_or_rep(short_clip, analysis, rendered, tmp_path):
    assert panels(rendered["key_frames"]) == 1  # one injected event
    alone = write_key_frames(short_clip, analysis, tmp_path / "k.png")
    assert panels(alone.key_frames) == len(analysis.findings.reps) >= 1  # no events: rep bottoms


def test_a_clip_that_does_not_match_the_analysis_is_refused(clip_path, analysis, tmp_path):
    out = tmp_path / "x.mp4"
    with pytest.raises(InputError, match="frames but the analysis has"):
        write_annotated_video(clip_path("sample:squats.mp4"), analysis, out)
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_video_and_key_frames(short_clip, tmp_path, capsys):
    code = main(["analyze", str(short_clip), "--out", str(tmp_path), "--video", "--no-progress"])
    assert code == 0
    folder = tmp_path / short_clip.stem
    assert (folder / "annotated.mp4").is_file() and (folder / "key_frames.png").is_file()
    assert f"wrote {folder / 'annotated.mp4'}" in capsys.readouterr().out
    t_out, _ = decode(folder / "annotated.mp4")
    assert len(t_out) == N_FRAMES
    listed = valguscam.load_report(folder)["files"]
    assert {"annotated.mp4", "key_frames.png", "report.json", "frames.csv"} <= set(listed)


def test_target_zones_only_from_the_front(analysis):
    """The foot's target zone runs along the hip line: drawn on frontal frames, not in a side
    view (body yaw beyond validity.max_yaw_deg), where it would point nowhere."""
    frontal = states_from_analysis(analysis)
    assert sum(s.left.zone is not None for s in frontal) > 0.8 * N_FRAMES
    turned = replace(analysis.metrics, yaw_deg=np.full(N_FRAMES, 60.0))
    side_view = states_from_analysis(replace(analysis, metrics=turned))
    assert all(s.left.zone is None and s.right.zone is None for s in side_view)
