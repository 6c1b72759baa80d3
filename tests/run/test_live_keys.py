"""The keys of `valguscam live` (q/Esc quit, space pause, c re-take baseline, s snapshot),
acted on by the loop's key handler with a headless screen (no model needed)."""

from __future__ import annotations

import numpy as np

from valguscam.config import Config
from valguscam.run.live import _key
from valguscam.run.live_output import Screens
from valguscam.run.live_session import LiveSession
from valguscam.run.live_setup import LiveBaseline


def test_keys(tmp_path):
    session = LiveSession(Config(), 640, 360)
    session.countdown.baseline = LiveBaseline({"left": 2.0, "right": 1.0}, 0.0, 2.0)
    shown = np.full((360, 640, 3), 100, np.uint8)
    with Screens(headless=True, mirror=True, dest=tmp_path) as screens:
        assert _key("q", session, screens, shown) == "quit"
        assert _key("esc", session, screens, shown) == "quit"
        assert _key("space", session, screens, shown) == "pause"
        assert _key(None, session, screens, shown) is None
        assert _key("s", session, screens, shown) is None
        assert _key("s", session, screens, shown) is None
        assert [p.name for p in screens.snapshots] == ["snapshot-1.png", "snapshot-2.png"]
        assert all(p.stat().st_size > 0 for p in screens.snapshots)
        assert session.baseline is not None
        assert _key("c", session, screens, shown) is None
        assert session.baseline is None and session.countdown.waiting
