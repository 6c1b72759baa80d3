"""valguscam: knee valgus analysis from video.

    import valguscam

    analysis = valguscam.analyze("squat.mp4")      # pose, metrics, reps, verdicts; no files
    analysis.track, analysis.metrics, analysis.report
    analysis.save("out/squat")                     # frames.csv, report.json
    result = valguscam.batch(["clips/"], "out")    # every video, summary.csv, resumable
    report = valguscam.load_report("out/squat")    # the report.json back, as a dict

Conventions (binding everywhere, see README "Conventions"):
image pixels with origin top-left, x right, y down; left/right are the SUBJECT's sides;
FPPA (frontal plane projection angle) is positive for valgus (knee medial of the hip-ankle line).

The names below are loaded on first use, so `import valguscam` loads neither the pose model's
libraries (mediapipe, OpenCV, PyAV) nor scipy or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from valguscam.config import Config, load_config
    from valguscam.errors import (
        ConfigError,
        DownloadError,
        InputError,
        ModelError,
        NoPersonError,
        PoseError,
        ValguscamError,
    )
    from valguscam.run.analyze import Analysis, analyze, load_report
    from valguscam.run.batch import BatchResult, VideoResult, batch

__all__ = [
    "Analysis",
    "BatchResult",
    "Config",
    "ConfigError",
    "DownloadError",
    "InputError",
    "ModelError",
    "NoPersonError",
    "PoseError",
    "ValguscamError",
    "VideoResult",
    "__version__",
    "analyze",
    "batch",
    "load_config",
    "load_report",
]

_HOME = {
    "valguscam.run.analyze": ("Analysis", "analyze", "load_report"),
    "valguscam.run.batch": ("BatchResult", "VideoResult", "batch"),
    "valguscam.config": ("Config", "load_config"),
    "valguscam.errors": (
        "ConfigError",
        "DownloadError",
        "InputError",
        "ModelError",
        "NoPersonError",
        "PoseError",
        "ValguscamError",
    ),
}
_LAZY = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'valguscam' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
