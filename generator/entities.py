"""People, organisations and places: who and what the articles mention, and in which passages.

Method (chosen by measurement, see the README): a gazetteer plus capitalised-phrase detection, no
NLP model. The gazetteer is the `entities:` list of `briefing.yml` (names, kinds, aliases), the
configured news sources (organisations) and a built-in list of countries and regions. Everything
else is found as a capitalised phrase ("Orinoco Mining Arc", "U.S. Interior Secretary Doug
Burgum") and classified by local evidence only: a title before it ("President", "opposition
leader") makes a person, an organisational head word ("Council", "Department") or a descriptor
("commodities trader Trafigura") an organisation, a place head word or a preposition of place
("in Caracas") a place. A phrase with no evidence anywhere in the corpus is left out of the index:
fewer entries, each of them right.

Names are compared without accents ("Rodríguez" = "Rodriguez"). A one-word alias that is part of
a name ("Rodriguez" for "Delcy Rodríguez", "Burgum" for "Doug Burgum") counts only once the full
name has appeared earlier in the same article; configured `always` aliases count everywhere.

`article_entities` is a pure function of one article and the gazetteer; `index_entities` groups
the mentions of the whole corpus by name key (one dict: linear).
"""

from __future__ import annotations

import hashlib
import pickle
import re
import sys
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any

import orjson
from slugify import slugify

from generator.article import FIELDS, Article
from generator.corroborate import Passage, SourceCounter, SourceGroup, sentences_of
from generator.ordering import descending
from generator.records import pickled_as_tuple, shared_string
from generator.sentences import STOPWORDS, exact_spans, split_sentences

KINDS = ("person", "organisation", "place")
MAX_NGRAM = 7

# ---------------------------------------------------------------------------------------------
# Folding: accents and curly apostrophes, keeping every character's offset.

_FOLD: dict[int, str] = {}
for _cp in range(0xC0, 0x250):
    _decomposed = unicodedata.normalize("NFD", chr(_cp))
    if len(_decomposed) > 1 and _decomposed[0].isascii():
        _FOLD[_cp] = _decomposed[0]
_FOLD.update({ord("’"): "'", ord("‘"): "'", ord("‐"): "-", ord("‑"): "-"})


_FOLDABLE = re.compile("[" + re.escape("".join(map(chr, sorted(_FOLD)))) + "]+")


def fold(text: str) -> str:
    """'Rodríguez’s' -> "Rodriguez's": same length, so offsets still point into the original.
    Only the runs of foldable characters are translated: `str.translate` with a dict looks up
    every character, which made folding paragraphs a tenth of the entity time."""
    if text.isascii():
        return text
    return _FOLDABLE.sub(_fold_run, text)


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_FOLD)


def name_key(name: str) -> str:
    """What two spellings of one name share: no accents, case, dots or leading 'the'."""
    key = fold(name).lower().replace(".", "")
    key = re.sub(r"[\s\-–—]+", " ", key).strip()
    return key.removeprefix("the ").strip()


# ---------------------------------------------------------------------------------------------
# Word lists. Lower-case; compared after folding.

MONTHS = frozenset("""january february march april may june july august september october november
december jan feb mar apr jun jul aug sep sept oct nov dec""".split())
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())

TITLES = frozenset("""
president presidents vice secretary minister ministers premier chancellor leader leaders lawmaker
lawmakers senator sen representative rep governor gov mayor judge justice ambassador envoy king queen
prince princess pope chief director spokesman spokeswoman spokesperson commander admiral colonel col
general gen lieutenant lt sergeant sgt captain capt acting interim former ex deputy assistant
undersecretary special senior top opposition congressman congresswoman chairman chairwoman chair ceo
cfo executive officer mr mrs ms dr prof sir dame attorney prosecutor counsel advisor adviser
president-elect dictator strongman ruler negotiator mediator rapporteur commissioner superintendent
prize award laureate medal
""".split())
"""Words of a title: 'Acting President Delcy Rodríguez' names Delcy Rodríguez, a person."""

ROLES_BEFORE = frozenset("""
president leader lawmaker secretary minister senator governor mayor judge ambassador envoy
spokesman spokeswoman spokesperson chief director commander general official officials analyst
economist lawyer attorney prosecutor dictator strongman ruler activist candidate opponent rival
politician diplomat businessman businesswoman tycoon magnate financier banker investor
founder chairman chairwoman ceo executive minister negotiator mediator journalist reporter
correspondent editor columnist professor researcher expert adviser advisor aide deputy colleague
wife husband son daughter brother sister mother father partner successor predecessor ally allies
winner laureate defendant co-defendant
""".split())
"""A lower-case role right before a name: 'opposition leader Juan Guaidó', 'interim president X'."""

APPOSITIVE_ROLES = ROLES_BEFORE | frozenset("""member partner fellow head owner manager organiser
organizer speaker historian scientist doctor student teacher writer author""".split())

WORKERS = frozenset("""consultant consultants analyst analysts economist economists researcher
researchers partner partners director strategist strategists fellow professor lawyer lawyers trader
traders banker bankers employee employees executive executives spokesperson spokesman spokeswoman
manager managers head chief""".split())
"""'a consultant at Caribbean Mining Partners': what follows is where they work."""

PERSON_AFTER_POSSESSIVE = frozenset("""wife husband son daughter brother sister mother father
family cabinet lawyer lawyers attorney attorneys vice aides aide allies ally successor predecessor
supporters presidency administration government regime campaign trial ouster capture""".split())
"""'Maduro's wife', 'Trump's cabinet': the owner is a person."""

PERSON_BEFORE_NOUN = frozenset("administration government regime presidency campaign".split())
"""'the Biden administration', 'the Rodriguez government'."""

SPEECH_VERBS = frozenset("""said says told tells added adds stated wrote writes posted tweeted
announced declared insisted argued noted stressed warned explained emphasised emphasized described
urged replied answered acknowledged recalled asked predicted suggested""".split())

