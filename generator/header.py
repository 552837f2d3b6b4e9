"""Read the furniture at the top of a pasted article: headline, date, byline, dateline, captions.

Each line is classified by small, independent readers, tried in order. The
first line that no reader claims (and that cannot be the headline) starts the
body; everything claimed is kept as `Furniture`, so nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from generator.article import Furniture
from generator.config import DateSettings
from generator.dates import DateReading, read_date
from generator.problems import Problem

MAX_HEADER_LINES = 14
URL_RE = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:!?]")
URL_LINE = re.compile(r"^(?:(?:source|url|link|original(?:ly published)?(?: at)?|read more(?: at)?|via)\s*:?\s*)?"
                      r"<?(https?://\S+?)>?$", re.I)
DATE_PREFIX = re.compile(r"^\s*date[:\s]\s*(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?)\s*(.*)$", re.I)
LABEL = re.compile(r"\b(first published|published|posted|last updated|last modified|updated|modified|date)\b"
                   r"\s*(?:on|at)?\s*:?\s*", re.I)
BYLINE = re.compile(r"^(?:by|written by|words by|reporting by|story by|text by|authors?|por|par|von)\s*:?\s+(.+)$",
                    re.I)
"""'By Jane Smith', 'By: Jane Smith', 'Author: Jane Smith', 'Story by Jane Smith', and the Spanish,
Portuguese, French and German 'Por', 'Par', 'Von'."""
SEPARATORS = re.compile(r"\s*\|\s*|\s+[·•]\s+|\s{3,}|\s+/\s+")
FURNITURE = [
    re.compile(r"^\d+\s*(?:-\s*)?min(?:ute)?s?\.?(?:\s+read|\s+listen)?$", re.I),
    re.compile(r"^(?:reading time|read time|listen)\s*:?\s*\d+\s*min", re.I),
    re.compile(r"^[\d.,]+\s*[km]?\s+(?:views?|comments?|shares?|reads?|likes?)$", re.I),
    re.compile(r"^(?:share|share this(?: article)?|follow|follow us|advertisement|listen to this article|"
               r"print|email|comments?|save|subscribe|ad|sponsored|exclusive|breaking|live|opinion|analysis)$", re.I),
    re.compile(r"^[\w.+-]+@[\w-]+\.[\w.-]+$"),
    re.compile(r"^(?:updated|last updated)\b.*$", re.I),
    re.compile(r"^(?:©|\(c\)|copyright)\b", re.I),
    re.compile(r"^(?:photo|image|file photo|picture)\s*:", re.I),
    re.compile(r"^(?:home|news)\s*(?:>|›|»|/)", re.I),
    re.compile(r"^(?:editor|edited by|producer|source|section|category|filed under)\s*:\s*\S.{0,60}$", re.I),
]
SOURCE_LABEL = re.compile(r"^(?:source|publication|publisher|outlet)\s*:\s*(?P<name>[^:/]{2,40})$", re.I)
DATE_LABEL = re.compile(r"^(?:date|published|posted|dated)\s*:\s*(?P<value>.{3,60})$", re.I)
NAME_WORD = re.compile(r"^(?:[A-ZÀ-Þ][a-zà-ÿ'’-]+|[A-ZÀ-Þ]\.|[A-ZÀ-Þ][a-zà-ÿ]*[A-Z][a-zà-ÿ]+|de|da|del|la|van|von|bin|al-[A-Z][a-z]+)$")
DATELINE_LINE = re.compile(r"^[A-ZÀ-Þ][A-ZÀ-Þ .'’-]{2,}(?:,\s*[A-ZÀ-Þ][\w .'’-]+)?$")
NAME_IN_PLACE = re.compile(r"^(?P<name>.+?)\s+in\s+(?P<place>[A-ZÀ-Þ][\w .'’-]{1,40})$")
"""'Tom Phillips in Rio de Janeiro': the byline as The Guardian prints it, where the reporter is."""
HEADER_LOOKAHEAD = 3
"""Non-blank lines a header reader may look ahead to decide a line (a deck, a name)."""
REPORTING_FROM = re.compile(r"^reporting from\s+(?P<place>[A-ZÀ-Þ][\w .,'’-]{1,60})$", re.I)
ROLE_LINE = re.compile(r"^(?:[A-Za-zÀ-ÿ&,'’-]+\s+){0,6}(?:correspondent|reporter|editor|writer|journalist|analyst|"
                       r"producer|columnist|contributor)s?$", re.I)
"""'Mexico and Central America correspondent': the line under a reporter's name (BBC)."""
CREDIT_LINE = re.compile(r"^(?:[A-ZÀ-Þ][\w'’&.-]*\s+){1,4}(?:News Agency|Press Agency|Agency|News Service)$")
"""'Anadolu Agency' alone on a header line: who supplied the copy (the registry in briefing.yml
may know it, else it is the agency as written)."""
PARTICLES = {"de", "da", "del", "la", "van", "von", "bin", "der", "dos", "y"}
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
CAPTION_CREDIT = re.compile(r"\(([^()]{2,40})\)\s*$")


