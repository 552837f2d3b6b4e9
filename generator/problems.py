"""The one place that says what went wrong, in words a user can act on.

Stages never print: they attach `Problem`s to their results or raise a
`BriefingError`; only the CLI turns them into text and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from generator.records import pickled_as_tuple


class Severity(str, Enum):
    NOTE = "note"
    """Worth saying, harmless: does not fail a `--strict` build."""
    WARNING = "warning"
    ERROR = "error"


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one input, located as precisely as we can."""

    path: str
    """The input file, relative to the project when possible."""
    message: str
    """What is wrong, in one sentence."""
    line: int | None = None
    """1-based line in the file, when the problem has one."""
    hint: str | None = None
    """What to do about it."""
    severity: Severity = Severity.WARNING

    def __post_init__(self) -> None:
        if isinstance(self.severity, str) and not isinstance(self.severity, Severity):
            object.__setattr__(self, "severity", Severity(self.severity))

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.severity.value}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class BriefingError(Exception):
    """A user error that stops the command; the CLI prints it without a traceback."""

    exit_code = 1

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.problem = Problem(path or "briefing", message, line, hint, Severity.ERROR)

    def format(self) -> str:
        return self.problem.format()


class ConfigError(BriefingError):
    """The configuration is unusable; nothing is built (exit code 2)."""

    exit_code = 2


class UsageError(BriefingError):
    exit_code = 2


def format_problems(problems: list[Problem], limit: int = 50) -> list[str]:
    """Fold floods so one bad corpus does not bury the terminal."""
    lines = [p.format() for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more (see data/report.json)")
    return lines
