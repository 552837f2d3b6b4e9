"""Bad input gives one clear line and never a traceback; nothing is lost."""

from pathlib import Path

from generator.article import SourceFile
from generator.load import Unreadable, decode, display_path, find_inputs, load


def test_empty_and_whitespace_files_are_unreadable_with_a_reason() -> None:
    for data in (b"", b"  \n\n\t"):
        result = decode("in/empty.txt", data)
        assert isinstance(result, Unreadable) and "empty" in result.reason


def test_binary_file_is_unreadable() -> None:
    result = decode("in/photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert isinstance(result, Unreadable) and "binary" in result.reason


def test_bom_is_removed_and_noted() -> None:
    result = decode("in/bom.txt", "\ufeffHeadline here\n\nBody.".encode())
    assert isinstance(result, SourceFile)
    assert result.text.startswith("Headline") and "byte order mark" in result.problems[0].message


def test_crlf_becomes_lf() -> None:
    result = decode("in/crlf.txt", b"Headline one two\r\n\r\nBody text.\r\n")
    assert isinstance(result, SourceFile) and "\r" not in result.text


def test_latin1_is_detected_decoded_and_reported_with_its_line() -> None:
    text = "Titular de prueba\n\nEl ministro habló el miércoles sobre la decisión del gobierno."
    result = decode("in/latin.txt", text.encode("latin-1"))
    assert isinstance(result, SourceFile)
    assert "miércoles" in result.text
    problem = result.problems[0]
    assert "decoded as" in problem.message and problem.line == 3


def test_non_article_files_are_reported_not_dropped(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    result = load(tmp_path / "notes.pdf", tmp_path)
    assert isinstance(result, Unreadable) and "not an article file" in result.reason
    assert result.path == f"{tmp_path.name}/notes.pdf"


def test_short_cp1252_texts_are_not_mistaken_for_asian_encodings() -> None:
    for text in ("Refiners in San Juan said the cargo’s price was “fair” — a 5% discount.",
                 "Caracas, 5 mar (EFE).- El ministro habló de la compañía minera.",
                 "Les négociations reprennent à Genève, a déclaré le porte-parole."):
        result = decode("in/x.txt", text.encode("cp1252"))
        assert isinstance(result, SourceFile) and result.text == text and result.encoding == "cp1252"


def test_inputs_are_every_file_below_the_folder_in_path_order_links_to_folders_not_followed(tmp_path: Path) -> None:
    inputs = tmp_path / "articles"
    for name in ("b.txt", "a/z.md", "a/b/c.txt", "a-b.txt", ".hidden/x.txt", "a/.notes"):
        (inputs / name).parent.mkdir(parents=True, exist_ok=True)
        (inputs / name).write_text("text\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "outside.txt").write_text("text\n")
    (inputs / "linked.txt").symlink_to(elsewhere / "outside.txt")
    (inputs / "linked-folder").symlink_to(elsewhere, target_is_directory=True)
    (inputs / "broken.txt").symlink_to(tmp_path / "missing.txt")
    found = find_inputs(inputs)
    assert [display_path(p, inputs) for p in found] == [
        "articles/.hidden/x.txt", "articles/a-b.txt", "articles/a/.notes", "articles/a/b/c.txt",
        "articles/a/z.md", "articles/b.txt", "articles/linked.txt"]
    # what pathlib's own walk finds, in the same order
    assert found == sorted((p for p in inputs.rglob("*") if p.is_file()), key=lambda p: p.as_posix())