@dataclass
class Header:
    """What the header revealed, and where; filled in as lines are read."""

    title: str | None = None
    title_how: str = ""
    date: DateReading | None = None
    date_how: str = ""
    author: str | None = None
    author_how: str = ""
    affiliation: str | None = None
    source_name: str | None = None
    """An outlet named by a header label such as 'Source: Xinhua'."""
    source_line: int = 0
    credit: str | None = None
    """Who supplied the copy, from a line such as 'Anadolu Agency'."""
    credit_line: int = 0
    dateline: str | None = None
    dateline_how: str = ""
    url: str | None = None
    url_how: str = ""
    furniture: list[Furniture] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    body_start: int = 0
    """Index into the line list where the body begins."""
    first_body_text: str | None = None
    """When the body begins mid-line (after a ` date YYYY-MM-DD` prefix), the rest of that line."""


def read_header(path: str, lines: list[str], first_line: int, dates: DateSettings) -> Header:
    """Claim header lines from the top of `lines` (numbered from `first_line`)."""
    header = Header()
    seen = 0
    index = 0
    while index < len(lines) and seen < MAX_HEADER_LINES:
        text = lines[index].strip()
        number = first_line + index
        if not text:
            index += 1
            continue
        seen += 1
        if not _claim(path, header, text, number, dates, lines, index):
            break
        if header.first_body_text is not None:
            break
        index += 1
    header.body_start = index
    return header


def _claim(path: str, header: Header, text: str, number: int, dates: DateSettings,
           lines: list[str], index: int) -> bool:
    """True when the line is header furniture; records what it was taken as."""
    prefix = DATE_PREFIX.match(lines[index])
    if prefix and header.date is None:
        reading = read_date(prefix.group(1), dates)
        if reading:
            header.date, header.date_how = reading, f"header line {number}: date prefix"
            header.furniture.append(Furniture(number, "date prefix", lines[index][: prefix.start(2)].strip()))
            rest = prefix.group(2).strip()
            if rest and header.title is None and looks_like_headline(rest):
                header.title, header.title_how = rest, f"header line {number}: text after the date prefix"
                return True
            if rest:
                header.first_body_text = rest
            return True
    return (_url_line(header, text, number) or _byline(path, header, text, number, dates)
            or _date_line(path, header, text, number, dates)
            or _bare_name(header, text, number, lines, index)
            or _furniture(header, text, number)
            or _dateline_line(header, text, number)
            or _reporting_from(header, text, number)
            or _credit_line(header, text, number)
            or _caption(header, text, number)
            or _headline(header, text, number, lines, index)
            or _names_line(header, text, number, lines, index, dates)
            or _standfirst(header, text, number, lines, index, dates))