ORG_HEADS = frozenset("""
department ministry council court congress senate assembly parliament party agency company
corporation corp inc ltd llc plc group bank fund commission committee office administration
government army navy forces police union association organization organisation institute
university foundation federation service services authority board bureau network times post news
journal press reuters tribune herald gazette guardian telegraph cabinet secretariat presidency
embassy consulate mission movement front alliance coalition cartel tribunal prosecutors exchange
petroleum petroleos oil airlines airways motors holdings partners capital energy mining resources
industries enterprises corporación compañía ministerio analytics advisors advisers associates
research consulting consultants consultancy labs media systems technologies solutions trust llp
ventures securities investments management strategies insights intelligence
""".split())
"""Last word of an organisation's name: 'State Department', 'National Energy Dominance Council'."""

ORG_FIRST = frozenset("""department ministry bank university institute office court council commission
committee federation union association bureau agency""".split())
"""First word of 'Ministry of Foreign Affairs', 'Bank of America'."""

ORG_BEFORE = frozenset("""company firm trader traders group miner producer refiner operator carrier
airline automaker giant conglomerate agency outlet newspaper broadcaster network publication website
lender bank insurer fund consultancy think-tank party militia cartel gang union ministry regulator
exporter importer shipper""".split())
"""A lower-case descriptor right before a name: 'commodities trader Trafigura'."""

PLACE_HEADS = frozenset("""city town village county province state region district valley river
mountains mountain island islands sea ocean gulf bay lake coast peninsula strait canal desert basin
belt arc hemisphere square street avenue airport port border borough capital""".split())

LOC_PREPS = frozenset("""in to from at near across throughout into outside inside toward towards
via between around within""".split())
"""A preposition of place before a phrase with no other evidence: 'in Caracas', 'to New York'."""

NOT_PLACE_BEFORE_PREP = frozenset("""report reports article interview statement op-ed column
piece story published wrote writing appeared posted said told editorial letter speech
message according""".split())
"""'a report in Axios' is not a place."""

CONNECTORS = frozenset("of de del la da do dos das van von der den bin al y".split())

DEPARTMENT_WORDS = frozenset("""interior energy state treasury defense defence commerce justice
foreign trade agriculture transportation transport homeland security health education labor labour
finance economy economic war veterans affairs housing environment home public national""".split())
"""Words between a title and a name that name the office, not the person."""

COMMON_STARTERS = STOPWORDS | frozenset("""
meanwhile however besides according during since such both previously earlier later also although
though despite because if unlike like among amid under over about around following until even
still instead then now today yesterday many most some several few all each every other another
more much no not only just once twice further furthermore moreover additionally indeed
nevertheless nonetheless thus therefore hence overall finally first second third last next
experts observers analysts officials critics supporters residents relations mining oil gold
asked speaking writing despite already while whether after before as with without within between
across against toward towards upon onto into via per this that these those it its his her their our
here there where when what which who whom whose why how yes no perhaps maybe many much
""".split())
"""Capitalised only because a sentence starts with them."""

# Countries and regions: the built-in part of the gazetteer (claimed only where unambiguous).
COUNTRIES = """Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|
Austria|Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|
Bosnia and Herzegovina|Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|
Cape Verde|Central African Republic|Chad|Chile|China|Colombia|Comoros|Congo|Costa Rica|Croatia|Cuba|
Cyprus|Czech Republic|Czechia|Denmark|Djibouti|Dominica|Dominican Republic|East Timor|Ecuador|Egypt|
El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|Gambia|
Georgia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|
Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|
Kenya|Kiribati|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|
Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Marshall Islands|Mauritania|
Mauritius|Mexico|Micronesia|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|
Nauru|Nepal|Netherlands|New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|
Pakistan|Palau|Palestine|Panama|Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|
Puerto Rico|Qatar|Romania|Russia|Rwanda|Saint Lucia|Samoa|San Marino|Saudi Arabia|Senegal|Serbia|
Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|Solomon Islands|Somalia|South Africa|South Korea|
South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|
Thailand|Togo|Tonga|Trinidad and Tobago|Tunisia|Turkey|Turkmenistan|Tuvalu|Uganda|Ukraine|
United Arab Emirates|United Kingdom|United States|Uruguay|Uzbekistan|Vanuatu|Vatican|Venezuela|
Vietnam|Yemen|Zambia|Zimbabwe|Latin America|South America|North America|Central America|Caribbean|
Europe|Asia|Africa|Middle East|Western Hemisphere|Americas|Gaza|West Bank|Crimea|Greenland|Hong Kong""".replace(
    "\n", "").split("|")
COUNTRY_ALIASES = {
    "United States": ["US", "U.S.", "U.S", "USA", "U.S.A.", "United States of America", "America"],
    "United Kingdom": ["UK", "U.K.", "Britain", "Great Britain"],
    "United Arab Emirates": ["UAE", "U.A.E."],
    "Russia": ["Russian Federation"], "Ivory Coast": ["Côte d'Ivoire"], "Myanmar": ["Burma"],
    "Czechia": [], "Netherlands": ["The Netherlands", "Holland"],
}
DEMONYMS = frozenset("""mexican chinese brazilian canadian peruvian chilean argentine argentinian
ecuadorian bolivian panamanian haitian dominican guyanese spanish british french german iranian
israeli japanese turkish saudi emirati qatari iraqi afghan pakistani ukrainian european african
asian american americans latino latina hispanic caribbean arab arabic dutch swiss swedish danish
norwegian finnish polish greek portuguese irish scottish welsh english filipino thai vietnamese
korean indonesian malaysian nigerian kenyan egyptian lebanese cuban cubans venezuelan venezuelans
colombian colombians russian russians indian western eastern northern southern latin soviet
chavista chavistas bolivarian""".split())


