"""data/*.json are written piece by piece, byte for byte as the whole document would encode."""

from pathlib import Path

import orjson
import pytest

from generator.datafiles import GROUP, Items, stream
from generator.publish import publish


def whole(document: object) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE)


def test_a_streamed_document_has_the_bytes_of_the_whole_one() -> None:
    rows = [{"id": "a", "n": 1, "text": "“quoted” <b>", "tags": ("x", "y")}, {"id": "b", "n": 2, "text": None}]
    streamed = stream({"rows": Items(iter(rows)), "empty": Items(iter([])), "count": 2,
                       "by_id": Items(((r["id"], {"nested": Items(iter([r["n"], [r["n"]]]))}) for r in rows),
                                      keyed=True, nested=True),
                       "big": Items(iter(range(300_000))), "keyed": Items(((str(n), n) for n in range(3)), keyed=True),
                       "none": Items(iter([]), keyed=True)})
    assert b"".join(streamed) == whole({"rows": rows, "empty": [], "count": 2,
                                        "by_id": {r["id"]: {"nested": [r["n"], [r["n"]]]} for r in rows},
                                        "big": list(range(300_000)), "keyed": {str(n): n for n in range(3)},
                                        "none": {}})


def test_items_are_made_only_as_they_are_written() -> None:
    made: list[int] = []

    def rows():
        for n in range(1000):
            made.append(n)
            yield {"n": n}

    pieces = stream({"rows": Items(rows(), nested=True)})
    for _ in range(4):  # '{', '"rows":', '[', the first row
        next(pieces)
    assert len(made) == 1
    batched = stream({"rows": Items(({"text": "x"} for _ in made_while(made, 5 * GROUP)))})
    made.clear()
    for _ in range(4):  # '{', '"rows":', '[', the first group
        next(batched)
    assert len(made) == GROUP, "one group of items, not every item at once"


def made_while(made: list[int], count: int):
    for n in range(count):
        made.append(n)
        yield n


def test_a_streamed_file_with_the_previous_builds_bytes_keeps_its_file(tmp_path: Path) -> None:
    def site(rows: list[int]):
        yield "data/rows.json", stream({"rows": Items(iter(rows))})
        yield "data/fixed.json", stream({"rows": Items(iter([1, 2]))})

    publish(site([1, 2, 3]), tmp_path / "site")
    before = {name: (tmp_path / "site/data" / name).stat().st_ino for name in ("rows.json", "fixed.json")}
    count = publish(site([1, 2, 4]), tmp_path / "site")
    assert (tmp_path / "site/data/rows.json").read_bytes() == b'{"rows":[1,2,4]}\n'
    assert count.changed == ("data/rows.json",)
    assert (tmp_path / "site/data/fixed.json").stat().st_ino == before["fixed.json"], "unchanged: the same file"


def test_items_where_they_cannot_be_streamed_fail_loudly_rather_than_write_wrong_json() -> None:
    for document in ({"a": {"b": Items(iter([1]))}}, {"rows": Items(iter([{"inner": Items(iter([1]))}]))},
                     {1: Items(iter([1]))}):
        with pytest.raises(TypeError):
            b"".join(stream(document))