def _url_line(header: Header, text: str, number: int) -> bool:
    match = URL_LINE.match(text)
    if not match:
        return False
    if header.url is None:
        header.url, header.url_how = match.group(1), f"header line {number}: URL line"
    header.furniture.append(Furniture(number, "url", text))
    return True


@lru_cache(maxsize=256)
def _segments(text: str) -> tuple[str, ...]:
    """The `|`- or `·`-separated parts of a line; cached, since the byline, date and furniture
    readers each split the same line (often the whole first paragraph)."""
    return tuple(s.strip() for s in SEPARATORS.split(text) if s.strip())


def _date_line(path: str, header: Header, text: str, number: int, dates: DateSettings) -> bool:
    """A line (or `|`-separated segments) made only of dates, labels and furniture."""
    if len(text) > 160:
        return False
    segments = _segments(_unglued(text))
    found = _dates_of(segments, dates)
    if found is None:
        return len(segments) == 1 and _unreadable_date(path, header, text, number)
    if not found:
        return _unreadable_date(path, header, text, number)
    for segment in segments:
        source = SOURCE_LABEL.match(segment)
        if source and header.source_name is None:
            header.source_name, header.source_line = source.group("name").strip(), number
    label, reading = next(((l, r) for l, r in found if l != "updated"), found[0])
    _take_date(path, header, reading, number, "'Updated' date (no publication date given)"
               if label == "updated" else "date line")
    header.furniture.append(Furniture(number, "date line", text))
    return True


def _dates_of(segments: tuple[str, ...], dates: DateSettings) -> list[tuple[str, DateReading]] | None:
    """The labelled dates of a line's segments; None when a segment is neither a date, nor
    furniture, nor a short word or two after a date (the line is not a date line)."""
    found: list[tuple[str, DateReading]] = []
    for segment in segments:
        labelled = _labelled_dates(segment, dates)
        if labelled is None:
            if _is_furniture(segment) or (found and len(segment.split()) <= 3):
                continue
            return None
        found.extend(labelled)
    return found


GLUED_TIME = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{1,2}:\d{2})")
SLASHED_TIME = re.compile(r"((?:19|20)\d{2})\s+/\s+(\d{1,2}:\d{2})")
"""'Mar 5, 2026 / 03:15 PM EST' (US local television sites): the date and its time, not two segments."""
GLUED_LABEL = re.compile(r"(?<=[^\s|])((?:Updated|Published)\b)")


def _unglued(text: str) -> str:
    """'March 5, 20262:15 PM GMT+0Updated 3 hours ago', as copying a Reuters page gives it: the
    year, the time and the update label run together where the page had them on separate lines."""
    return GLUED_LABEL.sub(r" | \1", SLASHED_TIME.sub(r"\1 \2", GLUED_TIME.sub(r"\1 \2", text)))


def _unreadable_date(path: str, header: Header, text: str, number: int) -> bool:
    """'Date: the 35th of Smarch': a date line we cannot read is a warning, never a guess."""
    label = DATE_LABEL.match(text)
    if not label or header.date is not None:
        return False
    header.problems.append(Problem(path, f"cannot read the date '{label.group('value').strip()}'; "
                                   "date left empty", number,
                                   hint="write it as YYYY-MM-DD or e.g. 'March 5, 2026'"))
    header.furniture.append(Furniture(number, "unreadable date", text))
    return True


def _labelled_dates(segment: str, dates: DateSettings) -> list[tuple[str, DateReading]] | None:
    """Split 'Published: X Updated: Y' into labelled readings; None when the segment is not dates."""
    parts = LABEL.split(segment)
    if len(parts) == 1:
        reading = read_date(segment, dates)
        return [("", reading)] if reading else None
    out = []
    if parts[0].strip():
        return None
    for label, value in zip(parts[1::2], parts[2::2]):
        reading = read_date(value.strip(" ,;|"), dates)
        kind = "updated" if "updated" in label.lower() or "modified" in label.lower() else "published"
        if reading:
            out.append((kind, reading))
        elif kind == "published" or re.search(r"\d{4}", value):
            return None
    return out or None