@lru_cache(maxsize=20_000)
def _is_demonym(word: str, places: frozenset[str] = frozenset()) -> bool:
    low = fold(word).lower()
    if low in DEMONYMS:
        return True
    for stem in (low.removesuffix("s"),):
        for cut in (1, 2, 3):
            if len(stem) > cut + 3 and stem.endswith(("n", "an", "ian")) and stem[:-cut] in places:
                return True
        if stem.endswith("ian") and (stem[:-3] + "a") in places:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Configuration.

@dataclass(frozen=True, slots=True)
class EntityRule:
    """One `entities:` item of briefing.yml."""

    name: str
    kind: str | None = None
    """person, organisation or place; None: decided by the evidence in the text."""
    aliases: tuple[str, ...] = ()
    always: tuple[str, ...] = ()
    """One-word aliases that name the entity even where the full name is absent ('Maduro')."""


def entity_rules(raw: Any, key: str = "entities") -> tuple[tuple[EntityRule, ...], list[str]]:
    """Read the `entities:` value of briefing.yml: a list of {name, kind, aliases, always}, or a
    mapping name -> aliases. Returns the rules and every problem as "Config value 'key': ..."."""
    errors: list[str] = []
    rules: list[EntityRule] = []
    if raw is None:
        return (), errors
    if isinstance(raw, Mapping):
        items: list[Any] = [{"name": k, "aliases": v} for k, v in raw.items()]
    elif isinstance(raw, list):
        items = raw
    else:
        return (), [f"Config value '{key}': expected a list of {{name, kind, aliases}}, "
                    f"got {type(raw).__name__}"]
    for i, item in enumerate(items):
        where = f"{key}[{i}]"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, Mapping):
            errors.append(f"Config value '{where}': expected a mapping, got {type(item).__name__}")
            continue
        unknown = sorted(set(item) - {"name", "kind", "aliases", "always"})
        for name in unknown:
            errors.append(f"Config value '{where}.{name}': unknown key (allowed: aliases, always, kind, name)")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"Config value '{where}.name': expected a non-empty string, got {name!r}")
            continue
        kind = item.get("kind")
        if kind is not None and kind not in KINDS:
            errors.append(f"Config value '{where}.kind': expected one of {', '.join(KINDS)}, got {kind!r}")
            kind = None
        lists = {}
        for field_name in ("aliases", "always"):
            value = item.get(field_name) or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                errors.append(f"Config value '{where}.{field_name}': expected a list of non-empty strings")
                value = []
            lists[field_name] = tuple(v.strip() for v in value)
        rules.append(EntityRule(name.strip(), kind, lists["aliases"], lists["always"]))
    return tuple(rules), errors


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    kind: str | None
    mode: str
    """'configured' (counts anywhere), 'short' (only after the full name), 'builtin' (guarded)."""


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Known names: folded alias (case kept) -> entry; built once per build."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    full_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Entity name -> the folded multi-word forms that count as 'the full name appeared'."""
    places: frozenset[str] = frozenset()
    """Folded lower-case built-in place names, for telling demonyms ('Venezuelan') apart."""
    rule_kinds: dict[str, str | None] = field(default_factory=dict)
    acronyms: frozenset[str] = frozenset()
    """All-capital words of four letters or more that are names ('OPEC', 'PDVSA'), from the entries."""
    longest: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    """First word of a name -> the most words a name starting with it has. Most capitalised words
    start no name, so `_split_run` skips their look-ups (one per possible length) altogether."""

    def __post_init__(self) -> None:
        for form in self.entries:
            words = form.split(" ")
            self.longest[words[0]] = max(self.longest.get(words[0], 0), len(words))

    def lookup(self, words: list[str]) -> _Entry | None:
        return self.entries.get(" ".join(words))


_PLACES = frozenset(fold(c).lower() for c in COUNTRIES)


def _rule_of(item: Any) -> EntityRule:
    if isinstance(item, EntityRule):
        return item
    if isinstance(item, Mapping):
        return EntityRule(item["name"], item.get("kind"), tuple(item.get("aliases") or ()),
                          tuple(item.get("always") or ()))
    return EntityRule(item.name, getattr(item, "kind", None), tuple(getattr(item, "aliases", ()) or ()),
                      tuple(getattr(item, "always", ()) or ()))


def build_gazetteer(entities: Any = None, sources: Iterable[Any] = (), builtin: bool = True) -> Gazetteer:
    """`entities`: rules (EntityRule, mappings {name, kind, aliases, always}, or objects with those
    attributes) or a mapping name -> aliases; `sources`: the configured outlets and agencies
    (anything with .name and .aliases), known as organisations."""
    if isinstance(entities, Mapping):
        rules = [EntityRule(str(k), None, tuple(v or ())) for k, v in entities.items()]
    else:
        rules = [_rule_of(item) for item in (entities or ())]
    entries: dict[str, _Entry] = {}
    full_names: dict[str, list[str]] = defaultdict(list)
    rule_kinds: dict[str, str | None] = {}
    places = frozenset(fold(c).lower() for c in COUNTRIES)

    def norm(text: str) -> str:
        words = fold(text).split()
        if words and words[0].lower() == "the":
            words = words[1:]
        return " ".join(words)

    if builtin:
        for country in COUNTRIES:
            for form in (country, *COUNTRY_ALIASES.get(country, ())):
                entries[norm(form)] = _Entry(country, "place", "builtin")
    for source in sources:
        for form in (source.name, *getattr(source, "aliases", ())):
            if len(norm(form).split()) <= MAX_NGRAM:
                entries[norm(form)] = _Entry(source.name, "organisation", "configured")
    for rule in rules:
        rule_kinds[rule.name] = rule.kind
        forms = [rule.name, *rule.aliases]
        words_of_name = {w.lower() for form in forms if len(form.split()) > 1 for w in norm(form).split()}
        always = {norm(a) for a in rule.always}
        for form in (*forms, *rule.always):
            folded = norm(form)
            if not folded or len(folded.split()) > MAX_NGRAM:
                continue
            single = len(folded.split()) == 1
            short = single and folded.lower() in words_of_name and folded not in always
            entries[folded] = _Entry(rule.name, rule.kind, "short" if short else "configured")
            if not single:
                full_names[rule.name].append(folded)
    acronyms = frozenset(w for form in entries for w in form.split() if w.isupper() and len(w) > 3)
    return Gazetteer(entries, {k: tuple(v) for k, v in full_names.items()}, places, rule_kinds, acronyms)


