"""Read + normalise speed of our generator alone: no assemble, render or publish.

    python bench/normalise_speed.py --size 10000

Generates (or reuses, under bench/results/tmp/) a corpus with bench/corpus.py and
times `generator.pipeline.read_corpus` on it: find the files, decode, normalise and
analyse each article (in a process pool for large corpora), exactly as `briefing
build` does before the corpus-wide stages. Reports the median of --runs runs, in
seconds and articles per second, and writes bench/results/normalise.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def stage_split(input_dir: Path, config, sample: int) -> dict[str, float]:
    """Milliseconds per article in each per-file stage, one process, on the first `sample` files."""
    from generator.analyse import analyse
    from generator.load import Unreadable, find_inputs, load
    from generator.normalise import normalise

    totals = {"load": 0.0, "normalise": 0.0, "analyse": 0.0}
    paths = find_inputs(input_dir)[:sample]
    for path in paths:
        t0 = time.perf_counter()
        source = load(path, input_dir)
        t1 = time.perf_counter()
        totals["load"] += t1 - t0
        if isinstance(source, Unreadable):
            continue
        article = normalise(source, config)
        t2 = time.perf_counter()
        analyse(article, config)
        t3 = time.perf_counter()
        totals["normalise"] += t2 - t1
        totals["analyse"] += t3 - t2
    return {k: v / len(paths) * 1000 for k, v in totals.items()}


def _load_and_normalise(job: tuple[Path, Path, object]) -> bool:
    from generator.load import Unreadable, load
    from generator.normalise import normalise

    path, input_dir, config = job
    source = load(path, input_dir)
    return not isinstance(source, Unreadable) and normalise(source, config) is not None  # type: ignore[arg-type]


def normalise_only(input_dir: Path, config) -> float:
    """Issue 2's figure: load + normalise (no topic analysis), both cores, as the build runs it."""
    from concurrent.futures import ProcessPoolExecutor

    from generator.load import find_inputs

    jobs = [(p, input_dir, config) for p in find_inputs(input_dir)]
    started = time.perf_counter()
    with ProcessPoolExecutor() as pool:
        list(pool.map(_load_and_normalise, jobs, chunksize=64))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000, help="articles in the corpus (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--config", default=str(ROOT / "briefing.yml"))
    parser.add_argument("--sample", type=int, default=300, help="files for the per-stage split (0: skip)")
    args = parser.parse_args(argv)

    from generator.config import load_config
    from generator.pipeline import read_corpus

    articles_dir, _ = corpus.ensure_corpus(args.size, args.seed, peers=False)
    config = load_config(args.config)
    times = []
    for n in range(args.runs):
        started = time.perf_counter()
        articles, unreadable = read_corpus(Path(articles_dir), config)
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        print(f"run {n + 1}: {elapsed:.2f} s, {len(articles)} articles, {len(unreadable)} unreadable", flush=True)
    median = statistics.median(times)
    rate = len(articles) / median
    only = statistics.median(normalise_only(Path(articles_dir), config) for _ in range(args.runs))
    print(f"load + normalise only (no topic analysis), median: {only:.2f} s")
    print(f"median {median:.2f} s = {rate:,.0f} articles/s ({os.cpu_count()} cores)")
    split = stage_split(Path(articles_dir), config, args.sample) if args.sample else {}
    if split:
        print("one process, ms per article: " + ", ".join(f"{k} {v:.2f}" for k, v in split.items()))

    from fingerprint import code_fingerprint

    lines = [
        "# Read + normalise speed", "",
        "Made by `bench/normalise_speed.py`; do not edit, rerun it.", "",
        f"- command: `python bench/normalise_speed.py --size {args.size} --runs {args.runs}`",
        f"- measured: {dt.datetime.now():%Y-%m-%d %H:%M}, generator source `{code_fingerprint()}`, "
        f"{os.cpu_count()} cores",
        "- what is timed: `read_corpus(Path(dir), config)` — find the files, decode, normalise and "
        "analyse (topic scoring) every article, in a process pool as `briefing build` does; "
        "no assemble, render or publish", "",
        "| articles | runs | median s | min s | max s | articles/s |", "|---:|---:|---:|---:|---:|---:|",
        f"| {len(articles):,} | {len(times)} | {median:.2f} | {min(times):.2f} | {max(times):.2f} | {rate:,.0f} |",
        "",
    ]
    lines += [f"Load + normalise only (no topic analysis), process pool, median of {args.runs}: "
              f"**{only:.2f} s** for {len(articles):,} articles.", ""]
    if split:
        lines += [f"Per-file stages in one process, first {args.sample} files (ms per article): "
                  + ", ".join(f"{k} {v:.2f}" for k, v in split.items()) + ".", ""]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "normalise.md").write_text("\n".join(lines))
    print(f"wrote {RESULTS / 'normalise.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
