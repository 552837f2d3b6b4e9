"""The benchmark's growth measure: sizes interleaved by round (bench/run.py), paired in the report (bench/report.py)."""

from __future__ import annotations

from bench import report


def _run(tool: str, kind: str, wall: float, round_index: int | None, ok: bool = True) -> dict:
    return {"tool": tool, "kind": kind, "wall": wall, "cpu": wall, "peak_mb": 1.0, "ok": ok,
            "round_index": round_index}


def _data(runs_by_size: dict[int, list[dict]]) -> dict:
    """As run.py writes it: interleaved runs under "growth", the others by size."""
    interleaved = all(r["round_index"] is not None for runs in runs_by_size.values() for r in runs)
    sizes = {str(size): {"runs": runs} for size, runs in runs_by_size.items()}
    return {"sizes": {}, "growth": {"sizes": sizes}} if interleaved else {"sizes": sizes}


def test_growth_pairs_each_round_with_itself_not_the_medians():
    # The machine was slow in round 1: medians would say 10,000 -> 100,000 grew 15x; by round, 10x.
    data = _data({10_000: [_run("ours", "nosearch", 40.0, 0), _run("ours", "nosearch", 60.0, 1)],
                  100_000: [_run("ours", "nosearch", 400.0, 0), _run("ours", "nosearch", 600.0, 1)]})
    assert report.paired_growth(data, 10_000, 100_000) == [10.0, 10.0]
    rows = report.scale_targets(report.summarise(data), data)
    assert "10.0x time" in rows[-1] and "by round: 10.0x, 10.0x" in rows[-1] and rows[-1].endswith("| yes |")


def test_growth_leaves_out_failed_runs_and_rounds_missing_a_size():
    data = _data({10_000: [_run("ours", "nosearch", 40.0, 0), _run("ours", "nosearch", 41.0, 1),
                           _run("hugo", "full", 5.0, 0)],
                  100_000: [_run("ours", "nosearch", 520.0, 0), _run("ours", "nosearch", 1.0, 1, ok=False),
                            _run("hugo", "full", 50.0, 0)]})
    assert report.paired_growth(data, 10_000, 100_000) == [13.0]
    assert report.paired_growth(data, 10_000, 100_000, "hugo", "full") == [10.0]
    row = report.scale_targets(report.summarise(data), data)[-1]
    assert "Hugo in the same rounds: 10.0x" in row and row.endswith("| **no** |")


def test_sizes_measured_apart_fall_back_to_the_medians_and_say_so():
    data = _data({1_000: [_run("ours", "nosearch", 4.0, None)], 10_000: [_run("ours", "nosearch", 36.0, None)]})
    assert report.paired_growth(data, 1_000, 10_000) == []
    row = report.scale_targets(report.summarise(data), data)[-1]
    assert "9.0x time (1,000 -> 10,000; measured apart)" in row


def test_three_sizes_give_each_step_and_the_whole_range_but_each_step_decides():
    walls = {1_000: (5.0, 6.0), 10_000: (40.0, 48.0), 100_000: (480.0, 576.0)}
    data = _data({size: [_run("ours", "nosearch", w, n) for n, w in enumerate(pair)] for size, pair in walls.items()})
    row = report.scale_targets(report.summarise(data), data)[-1]
    assert "10x articles: 8.0x time (1,000 -> 10,000" in row and "10x articles: 12.0x time (10,000 -> 100,000" in row
    assert "end to end, 100x articles: 96.0x time (by round: 96.0x, 96.0x)" in row
    assert row.endswith("| **no** |")  # 96x over the range, but the second step grew faster than the corpus


def test_interleaved_rounds_turn_round_every_other_round():
    from bench import run  # imports no psutil at the top: the test extras do not install it

    assert run._schedule([1_000, 10_000, 100_000], 3, True) == [
        (0, 1_000), (0, 10_000), (0, 100_000),
        (1, 100_000), (1, 10_000), (1, 1_000),
        (2, 1_000), (2, 10_000), (2, 100_000)]
    assert run._schedule([1_000, 10_000], 3, False) == [(0, 1_000), (0, 10_000)]