def _take_date(path: str, header: Header, reading: DateReading, number: int, what: str) -> None:
    if header.date is not None:
        return
    header.date, header.date_how = reading, f"header line {number}: {what}"
    if reading.ambiguous:
        header.problems.append(Problem(path, reading.ambiguous, number,
                                       hint="write the date as YYYY-MM-DD to remove the doubt"))


def _byline(path: str, header: Header, text: str, number: int, dates: DateSettings) -> bool:
    read = _byline_of(text, dates)
    if read is None:
        return False
    names, date_text = read
    for segment in _segments(text)[1:]:
        reading = read_date(segment, dates)
        if reading and date_text is None:
            date_text = reading
    names, affiliation = _split_affiliation(names)
    if header.author is None:
        header.author, header.author_how = clean_names(names), f"header line {number}: byline"
        header.affiliation = affiliation
    if date_text is not None:
        _take_date(path, header, date_text, number, "date on the byline")
    header.furniture.append(Furniture(number, "byline", text))
    return True


def _byline_of(text: str, dates: DateSettings) -> tuple[str, DateReading | None] | None:
    """The names of a byline ('By Jane Smith, March 5, 2026') and a date trailing them; None when
    the line is not a byline."""
    segments = _segments(text)
    match = BYLINE.match(segments[0]) if segments else None
    if not match or len(match.group(1).split()) > 16:
        return None
    names, date_text = _split_trailing_date(match.group(1), dates)
    return (names, date_text) if _looks_like_names(names) else None


def _split_trailing_date(names: str, dates: DateSettings) -> tuple[str, DateReading | None]:
    """'Ana Lopez, March 5, 2026' -> ('Ana Lopez', reading)."""
    for match in re.finditer(r",\s+|\s+[-–—]\s+|\s+on\s+|\s+(?=(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d)", names, re.I):
        reading = read_date(names[match.end():], dates)
        if reading:
            return names[: match.start()].strip(), reading
    return names, None


def _split_affiliation(names: str) -> tuple[str, str | None]:
    """'Jane Smith, Reuters' -> ('Jane Smith', 'Reuters'); 'Jane Smith, Omar Diaz and X' stays;
    'Jane Smith, Senior Energy Correspondent' -> ('Jane Smith', None): a role, not an outlet."""
    parts = [p.strip() for p in re.split(r",\s*|\s+for\s+|\s+\|\s+", names) if p.strip()]
    if len(parts) >= 2 and ROLE_LINE.match(parts[-1]):
        return _split_affiliation(", ".join(parts[:-1]))[0], None
    if len(parts) >= 2 and " and " not in parts[-1] and not _is_name(parts[-1]):
        return ", ".join(parts[:-1]), parts[-1]
    return names, None


def _looks_like_names(text: str) -> bool:
    """'Jane Smith and Omar Diaz, Reuters' yes; 'early March, officials said' no."""
    parts = [p for p in re.split(r",\s*|\s+and\s+|\s*&\s*|\s+for\s+", text.strip(" ."), flags=re.I) if p]
    return bool(parts) and all(
        len(part.split()) <= 5 and all(w[:1].isupper() or w.lower() in PARTICLES for w in part.split())
        for part in parts)


def _is_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 5 and all(NAME_WORD.match(w) for w in words) and words[-1] not in NOT_A_PERSON


NOT_A_PERSON = frozenset({"Agency", "News", "Press", "Times", "Post", "Journal", "Television", "Radio", "Network",
                          "Media", "Service", "Gazette", "Herald", "Tribune", "Daily", "Weekly", "Group", "Ministry",
                          "Office", "Desk", "Bureau", "Correspondent", "Editor", "Reporter", "Writer"})
