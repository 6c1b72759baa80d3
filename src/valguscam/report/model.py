"""The typed report: a frozen dataclass tree of one analysis, built by report/document.py.

Numbers keep full precision (NaN or None where not measurable); `Report.to_dict()` gives the
report.json content, rounded by the one table in report/jsonable.py (see
docs/report-schema.json).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from valguscam import __version__
from valguscam.assessment.advice import AdviceItem
from valguscam.assessment.asymmetry import Asymmetry, TrackingAsymmetry
from valguscam.assessment.findings import ExerciseSource
from valguscam.assessment.rep_summary import RepSideSummary
from valguscam.assessment.side_summary import SideSummary
from valguscam.assessment.verdicts import SideAssessment
from valguscam.config import Config
from valguscam.movement.view import ViewEstimate
from valguscam.types import Baseline, Rep, ValgusEvent, VideoInfo

SCHEMA_VERSION = "1.2"


@dataclass(frozen=True)
class ModelInfo:
    """Which pose model produced the landmarks."""

    name: str
    path: str
    sha256: str


class RunStatus(StrEnum):
    """How the run ended: all frames done, stopped early, or no person in any frame."""

    OK = "ok"
    INCOMPLETE = "incomplete"
    NO_PERSON = "no_person"


@dataclass(frozen=True)
class Quality:
    """How far the numbers can be trusted. median_yaw_deg: median body yaw, degrees (NaN when
    never estimated); warnings: human-readable, most important first.

    frames: frames decoded and analyzed; frames_expected: frames the file's header lists (None
    when unknown, e.g. a webcam), so a status "incomplete" shows what is missing; stopped: why
    the run ended early ("interrupted" = Ctrl-C, "decoding" = the input could not be decoded to
    its end; None = it ran to the end)."""

    status: RunStatus
    frames: int
    frames_with_pose: int
    pose_workers: int
    leg_swap_frames: int
    median_yaw_deg: float
    warnings: tuple[str, ...]
    frames_expected: int | None = None
    stopped: str | None = None


@dataclass(frozen=True)
class ExerciseInfo:
    """The exercise judged and whether it was detected or given."""

    label: str
    source: ExerciseSource


@dataclass(frozen=True)
class RepEntry:
    """One rep: its times and depth (Rep), its camera view and both sides' summaries."""

    rep: Rep
    view: str
    left: RepSideSummary | None
    right: RepSideSummary | None


class EventKind(StrEnum):
    """Which way the knee went in an event."""

    VALGUS = "valgus"
    VARUS = "varus"


@dataclass(frozen=True)
class EventEntry:
    """One judged knee event and its kind."""

    kind: EventKind
    event: ValgusEvent


@dataclass(frozen=True)
class SideReport:
    """One side: the clip-wide summary (all valid frames) and the verdict over the frames where
    it is judged. Where both carry a number of the same name, the judged one is reported."""

    clip: SideSummary
    judged: SideAssessment


@dataclass(frozen=True)
class AsymmetryReport:
    """Left minus right: FPPA against its SDD, and the knee tracking at depth."""

    fppa: Asymmetry
    tracking: TrackingAsymmetry


@dataclass(frozen=True)
class Summary:
    """Per side and left-right: what the clip shows."""

    rep_count: int
    left: SideReport
    right: SideReport
    asymmetry: AsymmetryReport

    def side(self, name: str) -> SideReport:
        """The SideReport of "left" or "right"."""
        return self.left if name == "left" else self.right


@dataclass(frozen=True)
class Report:
    """Everything report.json holds, typed (see docs/report-schema.json).

    source: the decoded video; baseline: the standing baseline per side ("left", "right");
    view: the clip's camera view; reps, events, summary, advice: the findings; conventions:
    the measurement conventions, stated in words; config: the config the run used;
    files: the names of the files saved with it in its folder (set by `Analysis.save`).
    """

    source: VideoInfo
    model: ModelInfo
    config: Config
    conventions: dict[str, str]
    quality: Quality
    baseline: dict[str, Baseline]
    view: ViewEstimate
    exercise: ExerciseInfo
    reps: tuple[RepEntry, ...]
    events: tuple[EventEntry, ...]
    summary: Summary
    advice: tuple[AdviceItem, ...]
    files: tuple[str, ...] = ()
    schema_version: str = SCHEMA_VERSION
    tool_version: str = __version__

    def to_dict(self) -> dict:
        """The report.json content: plain JSON values, rounded (report/jsonable.py DIGITS),
        NaN as None."""
        from valguscam.report.to_json import report_dict

        return report_dict(self)
