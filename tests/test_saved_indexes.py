"""Saved indexes (generator/saved_indexes.py): read back only under their key, one file per index."""

from __future__ import annotations

from pathlib import Path

from generator.saved_indexes import SavedIndexes


def test_an_index_is_read_back_under_its_key_only_and_replaces_the_one_saved_before(tmp_path: Path) -> None:
    saved = SavedIndexes(tmp_path / "indexes")
    assert saved.load("quotes", "k1") is None  # nothing saved yet, not even the folder
    saved.save("quotes", "k1", {"quotes": [1, 2]})
    saved.save("discrepancies", "k1", ("other",))
    assert saved.load("quotes", "k1") == {"quotes": [1, 2]} and saved.load("quotes", "k2") is None
    (tmp_path / "indexes/quotes-k0.tmp").write_bytes(b"what a killed build was writing")
    saved.save("quotes", "k2", {"quotes": [3]})
    assert sorted(p.name for p in (tmp_path / "indexes").iterdir()) == ["discrepancies-k1.pickle", "quotes-k2.pickle"]
    assert saved.load("quotes", "k1") is None and saved.load("quotes", "k2") == {"quotes": [3]}


def test_a_damaged_index_is_made_again_not_read(tmp_path: Path) -> None:
    saved = SavedIndexes(tmp_path)
    saved.save("quotes", "k", [1])
    (tmp_path / "quotes-k.pickle").write_bytes(b"\x80\x04\x95garbage")
    assert saved.load("quotes", "k") is None
    (tmp_path / "file").write_text("a file where the folder should be")
    SavedIndexes(tmp_path / "file").save("quotes", "k", [1])  # cannot be saved: ignored, not raised
    assert SavedIndexes(tmp_path / "file").load("quotes", "k") is None
