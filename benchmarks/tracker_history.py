"""How much a landmarker's result depends on the frames it saw before: the floor under any
parallel split of the pose stage.

    python benchmarks/tracker_history.py [VIDEO ...]

For each clip (default: the shared front-view squat clips), one landmarker runs on every frame,
and a fresh one runs from the middle frame on. Prints the distance between their leg landmarks
(hips, knees, ankles, heels, toes; thigh lengths) on the second half: at the restart, 10 and
100 frames after it, and the median over the second half. If the difference died out, a clip
cut into contiguous segments would match the single run after a few frames; it does not.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from agreement import LEG_POINTS

from valguscam.config import PoseConfig
from valguscam.media.sources import VideoFileSource
from valguscam.pose.estimator import open_estimators
from valguscam.pose.models import resolve_model

SHARED_VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "videos"
DEFAULT = ("nowva/squats.mp4", "rjsong/squat.mp4", "lnewco/IMG_7060.mov")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="*", type=Path)
    args = ap.parse_args()
    model = resolve_model("full")
    for video in args.videos or [SHARED_VIDEOS / c for c in DEFAULT]:
        with VideoFileSource(video) as source:
            frames = list(source)
        half = len(frames) // 2
        with open_estimators(model, PoseConfig(), 2) as (whole, restarted):
            ref = np.array([whole.detect(f.rgb, f.t_s).xy for f in frames])[half:]
            new = np.array([restarted.detect(f.rgb, f.t_s).xy for f in frames[half:]])
        thigh = np.nanmedian(np.linalg.norm(ref[:, 23] - ref[:, 25], axis=1))
        dist = np.linalg.norm(ref[:, LEG_POINTS] - new[:, LEG_POINTS], axis=2) / thigh
        per_frame = np.nanmedian(dist, axis=1)
        at = {i: per_frame[i] for i in (0, 10, 100) if i < len(per_frame)}
        print(
            f"{video.parent.name}/{video.name}: restarted at frame {half}; median leg-landmark"
            f" distance at +0/+10/+100 frames {' / '.join(f'{v:.4f}' for v in at.values())},"
            f" over the second half {np.nanmedian(dist):.4f} thigh lengths;"
            f" frames identical: {int((np.nanmax(dist, axis=1) == 0).sum())} of {len(dist)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