"""Last words of an organisation or a role, never of a person's name: 'Anadolu Agency' alone on a
line is the credit, not a byline; 'Jane Smith, Senior Correspondent' names a role, not an outlet."""


def clean_names(names: str) -> str:
    """Normal case for shouted bylines; 'JANE SMITH and OMAR DIAZ' -> 'Jane Smith and Omar Diaz'."""
    names = re.sub(r"\s+", " ", names).strip(" ,.;")
    names = re.sub(r"\s*&\s*", " and ", names)
    words = [w for w in names.split() if w.lower() not in ("and", "de", "del", "da", "van", "von")]
    if words and all(w.isupper() or not w.isalpha() for w in words) and any(len(w) > 2 for w in words):
        names = " ".join(w.lower() if w.lower() in ("and", "de", "del", "da", "van", "von") else w.capitalize()
                         for w in names.split())
        names = re.sub(r"\b(Mc|O'|O’)(\w)", lambda m: m.group(1) + m.group(2).upper(), names)
    return re.sub(r"\bAND\b", "and", names)


def _bare_name(header: Header, text: str, number: int, lines: list[str], index: int) -> bool:
    """A name alone on a line right beside the date line (common in pasted agency copy)."""
    if header.author is not None or not _is_name(text):
        return False
    beside_date = header.date is not None and header.date_how.startswith(f"header line {number - 1}") \
        or header.date is not None and _previous_nonblank_is_date(header, number)
    if not beside_date:
        return False
    header.author, header.author_how = text, f"header line {number}: name line after the date"
    header.furniture.append(Furniture(number, "byline", text))
    return True


def _previous_nonblank_is_date(header: Header, number: int) -> bool:
    return bool(header.furniture) and header.furniture[-1].kind in ("date line", "date prefix") \
        and number - header.furniture[-1].line <= 2


def _is_furniture(text: str) -> bool:
    return any(p.match(text) for p in FURNITURE)


def _furniture(header: Header, text: str, number: int) -> bool:
    segments = _segments(text)
    if not segments:
        return False
    section = len(segments) >= 2 and all(len(s.split()) <= 3 and not SENTENCE_END.search(s) for s in segments)
    lone_kicker = header.title is None and len(text.split()) <= 2 and not SENTENCE_END.search(text) \
        and not DATELINE_LINE.match(text)
    role = bool(header.furniture) and header.furniture[-1].kind == "byline" and ROLE_LINE.match(text) is not None
    if section or lone_kicker or role or all(_is_furniture(s) for s in segments):
        header.furniture.append(Furniture(number, "furniture", text))
        return True
    return False


def _dateline_line(header: Header, text: str, number: int) -> bool:
    if not DATELINE_LINE.match(text) or len(text.split()) > 5 or header.dateline is not None:
        return False
    first = text.split(",")[0]
    if not first.replace(" ", "").replace(".", "").replace("-", "").isupper():
        return False
    header.dateline, header.dateline_how = text, f"header line {number}: dateline line"
    header.furniture.append(Furniture(number, "dateline", text))
    return True


def is_caption(text: str) -> bool:
    """A short line ending in a photo credit: 'Flags in Caracas. (AFP)', '(Photo: Reuters)'."""
    credit = CAPTION_CREDIT.search(text)
    if not credit or len(text.split()) > 45:
        return False
    inner = credit.group(1)
    before = text[: credit.start()].strip()
    photo_words = re.search(r"photo|getty|images|file|pool|handout|via", inner, re.I)
    return bool(photo_words) or (len(inner.split()) <= 3 and (not before or SENTENCE_END.search(before) is not None))


def _caption(header: Header, text: str, number: int) -> bool:
    if not is_caption(text):
        return False
    header.furniture.append(Furniture(number, "caption", text))
    return True


