"""Guard the measured quality of the shipped topic rules (figures: bench/topic_quality.py)."""

from generator.config import Config
from bench.topic_quality import table


def test_rules_keep_their_measured_quality(config: Config) -> None:
    _, train = table(config, "train")
    _, heldout = table(config, "heldout")
    assert sum(s.f1 for s in train.values()) / len(train) >= 0.85
    assert sum(s.f1 for s in heldout.values()) / len(heldout) >= 0.78
    assert min(s.precision for s in heldout.values()) >= 0.75
