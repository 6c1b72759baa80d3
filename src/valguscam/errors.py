"""Domain errors. Every message says what went wrong and what to do next.

cli/ maps these to exit codes; library code raises them and never exits. Each exit code means
one thing (README, "Troubleshooting"):

====  ===========================================================================
code  meaning
====  ===========================================================================
0     done; the report's status is ok
2     bad input: a missing, empty, unreadable or non-video file, a bad option
3     the pose model is missing, corrupt or cannot be downloaded
4     the pose model failed on a frame
5     no person found; report.json was written with status no_person
6     headless Chromium (for --pdf) is missing or failed
7     bad config: unknown section or key, wrong type, value out of range
8     decoding stopped early; report.json was written with status incomplete
9     the output folder cannot be written (checked before any work), or the disk filled up
130   interrupted (Ctrl-C); what was computed is kept, with status incomplete
====  ===========================================================================
"""

from __future__ import annotations

INTERRUPTED_EXIT_CODE = 130
"""Ctrl-C: 128 + SIGINT, as shells report it."""


class ValguscamError(Exception):
    """Base of all valguscam errors. `exit_code` is what the CLI exits with."""

    exit_code = 1


class InputError(ValguscamError):
    """Bad user input: a missing file, a file that is not a video, a bad option."""

    exit_code = 2


class DecodeError(InputError):
    """A video or image sequence stopped decoding part-way (corrupt bytes, a bad image).

    Raised by the frame sources while iterating; the analysis keeps the frames decoded so far
    and marks its report incomplete (IncompleteError in the CLI)."""


class ConfigError(ValguscamError):
    """A config file or override that cannot be used."""

    exit_code = 7


class ModelError(ValguscamError):
    """The pose model is missing, corrupt or cannot be downloaded."""

    exit_code = 3


class DownloadError(ModelError):
    """A model download failed (network, HTTP status, checksum or structure)."""


class PoseError(ValguscamError):
    """The pose estimator failed on a frame it should have handled."""

    exit_code = 4


class NoPersonError(ValguscamError):
    """No person was found in the input; the report was still written, marked as such."""

    exit_code = 5


class BrowserError(ValguscamError):
    """Headless Chromium, which prints the PDF report, is missing or failed."""

    exit_code = 6


class IncompleteError(ValguscamError):
    """Decoding stopped before the end of the input; the report of the frames decoded was
    written with status incomplete."""

    exit_code = 8


class OutputError(ValguscamError):
    """The output folder cannot be written: a file in its place, no permission, a read-only
    or full file system."""

    exit_code = 9