# ---------------------------------------------------------------------------------------------
# Per article.

@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class EntityMention:
    """One mention of a person, organisation or place in a paragraph."""

    article: str
    n: int
    """Paragraph number (the `#p-N` anchor)."""
    index: int
    """Sentence number within the paragraph, from 1 (as in topics.json passages)."""
    start: int
    end: int
    """Character offsets of the mention in the paragraph text."""
    text: str
    """As written: 'Rodriguez', 'U.S. State Department'."""
    name: str
    """What it resolves to in this article: 'Delcy Rodríguez'."""
    kind: str | None
    """person, organisation, place, or None when this mention gives no evidence."""
    how: str
    """Why: 'configured', 'title', 'full name earlier in the article', 'after "in"'..."""


_MENTION_VALUES = attrgetter(*(f.name for f in fields(EntityMention)))


def packed_mentions(mentions: tuple[EntityMention, ...]) -> bytes:
    """An article's mentions as one object, as the analyse stage caches them: only the entity
    index reads them, in a process of its own and only when a name changed, while every build
    reads the cache (at 10,000 articles, 703,000 mentions were a third of the objects unpickled
    with it, 1.2 s, and a quarter of the corpus in memory; packed, 0.6 s)."""
    return pickle.dumps(list(map(_MENTION_VALUES, mentions)), protocol=pickle.HIGHEST_PROTOCOL)


def unpacked_mentions(data: bytes) -> tuple[EntityMention, ...]:
    """`packed_mentions` undone, with one string for each name, kind and 'how' of the corpus
    (they recur in most mentions)."""
    rebuild, intern = EntityMention._rebuild, sys.intern  # type: ignore[attr-defined]
    return tuple([rebuild(article, n, index, start, end, text, intern(name), kind and intern(kind), intern(how))
                  for article, n, index, start, end, text, name, kind, how in pickle.loads(data)])


_TOKEN = re.compile(r"[^\W\d_](?:[\w'’\-]|\.(?=\w))*\.?|\d+")


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str
    """Cleaned: no possessive, no trailing period, no lower-case hyphen tail."""
    cap: bool
    ends_run: bool
    sentence_start: bool
    folded: str = ""


_CAP_TOKEN = re.compile(r"(?<![\w'.\-])(?:[A-Z][\w'\-]*(?:\.(?=\w)[\w'\-]*)*\.?|"
                        r"(?:of|de|del|la|da|do|dos|das|van|von|der|den|bin|al|y|the)(?![\w'\-]))")
