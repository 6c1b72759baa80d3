"""Byte-mutation fuzz of `valguscam analyze`, bounded for CI: 100 mutants of two half-second
clips (index at the start, at the end), at most 150 s. Every run ends with an exit code in
fuzz_videos.ALLOWED, no traceback and no hang. The longer run: benchmarks/fuzz_videos.py."""

from __future__ import annotations

from fuzz_videos import ALLOWED, fuzz, make_seed_clips

MUTANTS = 100
BUDGET_S = 150.0


def test_mutated_videos_never_crash_analyze(tmp_path, clip_path):
    seeds = make_seed_clips(tmp_path, clip_path("sample:squats.mp4"))
    summary = fuzz(
        seeds, MUTANTS, seed=13, budget_s=BUDGET_S, hang_s=60.0, keep=tmp_path / "crashes"
    )
    report = [f"{o.crash} ({what}) kept as {kept}: {o.line}" for what, o, kept in summary.crashes]
    assert not summary.crashes, "\n".join(report)
    assert summary.mutants >= 40, f"only {summary.mutants} mutants within {BUDGET_S} s"
    assert set(summary.codes) <= set(ALLOWED)
    assert len(summary.codes) >= 2  # the mutants reach more than one outcome
