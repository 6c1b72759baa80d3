"""VideoWriter: H.264 MP4 that decodes with the frames and timestamps written, atomically."""

from __future__ import annotations

import av
import numpy as np
import pytest

from valguscam.errors import InputError
from valguscam.media.writer import VideoWriter


def decode(path) -> tuple[list[float], list[np.ndarray], str]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        codec = stream.codec_context.name
    return [f.time for f in frames], [f.to_ndarray(format="rgb24") for f in frames], codec


def test_frames_and_variable_timestamps_survive(tmp_path):
    path = tmp_path / "out.mp4"
    t_s = np.cumsum(np.r_[0.0, np.where(np.arange(44) % 3 == 0, 0.05, 1 / 30)])  # VFR
    with VideoWriter(path, 160, 120, fps=30) as out:
        for k, t in enumerate(t_s):
            out.write(np.full((120, 160, 3), (k * 5) % 256, np.uint8), t)
    assert out.frames_written == len(t_s)
    times, rgb, codec = decode(path)
    assert codec == "h264"
    assert len(times) == len(t_s)
    assert np.allclose(times, t_s, atol=1e-4)
    assert rgb[0].shape == (120, 160, 3)
    assert abs(int(rgb[10].mean()) - 50) <= 3  # crf 20: close to the written grey
    assert not list(tmp_path.glob(".*"))  # no temp file left


def test_an_error_leaves_no_file(tmp_path):
    path = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError), VideoWriter(path, 64, 64) as out:
        out.write(np.zeros((64, 64, 3), np.uint8), 0.0)
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_a_frame_of_another_size_is_refused(tmp_path):
    with pytest.raises(InputError, match="one size"), VideoWriter(tmp_path / "a.mp4", 64, 64) as w:
        w.write(np.zeros((32, 64, 3), np.uint8), 0.0)
    assert list(tmp_path.iterdir()) == []


def test_odd_sizes_are_cropped_to_even(tmp_path):
    path = tmp_path / "odd.mp4"
    with VideoWriter(path, 65, 49) as out:
        for k in range(3):
            out.write(np.zeros((49, 65, 3), np.uint8), k / 30)
    times, rgb, _ = decode(path)
    assert len(times) == 3 and rgb[0].shape == (48, 64, 3)
