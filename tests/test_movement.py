"""Placeholder while building: loads every clip into the track cache."""

import pytest

CLIPS = [
    "rjsong/squat.mp4",
    "nowva/squats.mp4",
    "nowva/lunge.mp4",
    "tommyhill/squat1.mp4",
    "yuyoujiang/squat.mp4",
    "formfit/squat.mp4",
    "dspro2/squat.mp4",
    "lnewco/IMG_7060.mov",
    "lnewco/IMG_7029.mov",
    "lnewco/IMG_7026.mov",
    "noquartersquats/test_squat.mp4",
]


@pytest.mark.parametrize("name", CLIPS)
def test_load(clip_track, name):
    assert clip_track(name).n_frames > 0
