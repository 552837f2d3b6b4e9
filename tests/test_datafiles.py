"""data/*.json are written piece by piece, byte for byte as the whole document would encode."""

import json
from functools import partial
from pathlib import Path

import orjson
import pytest

from generator.datafiles import GROUP, Items, articles_json, stream, topics_json
from generator.pipeline import check
from generator.publish import publish
from generator.splice import GROUP as SPLICE_GROUP
from generator.splice import Splice, SplicedItems, item_key


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


def spliced_file(path: Path, document_of, splice: Splice) -> int:
    """Write `document_of(splice)` (a document, or a data file's pieces) to `path` as a build's
    worker does; the items it copied."""
    splice.open()
    document = document_of(splice)
    path.write_bytes(b"".join(stream(document) if isinstance(document, dict) else document))
    splice.save(path, unchanged=False)
    return splice.reused


def test_spliced_items_are_copied_when_unchanged_and_the_file_is_what_encoding_every_item_gives(tmp_path: Path) -> None:
    def document(rows: dict[str, int], splice: Splice) -> dict:
        made.clear()
        return {"head": [1], "rows": SplicedItems(sorted(rows), lambda k: item_key(f"{k}={rows[k]}"),
                                                  lambda k: (made.append(k), {"k": k, "v": rows[k], "s": "é"})[1], splice),
                "by_key": SplicedItems(sorted(rows), lambda k: item_key(f"{k}:{rows[k]}"),
                                       lambda k: orjson.dumps([rows[k], k]), splice, keyed=str, encoded=True)}

    def plain(rows: dict[str, int]) -> bytes:
        return whole({"head": [1], "rows": [{"k": k, "v": rows[k], "s": "é"} for k in sorted(rows)],
                      "by_key": {k: [rows[k], k] for k in sorted(rows)}})

    made: list[str] = []
    rows = {f"r{n:04d}": n for n in range(2 * SPLICE_GROUP + 7)}  # pieces of several groups
    index = tmp_path / "cache/rows.index"
    assert spliced_file(tmp_path / "1.json", partial(document, rows), Splice(None, index, "code")) == 0
    assert (tmp_path / "1.json").read_bytes() == plain(rows)
    changed = {**rows, "r0003": -3, "r0600": 600}  # one changed, one added
    del changed["r0100"]  # one removed
    reused = spliced_file(tmp_path / "2.json", partial(document, changed), Splice(tmp_path / "1.json", index, "code"))
    assert (tmp_path / "2.json").read_bytes() == plain(changed)
    assert made == ["r0003", "r0600"], "only the changed and the new item are made"
    assert reused == 2 * (len(changed) - 2)
    # The index now describes 2.json: read against it, nothing needs making again.
    assert spliced_file(tmp_path / "3.json", partial(document, changed), Splice(tmp_path / "2.json", index, "code")) \
        == 2 * len(changed)
    assert (tmp_path / "3.json").read_bytes() == plain(changed) and made == []


def test_an_index_is_used_only_for_its_own_file_and_code(tmp_path: Path) -> None:
    rows = [f"row {n}" for n in range(50)]

    def document(splice: Splice) -> dict:
        return {"rows": SplicedItems(rows, lambda r: item_key(r), lambda r: {"text": r}, splice)}

    index, first = tmp_path / "rows.index", tmp_path / "1.json"
    spliced_file(first, document, Splice(None, index, "code"))
    expected = first.read_bytes()
    assert spliced_file(tmp_path / "2.json", document, Splice(first, index, "other code")) == 0
    spliced_file(first, document, Splice(None, index, "code"))  # the index describes the new 1.json
    first.write_bytes(expected.replace(b"row 1", b"ROW 1"))  # replaced by someone else, same size
    assert spliced_file(tmp_path / "3.json", document, Splice(first, index, "code")) == 0
    assert (tmp_path / "3.json").read_bytes() == expected
    index.write_bytes(b"not an index")
    assert spliced_file(tmp_path / "4.json", document, Splice(first, index, "code")) == 0
    assert (tmp_path / "4.json").read_bytes() == expected


def test_topics_and_articles_json_spliced_after_an_edit_are_those_of_a_fresh_encoding(project: Path, config) -> None:
    """The keys cover what each item shows: a sentence appended to one article (a new point, its
    paragraph's points and topics) leaves every other item copied, and the files as encoded anew."""
    seeds = project / "seeds"
    files = {name: Splice(None, project / f"{name}.index", "code") for name in ("topics", "articles")}
    for name, make in (("topics", topics_json), ("articles", articles_json)):
        spliced_file(project / f"{name}.1.json", partial(make, check(config, seeds)), files[name])
    edited = sorted(seeds.iterdir())[2]
    edited.write_text(edited.read_text().rstrip() + "\n\nOfficials said on Monday that the oil talks would continue.\n")
    site = check(config, seeds)
    for name, make in (("topics", topics_json), ("articles", articles_json)):
        reused = spliced_file(project / f"{name}.2.json", partial(make, site),
                              Splice(project / f"{name}.1.json", project / f"{name}.index", "code"))
        assert (project / f"{name}.2.json").read_bytes() == b"".join(make(site)), name
        assert reused > 0, name
    assert json.loads((project / "articles.2.json").read_bytes()) != json.loads((project / "articles.1.json").read_bytes())


def test_an_index_that_cannot_be_saved_costs_only_the_next_builds_shortcut(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder of indexes would go")
    splice = Splice(None, tmp_path / "cache/rows.index", "code")

    def document(splice: Splice) -> dict:
        return {"rows": SplicedItems(range(3), lambda n: item_key(str(n)), lambda n: {"n": n}, splice)}

    spliced_file(tmp_path / "1.json", document, splice)  # does not raise
    assert (tmp_path / "1.json").read_bytes() == whole({"rows": [{"n": 0}, {"n": 1}, {"n": 2}]})
    assert spliced_file(tmp_path / "2.json", document, Splice(tmp_path / "1.json", splice.index, "code")) == 0
