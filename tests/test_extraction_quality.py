"""Guard the measured quality of quote and event extraction (figures: bench/extraction_quality.py).

Floors are the figures measured when tests/extraction/labels.yml was written, minus 0.05:

| measure      | precision | recall |
|--------------|-----------|--------|
| quotes found | 1.00      | 1.00   |
| speakers     | 1.00      | 0.73   |
| events found | 0.97      | 0.91   |
| event dates  | 0.97      | 0.91   |
"""

import pytest

from bench.extraction_quality import MEASURES, table
from generator.config import Config

FLOORS = {
    "quotes found": (0.95, 0.95),
    "speakers": (0.95, 0.68),
    "events found": (0.92, 0.86),
    "event dates": (0.92, 0.86),
}


@pytest.fixture(scope="module")
def measured(config: Config):
    _, results, _ = table(config)
    return results


@pytest.mark.parametrize("measure", MEASURES)
def test_extraction_keeps_its_measured_quality(measured, measure: str) -> None:
    precision, recall = FLOORS[measure]
    got = measured[measure]
    assert got.precision >= precision, f"{measure} precision {got.precision:.2f} < {precision}"
    assert got.recall >= recall, f"{measure} recall {got.recall:.2f} < {recall}"


def test_every_label_is_scored(measured) -> None:
    assert measured["quotes found"].labelled == 33
    assert measured["events found"].labelled == 32