"""On folded text: capitalised words ('U.S.', 'Al-Jazeera', 'Rodriguez's') and the connectors that
may join them ('Secretary of the Interior'); lower-case words are gaps that end a phrase."""
_ABBREVIATION = re.compile(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.")
_NOT_NAME_WORDS = MONTHS | WEEKDAYS


def _tokens(text: str, spans: list[tuple[int, int]], shouted_ok: frozenset[str] = frozenset()) -> list[_Token]:
    """The capitalised words and connectors of a paragraph, sentence by sentence (see `_sentence_tokens`)."""
    out: list[_Token] = []
    append = out.append
    for begin, end in spans:
        for start, stop, written, cap, ends_run, at_start, clean, shouted in _sentence_tokens(text[begin:end]):
            if shouted and clean not in shouted_ok:
                cap = False  # SHOUTED words and datelines, not names
            append(_Token(begin + start, begin + stop, written, cap, ends_run, at_start, clean))
    return out


@lru_cache(maxsize=8192)
def _sentence_tokens(sentence: str) -> tuple[tuple[int, int, str, bool, bool, bool, str, bool], ...]:
    """(start, end, text, name-like, ends a run, starts a sentence, folded, SHOUTED) of each token of
    a sentence, found on its folded text. Read sentence by sentence, a paragraph gives the same
    tokens and starts: none spans two sentences (between them are only spaces),
    and the look-behinds see a space before a sentence where they now see its beginning, which
    they treat alike. Cached: sentences recur in every copy of a wire story."""
    folded = fold(sentence)
    starts = _starts(sentence)
    out = []
    for match in _CAP_TOKEN.finditer(folded):
        raw = match.group()
        start = match.start()
        shape = _token_shape(raw)
        if shape is None:
            out.append((start, match.end(), raw, False, False, False, raw, False))
            continue
        clean, cut, cap, ends_run, shouted = shape
        end = match.end() - cut
        out.append((start, end, sentence[start:end], cap, ends_run, start in starts, clean, shouted))
    return tuple(out)


@lru_cache(maxsize=65_536)
def _token_shape(raw: str) -> tuple[str, int, bool, bool, bool] | None:
    """A word as `_CAP_TOKEN` found it -> (cleaned, characters cut from its end, name-like,
    ends a run, SHOUTED), or None for a lower-case connector. Cached: the same words recur in
    every paragraph, and cleaning them was most of the tokenising time."""
    if not raw[0].isupper():
        return None
    cut = 0
    ends_run = False
    if raw[-1] == "." and not _ABBREVIATION.fullmatch(raw):
        raw, cut, ends_run = raw[:-1], 1, True
    if raw.endswith(("'s", "'S")):
        raw, cut, ends_run = raw[:-2], cut + 2, True
    elif raw[-1:] == "'":
        raw, cut, ends_run = raw[:-1], cut + 1, True
    if "-" in raw:
        head, _, tail = raw.partition("-")
        if tail[:1].islower():
            raw, cut, ends_run = head, cut + len(raw) - len(head), True
    cap = len(raw) > 1 and (len(raw) > 2 or raw[1].isalpha()) and raw.lower() not in _NOT_NAME_WORDS
    shouted = cap and len(raw) > 3 and raw.isupper() and raw.isalpha()
    return raw, cut, cap, ends_run, shouted


def _runs(tokens: list[_Token], folded: str) -> list[list[_Token]]:
    """Maximal sequences of capitalised words (with connectors between them), split at punctuation."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    pending: list[_Token] = []
    for token in tokens:
        gap_ok = False
        if current:
            last = pending[-1] if pending else current[-1]
            gap = folded[last.end: token.start]
            gap_ok = 0 < len(gap) <= 3 and gap.isspace() and "\n\n" not in gap and not last.ends_run
        if token.cap:
            if current and gap_ok:
                current.extend(pending)
                current.append(token)
            else:
                if current:
                    runs.append(current)
                current = [token]
            pending = []
        elif current and gap_ok and not token.ends_run and (
                token.text.lower() in CONNECTORS
                or (token.text == "the" and pending and pending[-1].text.lower() == "of")):
            pending.append(token)
        else:
            if current:
                runs.append(current)
            current, pending = [], []
        if token.ends_run and current and current[-1] is token:
            runs.append(current)
            current, pending = [], []
    if current:
        runs.append(current)
    # all-caps emphasis ("TRUMP SPEED") is not a name
    return [run for run in runs if not (len(run) > 1 and all(t.text.isupper() for t in run))]


def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of a paragraph, as `split_sentences` cuts it (the whole
    paragraph when it has none); `exact_spans` caches them, because the analyse stage, entities,
    quotes and events each read every paragraph."""
    return exact_spans(text) or ((0, len(text)),)


_STARTS_AFTER = re.compile(r"(?:[:“\"‘(—–]\s*|\s-\s+)(\w)")


def _starts(sentence: str) -> set[int]:
    """Offsets where the sentence, a quotation or the text after a colon begins."""
    begin = 0
    while begin < len(sentence) and not sentence[begin].isalnum():
        begin += 1
    starts = {begin}
    for match in _STARTS_AFTER.finditer(sentence):
        starts.add(match.start(1))
    return starts


def _sentence_index(spans: list[tuple[int, int]], offset: int) -> int:
    """1 + how many sentences end at or before `offset` (their ends only grow), at most their number."""
    before = bisect_right(spans, offset, key=_END)
    return before + 1 if before < len(spans) else max(len(spans), 1)


_END = itemgetter(1)


_WORD = re.compile(r"[\w'\-]+")


@dataclass(slots=True)
class _Candidate:
    n: int
    start: int
    end: int
    words: list[str]
    """Folded words of the name."""
    text: str
    entry: _Entry | None
    kind: str | None
    how: str
    weak_start: bool
    """A single word that is capitalised only because it starts a sentence, maybe."""


_WHO = re.compile(r",\s+who\b")
_APPOSITIVE = re.compile(r",\s+(?:a|an|the)\s+((?:[\w'\-]+\s+){0,3}[\w'\-]+)")
_POSSESSED = re.compile(r"'s\s+(?:[a-z\-]+\s+)?([a-z]+)")
_NEXT_WORD = re.compile(r"\s+([a-z]+)")
_RELATIVE_COMMA = tuple(f"{w}," for w in "wife husband son daughter brother sister mother father".split())
_COUNTRY_AFTER = re.compile(r",\s+([A-Z][\w'\-]+(?:\s[A-Z][\w'\-]+)?)")
_VERB_AFTER = re.compile(r"\s+(?:\w+ly\s+)?([a-z]+)")
_ROLES_OR_WORKERS = APPOSITIVE_ROLES | WORKERS


def _classify(run: list[_Token], folded: str, text: str, gaz: Gazetteer) -> tuple[str | None, str]:
    """Kind evidence for a capitalised phrase with no gazetteer entry, from the phrase and its neighbours."""
    words = [t.folded for t in run]
    lows = [w.lower() for w in words]
    start, end = run[0].start, run[-1].end
    if lows[-1] in ORG_HEADS or (lows[0] in ORG_FIRST and len(lows) > 2 and lows[1] in CONNECTORS):
        return "organisation", f"'{words[-1] if lows[-1] in ORG_HEADS else words[0]}'"
    after = folded[end: end + 80]
    previous = _WORD.findall(folded, max(0, start - 80), start)  # the words just before the phrase
    before_word = previous[-1].lower() if previous else ""
    second_before = previous[-2].lower() if len(previous) > 1 else ""
    raw_after = folded[end: end + 3]
    if before_word in ORG_BEFORE or (before_word in {"at", "with", "for"} and second_before in _ROLES_OR_WORKERS):
        return "organisation", f"after '{before_word}'"
    if before_word in ROLES_BEFORE and before_word not in {"official", "officials"}:
        return "person", f"after '{before_word}'"
    if _WHO.match(after):
        return "person", "', who'"
    match = _APPOSITIVE.match(after)
    if match:
        role = next((w for w in match.group(1).lower().split() if w in _ROLES_OR_WORKERS), None)
        if role:
            return "person", f"', a {role}'"
    if before_word in SPEECH_VERBS and 2 <= len(run) <= 3 and all(t.text[1:].islower() for t in run):
        return "person", f"after '{before_word}'"
    if raw_after.startswith("'s") or raw_after.startswith("’s"):
        noun = _POSSESSED.match(fold(text[end: end + 40]))
        if noun and noun.group(1) in PERSON_AFTER_POSSESSIVE:
            return "person", f"'s {noun.group(1)}"
    next_word = _NEXT_WORD.match(after)
    if next_word and next_word.group(1) in PERSON_BEFORE_NOUN and len(run) == 1:
        return "person", f"'{words[0]} {next_word.group(1)}'"
    if folded[max(0, start - 40): start].rstrip().endswith(_RELATIVE_COMMA):  # 'his wife, X
        return "person", "appositive after a relative"
    if lows[-1] in PLACE_HEADS and len(lows) > 1:
        return "place", f"'{words[-1]}'"
    country = _COUNTRY_AFTER.match(after)
    if country and fold(country.group(1)).lower() in gaz.places and len(run) <= 3:
        return "place", f"', {country.group(1)}'"
    if before_word in LOC_PREPS and second_before not in NOT_PLACE_BEFORE_PREP:
        if not (next_word and next_word.group(1) in {"said", "says", "told", "added"}):
            return "place", f"after '{before_word}'"
    verb = _VERB_AFTER.match(after)
    if verb and verb.group(1) in SPEECH_VERBS and 2 <= len(run) <= 3 and all(t.text[1:].islower() for t in run):
        return "person", f"'{verb.group(1)}'"
    return None, ""


def _split_run(run: list[_Token], n: int, folded: str, text: str, gaz: Gazetteer,
               mid_words: set[str]) -> list[_Candidate]:
    """A capitalised phrase -> the entities in it: gazetteer names first (longest match), then what
    is left, with titles stripped ('U.S. Interior Secretary Doug Burgum' -> US + Doug Burgum)."""
    out: list[_Candidate] = []
    words = [t.folded for t in run]
    entries = gaz.entries
    # Sentence-initial common words ('The', 'Meanwhile', 'In') are not part of a name.
    while run and run[0].sentence_start and words[0].lower() in COMMON_STARTERS and words[0] not in entries:
        run, words = run[1:], words[1:]
    while run and not run[0].cap:
        run, words = run[1:], words[1:]
    i = 0
    leftover: list[int] = []
    while i < len(run):
        match = None
        longest = gaz.longest.get(words[i], 0)
        for size in range(min(MAX_NGRAM, len(run) - i, longest) if longest else 0, 0, -1):
            entry = entries.get(words[i] if size == 1 else " ".join(words[i: i + size]))
            if entry is None:
                continue
            if entry.mode == "builtin":
                at_start = i == 0 or (leftover and all(words[k].lower() in TITLES for k in leftover))
                if not at_start or (i + size < len(run)
                                    and not _office_after_place([w.lower() for w in words[i + size:]])):
                    continue
            match = (size, entry)
            break
        if match is None:
            leftover.append(i)
            i += 1
            continue
        if leftover:
            out.extend(_leftover([run[k] for k in leftover], n, folded, text, gaz, mid_words))
            leftover = []
        size, entry = match
        first, last = run[i], run[i + size - 1]
        out.append(_Candidate(n, first.start, last.end, words[i: i + size], text[first.start: last.end], entry,
                              entry.kind, "configured" if entry.mode != "builtin" else "built-in place list",
                              False))
        i += size
    if leftover:
        out.extend(_leftover([run[k] for k in leftover], n, folded, text, gaz, mid_words))
    return out


GOVERNMENT_HEADS = frozenset("""department ministry office agency embassy consulate military army navy
forces government administration congress senate treasury mission command""".split())


def _office_after_place(rest: list[str]) -> bool:
    """'US' + 'Interior Secretary Doug Burgum' or + 'State Department': the place is a qualifier;
    'Caribbean' + 'Energy Institute' is one name."""
    if any(w.rstrip(".") in TITLES for w in rest):
        return True
    return len(rest) <= 3 and rest[-1] in GOVERNMENT_HEADS and all(
        w in DEPARTMENT_WORDS or w in CONNECTORS or w == "the" for w in rest[:-1])


def _leftover(run: list[_Token], n: int, folded: str, text: str, gaz: Gazetteer,
              mid_words: set[str]) -> list[_Candidate]:
    words = [t.folded for t in run]
    lows = [w.lower() for w in words]
    titled = None
    title_at = next((k for k in range(len(lows) - 1, -1, -1) if lows[k].rstrip(".") in TITLES), None)  # the last
    if title_at is not None and lows[-1] not in ORG_HEADS:
        titled = words[title_at]
        k = title_at + 1
        while k < len(run) and (lows[k] in CONNECTORS or lows[k] == "the" or lows[k] in DEPARTMENT_WORDS
                                or lows[k] in gaz.places):
            k += 1
        run, words, lows = run[k:], words[k:], lows[k:]
        if not run:
            return []
    if not run:
        return []
    if _is_demonym(words[-1], _PLACES) or all(_is_demonym(w, _PLACES) for w in words):
        return []
    if len(run) == 1 and (len(words[0]) < 2 or lows[0] in COMMON_STARTERS or lows[0] in ORG_HEADS
                          or lows[0].rstrip(".") in TITLES or lows[0] in DEPARTMENT_WORDS):
        return []
    weak = len(run) == 1 and run[0].sentence_start and lows[0] not in mid_words
    candidate_text = text[run[0].start: run[-1].end]
    kind: str | None
    if titled and lows[-1] not in ORG_HEADS:
        kind, how = "person", f"title '{titled}'"
    else:
        kind, how = _classify(run, folded, text, gaz)
    return [_Candidate(n, run[0].start, run[-1].end, words, candidate_text, None, kind, how, weak)]


def article_entities(article: Article, gazetteer: Gazetteer) -> tuple[EntityMention, ...]:
    """Every mention of a person, organisation or place in the article's paragraphs, in order."""
    prepared = []
    mid_words: set[str] = set()
    for paragraph in article.paragraphs:
        text = paragraph.text
        folded = fold(text)
        spans = list(sentence_spans(text))
        runs = _runs(_tokens(text, spans, gazetteer.acronyms), folded)
        for run in runs:
            if not run[0].sentence_start:
                mid_words.add(run[0].folded.lower())  # folded: fold(run[0].text)
        prepared.append((paragraph.n, text, folded, spans, runs))
    candidates: list[tuple[_Candidate, list[tuple[int, int]]]] = []
    for n, text, folded, spans, runs in prepared:
        for run in runs:
            for candidate in _split_run(run, n, folded, text, gazetteer, mid_words):
                candidates.append((candidate, spans))
    return tuple(_resolve(article, candidates, gazetteer))


def _resolve(article: Article, candidates: list[tuple[_Candidate, list[tuple[int, int]]]],
             gaz: Gazetteer) -> list[EntityMention]:
    """In reading order: short forms resolve to a full name seen earlier in the article."""
    seen_full: set[str] = set()
    persons_by_last: dict[str, set[str]] = defaultdict(set)
    kind_of: dict[str, str | None] = {}
    out: list[EntityMention] = []
    for c, spans in candidates:
        name, kind, how = None, c.kind, c.how
        if c.entry is not None and c.entry.mode == "short":
            if c.entry.name in seen_full:
                name, kind, how = c.entry.name, c.entry.kind or kind_of.get(c.entry.name), \
                    "full name earlier in the article"
            else:
                c = _Candidate(c.n, c.start, c.end, c.words, c.text, None, None, "", c.weak_start)
        elif c.entry is not None:
            name = c.entry.name
            if len(c.words) > 1 or c.entry.mode == "builtin" \
                    or " ".join(c.words) not in gaz.full_names.get(name, ()):
                seen_full.add(name)
        if name is None and len(c.words) == 1:
            owners = persons_by_last.get(c.words[0].lower(), ())
            if len(owners) == 1:
                name = next(iter(owners))
                kind = kind_of.get(name) or "person"
                how = "full name earlier in the article"
        if name is None:
            if c.weak_start or (len(c.words) == 1 and c.words[0].lower() in COMMON_STARTERS):
                continue
            name = c.text
            if c.kind is not None:
                how = c.how
        if len(c.words) > 1 and (kind == "person" or (c.entry is not None and c.entry.kind == "person")):
            persons_by_last[c.words[-1].lower()].add(name)
            for form in gaz.full_names.get(name, ()):
                persons_by_last[form.split()[-1].lower()].add(name)
        if kind is not None:
            kind_of.setdefault(name, kind)
        out.append(EntityMention(article.id, c.n, _sentence_index(spans, c.start), c.start, c.end,
                                 shared_string(c.text), shared_string(name), kind, shared_string(how)))
    return out


# ---------------------------------------------------------------------------------------------
# Corpus.

@dataclass(frozen=True, slots=True)
class Entity:
    slug: str
    name: str
    kind: str
    variants: tuple[str, ...]
    """Every spelling the articles used, most frequent first."""
    mentions: tuple[EntityMention, ...]
    passages: tuple[Passage, ...]
    """One per sentence that mentions it: newest article first, then reading order."""
    sources: tuple[SourceGroup, ...]
    articles: tuple[str, ...]
    """The articles of its passages, in their order: kept, not derived on each use, because the
    sort, the index page, its own page and entities.json each count them (7,000 passages for
    the most named place at 10,000 articles)."""
    see_also: tuple[tuple[str, str], ...] = ()
    """(slug, name) of the people whose full name ends with this one-word name: shown, never merged."""


_ARTICLE = attrgetter("article")


@dataclass(frozen=True, slots=True)
class EntityIndex:
    entities: tuple[Entity, ...]
    """People, then organisations, then places; most mentioned first within each."""
    left_out: int = 0
    """Names found with no evidence of their kind anywhere: not indexed."""

    def of_kind(self, kind: str) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == kind)

    @property
    def by_slug(self) -> dict[str, Entity]:
        return {e.slug: e for e in self.entities}


