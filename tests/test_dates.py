"""Dates in the forms real outlets print them, read without guessing."""

import pytest

from generator.config import DateSettings
from generator.dates import read_date

DMY = DateSettings(("en", "es"), "DMY")
MDY = DateSettings(("en", "es"), "MDY")

CASES = [
    ("2026-03-05", "2026-03-05"),
    ("March 5, 2026", "2026-03-05"),
    ("Thursday, March 5, 2026", "2026-03-05"),
    ("5 March 2026", "2026-03-05"),
    ("March 5th 2026", "2026-03-05"),
    ("6 March 2026 19:42 (UTC+04:00)", "2026-03-06T19:42:00+04:00"),
    ("Mar 5, 2026 at 3:15 PM EST", "2026-03-05T15:15:00-05:00"),
    ("March 5, 2026 10:14 a.m. ET", "2026-03-05T10:14:00-05:00"),
    ("March 9, 2026 10:14 a.m. ET", "2026-03-09T10:14:00-04:00"),
    ("Thursday 5 March 2026 09.30 GMT", "2026-03-05T09:30:00+00:00"),
    ("2026-03-05T14:30:00Z", "2026-03-05T14:30:00+00:00"),
    ("2026-03-05 14:30:00 -0500", "2026-03-05T14:30:00-05:00"),
    ("March 5, 2026 14:30", "2026-03-05T14:30:00"),
    ("13/03/2026", "2026-03-13"),
    ("5 de marzo de 2026", "2026-03-05"),
]


@pytest.mark.parametrize(("text", "iso"), CASES)
def test_reads_common_formats(text: str, iso: str) -> None:
    reading = read_date(text, DMY)
    assert reading is not None and reading.iso == iso


def test_ambiguous_numeric_date_follows_configuration_and_says_so() -> None:
    day_first, month_first = read_date("05/03/2026", DMY), read_date("05/03/2026", MDY)
    assert day_first and day_first.iso == "2026-03-05" and "ambiguous" in (day_first.ambiguous or "")
    assert month_first and month_first.iso == "2026-05-03" and month_first.ambiguous


@pytest.mark.parametrize("text", ["the 35th of Smarch", "Updated 12:30 GMT", "31 February 2026",
                                  "on Thursday", "Venezuela and the US restore ties"])
def test_refuses_what_is_not_a_full_date(text: str) -> None:
    assert read_date(text, DMY) is None


def test_unknown_zone_is_not_guessed() -> None:
    reading = read_date("March 5, 2026 14:30 XYZT", DMY)
    assert reading is not None and reading.iso == "2026-03-05T14:30:00"
