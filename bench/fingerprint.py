"""Which version of our generator a measurement is of: it is developed while benchmarks run.

Read from the files (no git command): HEAD's commit plus a hash of generator/, templates/ and
briefing.yml as they are on disk, so uncommitted edits show too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_fingerprint() -> str:
    """Our generator as it is now: HEAD plus a hash of generator/, templates/ and briefing.yml,
    read from files (the generator is developed while the benchmark runs)."""
    digest = hashlib.sha256()
    for folder in ("generator", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    digest.update((ROOT / "briefing.yml").read_bytes())
    return f"{git_head()[:10]}+{digest.hexdigest()[:10]}"


def git_head() -> str:
    try:
        git = _git_dir(ROOT / ".git")
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            common = _common_dir(git)
            for folder in (git, common):
                if (folder / ref).exists():
                    return (folder / ref).read_text().strip()
            packed = (common / "packed-refs").read_text()
            for line in packed.splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
        return head
    except OSError:
        return "unknown"


def _git_dir(dot_git: Path) -> Path:
    """A worktree's `.git` is a file naming its folder in the main repository (benchmarks run
    from worktrees, so the code measured does not change under them)."""
    if dot_git.is_file():
        return dot_git.parent / dot_git.read_text().strip().removeprefix("gitdir:").strip()  # may be relative
    return dot_git


def _common_dir(git: Path) -> Path:
    """Where a worktree's branches are: the main repository's folder."""
    common = git / "commondir"
    return (git / common.read_text().strip()).resolve() if common.is_file() else git