def _display_name(variants: Counter[str], configured: str | None) -> str:
    if configured:
        return configured
    def score(item: tuple[str, int]) -> tuple[int, int, int, str]:
        name, count = item
        return (-(name != fold(name)), -count, -len(name), name)
    return sorted(variants.items(), key=score)[0][0]


def index_entities(articles: Iterable[Article], gazetteer: Gazetteer,
                   mentions: Mapping[str, tuple[EntityMention, ...]] | None = None,
                   sentences: Mapping[str, list[Passage]] | None = None) -> EntityIndex:
    """Group every article's mentions by name key: one entry per person, organisation or place.
    `mentions` and `sentences` (each article's passages) may be given when already computed."""
    articles = tuple(articles)
    by_id = {a.id: a for a in articles}
    keys = _NameKeys()
    configured_names = {keys[name]: name for name in gazetteer.rule_kinds}
    configured_names.update({keys[e.name]: e.name for e in gazetteer.entries.values()})
    groups: dict[str, list[EntityMention]] = defaultdict(list)
    for article in articles:
        found = mentions[article.id] if mentions is not None and article.id in mentions \
            else article_entities(article, gazetteer)
        for mention in found:
            groups[keys[mention.name]].append(mention)
    passage_at = _passage_maker(articles, sentences)
    entities = []
    left_out = 0
    for key, members in groups.items():
        configured = configured_names.get(key)
        kind = _group_kind(members, configured, gazetteer)
        if kind is None:
            left_out += 1
            continue
        name = configured or _display_name(Counter(map(_NAME, members)), configured)
        passages = passage_at(members)
        entities.append((key, name, kind, members, passages, Counter(map(_TEXT, members))))
    slugs = _slugs([(key, name) for key, name, *_ in entities])
    one_word = defaultdict(list)
    for key, name, kind, *_ in entities:
        if kind == "person" and " " in key:
            one_word[key.rsplit(" ", 1)[-1]].append((slugs[key], name))
    out = []
    sources = SourceCounter(by_id)
    for key, name, kind, members, passages, variants in entities:
        see_also = tuple(sorted(one_word.get(key, ()))) if " " not in key else ()
        out.append(Entity(slugs[key], name, kind,
                          tuple(map(_FIRST, _most_first(variants))),
                          tuple(members), tuple(passages), sources(passages),
                          tuple(dict.fromkeys(map(_ARTICLE, passages))), see_also))
    out.sort(key=lambda e: (KINDS.index(e.kind), -len(e.articles), -len(e.passages), keys[e.name]))
    return EntityIndex(tuple(out), left_out)


