"""results.md and build-time.svg from bench/results/runs.json (written by run.py).

    python bench/report.py          # same as: python bench/run.py --report-only
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
TOOLS = ("ours", "hugo", "pelican", "mkdocs")
CONFIG_EDITS = ("config-site", "config-topics")
"""Our rebuilds after an edit to briefing.yml (see run.py's `edited_config`)."""
LABELS = {"ours": "ours (briefing)", "hugo": "Hugo", "pelican": "Pelican", "mkdocs": "MkDocs"}
MKDOCS_MAX = 3000
TARGET_SIZE = 10000
PSS_SECONDS = 1.0
"""How often bench/run.py reads PSS (PSS_EVERY samples of 50 ms)."""


def _ok(runs: list[dict], tool: str, kind: str) -> list[dict]:
    return [r for r in runs if r["tool"] == tool and r["kind"] == kind and r["ok"]]


def _stats(runs: list[dict]) -> dict | None:
    if not runs:
        return None
    walls = [r["wall"] for r in runs]
    return {"n": len(runs), "median": statistics.median(walls), "min": min(walls), "max": max(walls),
            "cpu": statistics.median(r["cpu"] for r in runs), "peak": max(r["peak_mb"] for r in runs),
            "pss": max(r.get("peak_pss_mb", 0.0) for r in runs),
            "others": max(r.get("others", 0.0) for r in runs)}


def summarise(data: dict) -> dict[int, dict[str, dict | None]]:
    """size -> row name -> stats (None when every run failed; absent when not run)."""
    out: dict[int, dict[str, dict | None]] = {}
    for size_text, entry in sorted(data.get("sizes", {}).items(), key=lambda kv: int(kv[0])):
        runs = entry["runs"]
        rows: dict[str, dict | None] = {}
        for tool in TOOLS:
            if any(r["tool"] == tool and r["kind"] == "full" for r in runs):
                rows[tool] = _stats(_ok(runs, tool, "full"))
        for kind in ("nosearch", "pagefind", "nochange", "touched", "touched-nosearch", *CONFIG_EDITS):
            if any(r["tool"] == "ours" and r["kind"] == kind for r in runs):
                rows[f"ours:{kind}"] = _stats(_ok(runs, "ours", kind))
        out[int(size_text)] = rows
    return out


def _f(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _ratio(a: dict | None, b: dict | None) -> str:
    if not a or not b or not b["median"]:
        return "–"
    return f"{a['median'] / b['median']:.2f}"


ROW_NAMES = {"ours": "ours, full build", "ours:nosearch": "ours, full build without search",
             "ours:pagefind": "ours, search index alone (every shard)", "ours:nochange": "ours, no-change rebuild",
             "ours:touched": "ours, one article changed",
             "ours:touched-nosearch": "ours, one article changed, without search",
             "ours:config-site": "ours, site title edited, without search",
             "ours:config-topics": "ours, one topic rule edited, without search", "hugo": "Hugo", "pelican": "Pelican",
             "mkdocs": "MkDocs"}


def table(summary: dict[int, dict[str, dict | None]], data: dict) -> list[str]:
    lines = ["| size | tool | runs | median wall s | min s | max s | median CPU s | peak MB | peak PSS MB "
             "| ratio vs Hugo | ratio vs ours | others' CPU |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, rows in summary.items():
        settings = data["sizes"][str(size)].get("settings", {})
        tools = settings.get("tools", TOOLS)
        for name in ("ours", "ours:nosearch", "ours:pagefind", "ours:nochange", "ours:touched",
                     "ours:touched-nosearch", *(f"ours:{kind}" for kind in CONFIG_EDITS), "hugo", "pelican", "mkdocs"):
            if name not in rows:
                if name == "mkdocs" and "mkdocs" in tools and size > MKDOCS_MAX:
                    lines.append(f"| {size:,} | MkDocs | – | skipped | | | | | | | | |")
                continue
            s = rows[name]
            if s is None:
                lines.append(f"| {size:,} | {ROW_NAMES[name]} | 0 | **failed** (see below) | | | | | | | | |")
                continue
            lines.append(f"| {size:,} | {ROW_NAMES[name]} | {s['n']} | {_f(s['median'])} | {_f(s['min'])} | "
                         f"{_f(s['max'])} | {_f(s['cpu'], 1)} | {s['peak']:.0f} | "
                         f"{_f(s['pss'] if s['pss'] and s['min'] >= PSS_SECONDS else None, 0)} | "
                         f"{_ratio(s, rows.get('hugo'))} | "
                         f"{_ratio(s, rows.get('ours'))} | {s['others']:.0%} |")
    return lines


def targets(summary: dict[int, dict[str, dict | None]], data: dict | None = None) -> list[str]:
    rows = summary.get(TARGET_SIZE)
    if not rows:
        return [f"No run at {TARGET_SIZE:,} articles yet: the targets are not checked."]
    ours, hugo, pelican = rows.get("ours"), rows.get("hugo"), rows.get("pelican")
    nochange, touched = rows.get("ours:nochange"), rows.get("ours:touched")
    out = ["| target (10,000 articles) | measured | met? |", "|---|---|---|"]

    def line(name: str, value: str, met: bool | None) -> None:
        out.append(f"| {name} | {value} | {'–' if met is None else ('yes' if met else '**no**')} |")

    if ours and hugo:
        r = ours["median"] / hugo["median"]
        line("full build at most 2x Hugo's wall time", f"{r:.1f}x Hugo ({ours['median']:.1f} s vs "
             f"{hugo['median']:.1f} s; in CPU seconds {ours['cpu'] / max(hugo['cpu'], 0.01):.1f}x)", r <= 2)
    else:
        line("full build at most 2x Hugo's wall time", "not measured", None)
    if ours and pelican:
        r = pelican["median"] / ours["median"]
        line("full build at least 3x faster than Pelican", f"Pelican / ours = {r:.2f} "
             f"({pelican['median']:.1f} s vs {ours['median']:.1f} s; in CPU seconds "
             f"{pelican['cpu'] / max(ours['cpu'], 0.01):.2f})", r >= 3)
    else:
        line("full build at least 3x faster than Pelican", "not measured", None)
    if ours and nochange:
        r = nochange["median"] / ours["median"]
        line("no-change rebuild at most 10% of a full build", f"{nochange['median']:.2f} s = {r:.0%} of full",
             r <= 0.10)
    else:
        line("no-change rebuild at most 10% of a full build", "not measured", None)
    bare = rows.get("ours:touched-nosearch")
    if touched:
        line("one changed article rebuilt in under 1 s", f"{touched['median']:.2f} s"
             + (f" = {touched['median'] / ours['median']:.0%} of full" if ours else "")
             + (f"; {bare['median']:.2f} s without the search index (Pagefind indexes the changed shard again)"
                if bare else ""), touched["median"] < 1)
    else:
        line("one changed article rebuilt in under 1 s", "not measured", None)
    out += scale_targets(summary, data or {})
    return out


def scale_targets(summary: dict[int, dict[str, dict | None]], data: dict) -> list[str]:
    """Memory at 100,000 and the growth of build time, measured on our builds without search: the
    same work at every size (Pagefind's share is its own row)."""
    out = []
    big = summary.get(100_000, {}).get("ours:nosearch") or summary.get(100_000, {}).get("ours")
    if big:
        measured = f"{big['pss']:,.0f} MB peak PSS, {big['peak']:,.0f} MB summed RSS" if big["pss"] else \
            f"{big['peak']:,.0f} MB summed RSS"
        met = (big["pss"] or big["peak"]) < 1024
        out.append(f"| peak memory under 1 GB at 100,000 (build without search) | {measured} | "
                   f"{'yes' if met else '**no**'} |")
    grown = {int(n) for n in data.get("growth", {}).get("sizes", {})}
    sizes = sorted(grown) if len(grown) >= 2 else [n for n in sorted(summary) if summary[n].get("ours:nosearch")]
    if len(sizes) >= 2:
        steps, linear = [], True
        for a, b in zip(sizes, sizes[1:]):
            paired = paired_growth(data, a, b)
            if paired:
                growth = statistics.median(paired)
                how = f"interleaved, by round: {', '.join(f'{g:.1f}x' for g in paired)}" + _hugo_growth(data, a, b)
            elif summary.get(a, {}).get("ours:nosearch") and summary.get(b, {}).get("ours:nosearch"):
                growth = summary[b]["ours:nosearch"]["median"] / summary[a]["ours:nosearch"]["median"]
                how = "measured apart"
            else:
                steps.append(f"{a:,} -> {b:,}: no round with both")
                linear = False
                continue
            linear = linear and growth <= 1.1 * b / a
            steps.append(f"{b // a}x articles: {growth:.1f}x time ({a:,} -> {b:,}; {how})")
        first, last = sizes[0], sizes[-1]
        whole = paired_growth(data, first, last)
        if len(sizes) > 2 and whole:
            # The curve from end to end too: the fixed costs of a small build hide part of a
            # larger one's growth in the first step, and the issue asks from 1,000 to 100,000.
            steps.append(f"end to end, {last // first}x articles: {statistics.median(whole):.1f}x time "
                         f"(by round: {', '.join(f'{g:.1f}x' for g in whole)})")
        out.append(f"| build time growing linearly (build without search) | {'; '.join(steps)} | "
                   f"{'yes' if linear else '**no**'} |")
    return out


def _round_walls(data: dict, size: int, tool: str, kind: str) -> dict[int, float]:
    """Round -> wall time, from the runs of `run.py --interleave-sizes` (data["growth"])."""
    runs = data.get("growth", {}).get("sizes", {}).get(str(size), {}).get("runs", [])
    return {r["round_index"]: r["wall"] for r in _ok(runs, tool, kind) if r.get("round_index") is not None}


def paired_growth(data: dict, a: int, b: int, tool: str = "ours", kind: str = "nosearch") -> list[float]:
    """Time at size b over time at size a, for each round that measured both: builds minutes apart,
    so a change of the machine's speed between hours does not pass for growth (one run each at
    10,000 and 100,000 an hour apart gave 9.9x and 13.6x on the same code)."""
    small, large = _round_walls(data, a, tool, kind), _round_walls(data, b, tool, kind)
    return [large[n] / small[n] for n in sorted(small.keys() & large.keys())]


def _hugo_growth(data: dict, a: int, b: int) -> str:
    hugo = paired_growth(data, a, b, "hugo", "full")
    return f"; Hugo in the same rounds: {', '.join(f'{g:.1f}x' for g in hugo)}" if hugo else ""


def failures(data: dict) -> list[str]:
    out = []
    for label, sizes in (("", data.get("sizes", {})), ("growth, ", data.get("growth", {}).get("sizes", {}))):
        for size, entry in sorted(sizes.items(), key=lambda kv: int(kv[0])):
            for r in entry["runs"]:
                if not r["ok"]:
                    out.append(f"- {label}{int(size):,} {r['tool']} {r['kind']}: exit {r['exit_code']}, {r['note']}")
    return out


def code_versions(data: dict) -> list[str]:
    seen: dict[str, int] = {}
    for entry in data.get("sizes", {}).values():
        for r in entry["runs"]:
            if r["tool"] == "ours" and r.get("code"):
                seen[r["code"]] = seen.get(r["code"], 0) + 1
    if not seen:
        return []
    if len(seen) == 1:
        return ["", f"Our generator's source in every run: `{next(iter(seen))}` (git HEAD + hash of "
                "generator/, templates/, briefing.yml)."]
    return ["", "**Our generator's source changed during the benchmark** (it is developed concurrently); "
            "runs per source fingerprint (git HEAD + hash of generator/, templates/, briefing.yml): "
            + ", ".join(f"`{k}` × {v}" for k, v in seen.items()) + "."]


def plot(summary: dict[int, dict[str, dict | None]], path: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 5))
    styles = {"ours": ("o-", "C0"), "hugo": ("s-", "C1"), "pelican": ("^-", "C2"), "mkdocs": ("D-", "C3"),
              "ours:nochange": ("v--", "C4"), "ours:touched": ("P:", "C5"), "ours:nosearch": ("o--", "C6")}
    labels = {**LABELS, "ours:nochange": "ours, no-change rebuild", "ours:touched": "ours, one article changed",
              "ours:nosearch": "ours, full build without search"}
    for name, (style, colour) in styles.items():
        points = [(size, rows[name]) for size, rows in summary.items() if rows.get(name)]
        if not points:
            continue
        xs = [p[0] for p in points]
        ys = [p[1]["median"] for p in points]
        err = [[y - p[1]["min"] for y, p in zip(ys, points)], [p[1]["max"] - y for y, p in zip(ys, points)]]
        ax.errorbar(xs, ys, yerr=err, fmt=style, color=colour, label=labels[name], capsize=3,
                    alpha=1.0 if ":" not in name else 0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("articles in the corpus")
    ax.set_ylabel("wall time, s (median; bars: min–max)")
    ax.set_title("Build time against corpus size (log-log)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    written = []
    for suffix in (".svg", ".png"):
        target = path.with_suffix(suffix)
        fig.savefig(target, dpi=110)
        written.append(target)
    plt.close(fig)
    return written


def write(data: dict, results: Path = RESULTS) -> None:
    summary = summarise(data)
    lines = ["# Build benchmark results", "",
             "Made by `bench/run.py` (see bench/README.md for what each number means). "
             "Do not edit: rerun the benchmark.", ""]
    if "command" in data:
        lines += [f"- machine: {data.get('machine', '?')}"]
    for size, entry in sorted(data.get("sizes", {}).items(), key=lambda kv: int(kv[0])):
        st = entry.get("settings", {})
        lines.append(f"- {int(size):,} articles: `{entry.get('command', '?')}`, finished {entry['date']} "
                     f"after {entry.get('elapsed_s', '?')} s; {st.get('warmup', '?')} warm-up round(s), "
                     f"{st.get('runs', '?')} measured round(s), our rebuilds measured in "
                     f"{st.get('incremental', '?')} round(s), corpus seed {st.get('seed', '?')}")
    for size, entry in sorted(data.get("growth", {}).get("sizes", {}).items(), key=lambda kv: int(kv[0])):
        lines.append(f"- growth, {int(size):,} articles: `{entry.get('command', '?')}`, finished {entry['date']} "
                     f"(interleaved with the other sizes of that command, for the growth target only)")
    for tool, version in data.get("versions", {}).items():
        lines.append(f"- {tool}: {version}")
    lines += ["", *table(summary, data), "",
              "Ratios divide this row's median wall time by Hugo's, or by ours' full build, at the same size. "
              "Peak MB is the peak of the summed RSS of the process tree (our build forks a worker per core, and "
              "a page the workers share with it counts once per process); peak PSS MB counts each page once, split "
              "between the processes sharing it, sampled once a second (– for runs shorter than that, or older than "
              "the measure). "
              "Others' CPU is the largest share of the machine's CPU that other processes took during one "
              "of the row's runs: above ~10% the wall times are disturbed. "
              f"MkDocs is skipped above {MKDOCS_MAX:,} articles: it renders the whole navigation into every "
              "page, so its time grows with the square of the corpus.", "",
              "## Targets", "", *targets(summary, data), ""]
    fails = failures(data)
    if fails:
        lines += ["## Failed runs", "", *fails, ""]
    lines += code_versions(data)
    lines += ["", "![build time against corpus size](build-time.svg)", ""]
    results.mkdir(parents=True, exist_ok=True)
    (results / "results.md").write_text("\n".join(lines))
    plot(summary, results / "build-time.svg")


def main() -> int:
    write(json.loads((RESULTS / "runs.json").read_text()))
    print(f"wrote {RESULTS / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
