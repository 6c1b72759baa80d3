"""MediaPipe Pose 33-landmark indices, leg groups and skeleton edges (no vendor import).

Left/right are the subject's sides, as MediaPipe labels them: a person facing the camera
has LEFT_* landmarks on the image's right.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

N_LANDMARKS = 33


class Landmark(IntEnum):
    """Index of each MediaPipe Pose landmark in a (T, 33, ...) array."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


class Side(StrEnum):
    """The subject's side."""

    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


@dataclass(frozen=True)
class Leg:
    """Landmark indices of one leg; `toe` is MediaPipe's foot_index (near big/second toe)."""

    shoulder: int
    hip: int
    knee: int
    ankle: int
    heel: int
    toe: int


LEGS: dict[Side, Leg] = {
    Side.LEFT: Leg(
        shoulder=Landmark.LEFT_SHOULDER,
        hip=Landmark.LEFT_HIP,
        knee=Landmark.LEFT_KNEE,
        ankle=Landmark.LEFT_ANKLE,
        heel=Landmark.LEFT_HEEL,
        toe=Landmark.LEFT_FOOT_INDEX,
    ),
    Side.RIGHT: Leg(
        shoulder=Landmark.RIGHT_SHOULDER,
        hip=Landmark.RIGHT_HIP,
        knee=Landmark.RIGHT_KNEE,
        ankle=Landmark.RIGHT_ANKLE,
        heel=Landmark.RIGHT_HEEL,
        toe=Landmark.RIGHT_FOOT_INDEX,
    ),
}

LOWER_BODY: tuple[int, ...] = tuple(range(Landmark.LEFT_HIP, N_LANDMARKS))

SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW),
    (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE),
    (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_HEEL),
    (Landmark.LEFT_HEEL, Landmark.LEFT_FOOT_INDEX),
    (Landmark.LEFT_ANKLE, Landmark.LEFT_FOOT_INDEX),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE),
    (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL),
    (Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX),
    (Landmark.RIGHT_ANKLE, Landmark.RIGHT_FOOT_INDEX),
)