def entity_digest(article: Article, mentions: tuple[EntityMention, ...]) -> bytes:
    """Everything `index_entities` reads of one article, as a digest: its id and fields (the order
    of passages, the sources and the links come from them), its mentions and the text of the
    sentences they are in. Made in the analyse stage and cached with the article, so that a build
    can tell the index (and the pages made from it) unchanged by combining 10,000 digests instead
    of making it: after an edit that touches no name, about a tenth of a rebuild at 10,000.
    orjson, not pickle: pickle's bytes depend on which equal strings happen to be one object; the
    mentions as tuples, which orjson encodes 4x faster than dataclasses."""
    at = {(m.n, m.index) for m in mentions}
    texts = [s.text_in(p.text) for p, s in sentences_of(article) if (p.n, s.index) in at]
    return hashlib.blake2b(orjson.dumps((article.id, [getattr(article, f) for f in FIELDS],
                                         list(map(_MENTION_VALUES, mentions)), texts)), digest_size=16).digest()


_NAME = attrgetter("name")
_TEXT = attrgetter("text")
_KIND = attrgetter("kind")
_FIRST = itemgetter(0)


def _most_first(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most frequent first, ties alphabetically: sorted by text, then by count alone (a stable
    sort keeps the text order among equal counts, `reverse` included). No key function calls."""
    items = sorted(counts.items())  # texts are unique, so this compares texts only
    items.sort(key=itemgetter(1), reverse=True)
    return items


class _NameKeys(dict[str, str]):
    """name -> name_key(name), computed once per distinct name: the corpus has hundreds of
    thousands of mentions but only thousands of names."""

    def __missing__(self, name: str) -> str:
        key = self[name] = name_key(name)
        return key


def _group_kind(members: list[EntityMention], configured: str | None, gazetteer: Gazetteer) -> str | None:
    """The configured kind, else the kind most mentions were given (ties: KINDS order)."""
    kind = gazetteer.rule_kinds.get(configured) if configured else None
    if kind is None:
        entry = next((e for e in gazetteer.entries.values() if e.name == configured), None)
        kind = entry.kind if entry else None
    if kind is None:
        votes = Counter(map(_KIND, members))  # counted in C; kinds that are None/'' dropped next
        votes.pop(None, None)
        votes.pop("", None)
        kind = sorted(votes.items(), key=lambda kv: (-kv[1], KINDS.index(kv[0])))[0][0] if votes else None
    return kind


def _passage_maker(articles: tuple[Article, ...], sentences: Mapping[str, list[Passage]] | None
                   ) -> Callable[[list[EntityMention]], list[Passage]]:
    """Mentions -> one Passage per sentence they are in: newest article first (then corpus
    order), then reading order. Sentences are sorted as (rank, n, index) int tuples, which
    needs no key function. A sentence's Passage is the one `sentences` already holds (only
    corroboration reads its `words`), shared by every entity it mentions."""
    date_of = {a.id: a.date or "" for a in articles}
    order = {a.id: i for i, a in enumerate(articles)}
    by_rank = sorted(order, key=lambda a: (_desc(date_of[a]), order[a]))
    rank = {aid: r for r, aid in enumerate(by_rank)}
    if sentences is not None:
        known = {(rank[p.article], p.n, p.index): p for article in articles for p in sentences.get(article.id, ())}
    else:
        known = {(rank[k[0]], k[1], k[2]): Passage(*k, text) for k, text in _sentences(articles).items()}
    made = _PassageAt(known, by_rank)

    def passages(members: list[EntityMention]) -> list[Passage]:
        return list(map(made.__getitem__, sorted({(rank[m.article], m.n, m.index) for m in members})))
    return passages


class _PassageAt(dict[tuple[int, int, int], Passage]):
    """(article rank, n, index) -> the Passage of that sentence; one with no text for a sentence
    the given passages lack."""

    def __init__(self, known: dict[tuple[int, int, int], Passage], by_rank: list[str]) -> None:
        super().__init__(known)
        self.by_rank = by_rank

    def __missing__(self, spot: tuple[int, int, int]) -> Passage:
        passage = self[spot] = Passage(self.by_rank[spot[0]], spot[1], spot[2], "")
        return passage


def _desc(date: str) -> str:
    return descending(date) if date else "\U0010FFFF"


def _sentences(articles: tuple[Article, ...]) -> dict[tuple[str, int, int], str]:
    out = {}
    for article in articles:
        for paragraph in article.paragraphs:
            for index, (_, sentence) in enumerate(split_sentences(paragraph.text), start=1):
                out[(article.id, paragraph.n, index)] = sentence
    return out


def _slugs(items: list[tuple[str, str]]) -> dict[str, str]:
    """Name key -> page slug; names that slugify alike get -2, -3... in name-key order."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for key, name in sorted(items):
        base = slugify(name) or "entity"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[key] = slug
    return out


def _evidence(mentions: tuple[EntityMention, ...]) -> list[str]:
    """The three commonest reasons given (ties: first given first). Counted in C, then the
    empty reason dropped: the same counts, in the same first-seen order, as skipping it."""
    counts = Counter(map(_HOW, mentions))
    counts.pop("", None)
    counts.pop(None, None)
    return [how for how, _ in counts.most_common(3)]


_HOW = attrgetter("how")


def entities_json(index: EntityIndex) -> dict[str, Any]:
    """`data/entities.json`: see the README."""
    return {"entities": [entity_json(e) for e in index.entities], "left_out": index.left_out}


def entity_json(e: Entity) -> dict[str, Any]:
    return {
        "id": e.slug, "name": e.name, "kind": e.kind, "variants": list(e.variants),
        "articles": list(e.articles),
        "independent_sources": [{"name": s.name, "via": list(s.via), "articles": list(s.articles)}
                                for s in e.sources],
        "evidence": _evidence(e.mentions),
        "mentions": [{"article": m.article, "n": m.n, "sentence": m.index, "as": m.text} for m in e.mentions],
        "see_also": [slug for slug, _ in e.see_also],
    }