def looks_like_headline(text: str) -> bool:
    words = text.split()
    if not 3 <= len(words) <= 25 or len(text) > 200:
        return False
    if text.endswith(("?", "!")):
        return True
    return not SENTENCE_END.search(text) and not text.endswith((",", ";", ":"))


def _headline(header: Header, text: str, number: int, lines: list[str], index: int) -> bool:
    markdown = re.match(r"^#\s+(.+?)\s*#*$", text)
    labelled = re.match(r"^(?:title|headline)\s*:\s*(.+)$", text, re.I)
    if header.title is not None:
        return False
    if markdown or labelled:
        header.title = (markdown or labelled).group(1).strip()  # type: ignore[union-attr]
    elif looks_like_headline(text) and _followed_by_more(lines, index):
        header.title = text
    else:
        return False
    header.title_how = f"header line {number}: headline"
    header.furniture.append(Furniture(number, "headline", text))
    return True


def _followed_by_more(lines: list[str], index: int) -> bool:
    return any(line.strip() for line in lines[index + 1:])


def _standfirst(header: Header, text: str, number: int, lines: list[str], index: int, dates: DateSettings) -> bool:
    """The deck under a headline ('Former president faces charges in a Manhattan court.'), taken
    only when the header goes on below it (a date line or a byline in the next few lines):
    otherwise the line is the lede, and the body starts there."""
    if not header.furniture or header.furniture[-1].kind != "headline" or not 4 <= len(text.split()) <= 60:
        return False
    if not any(_is_dates_line(line, dates) or _byline_of(line, dates) is not None for line in _next_lines(lines, index)):
        return False
    header.furniture.append(Furniture(number, "standfirst", text))
    return True


def _names_line(header: Header, text: str, number: int, lines: list[str], index: int,
                dates: DateSettings) -> bool:
    """Names alone on a line, each maybe with where the reporter is ('Gerald Stone in London and
    Julia Ferreira in Bogotá', the Financial Times), right above the date line or above the
    reporter's role ('Latin America correspondent', the BBC; `_furniture` then takes the role)."""
    if header.author is not None:
        return False
    parts = re.split(r",\s+|\s+and\s+", text)
    names = [match.group("name") if match else part for match, part in zip(map(NAME_IN_PLACE.match, parts), parts)]
    following = _next_lines(lines, index)[:1]
    if not following or not all(map(_is_name, names)):
        return False
    if ROLE_LINE.match(following[0]):
        beside = "the reporter's role"
    elif _is_dates_line(following[0], dates):
        beside = "the date"
    else:
        return False
    author = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    header.author, header.author_how = author, f"header line {number}: name line above {beside}"
    header.furniture.append(Furniture(number, "byline", text))
    return True


def _next_lines(lines: list[str], index: int) -> list[str]:
    return [line.strip() for line in lines[index + 1:index + 1 + 4 * HEADER_LOOKAHEAD] if line.strip()][:HEADER_LOOKAHEAD]


def _is_dates_line(text: str, dates: DateSettings) -> bool:
    """What `_date_line` takes as a date, without taking it."""
    return len(text) <= 160 and bool(_dates_of(_segments(_unglued(text)), dates))


def _credit_line(header: Header, text: str, number: int) -> bool:
    """'Anadolu Agency' alone on a line under the headline: who supplied the copy."""
    if header.title is None or not CREDIT_LINE.match(text):
        return False
    if header.credit is None:
        header.credit, header.credit_line = text, number
    header.furniture.append(Furniture(number, "credit", text))
    return True


def _reporting_from(header: Header, text: str, number: int) -> bool:
    """'Reporting from Bogotá, Colombia' (The New York Times): where the story was reported, its
    dateline."""
    match = REPORTING_FROM.match(text)
    if not match:
        return False
    if header.dateline is None:
        header.dateline, header.dateline_how = match.group("place").strip(), f"header line {number}: 'Reporting from' line"
    header.furniture.append(Furniture(number, "dateline", text))
    return True
