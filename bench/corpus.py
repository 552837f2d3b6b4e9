"""Benchmark corpus: N messy news articles, deterministic from a seed number.

    python bench/corpus.py --size 10000 --seed 1 --out DIR [--peers DIR]

Sentences come from the five seed articles in seeds/*.txt, recombined and
perturbed: officials, places, weekdays and numbers are swapped from small lists,
and the sentence order within each paragraph is shuffled. Each article has
500-900 body words in 6-12 paragraphs, is about 1-3 of the topics (diplomacy,
mining, oil, Maduro trial), comes from one of ~30 outlets or the seven wires, and
is dated between 2025-04-01 and 2026-03-31.

The files take every shape the normaliser reads: ~40% raw pasted text with messy
headers (a ` date YYYY-MM-DD` prefix line, a "6 March 2026 19:42 (UTC+04:00)" line
and a bare byline name, "By Jane Smith | March 5, 2026", wire ledes with
"(Reuters) -" / "(AP) —" credits, "(AFP)" captions, AP `___` trailers, closing
hashtag lines), ~40% Markdown with YAML front matter, ~20% other mixes
(single-newline paragraphs, bullet summaries, aliased front matter keys, a few
CRLF and cp1252 files).

Article i depends only on (seed, i), so the corpus of 1,000 is the first 1,000
articles of the corpus of 10,000.

With --peers DIR the same articles are also written as a Hugo site (DIR/hugo), a
Pelican project (DIR/pelican) and an MkDocs project (DIR/mkdocs), each given the
equivalent job: a page per article, per topic and per outlet, and a home page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

TOPICS = {
    "diplomacy": "Diplomacy",
    "mining": "Mining",
    "oil": "Oil",
    "maduro-trial": "Maduro trial",
}
TOPIC_WORDS = {
    "diplomacy": r"diplomat|relations|ties\b|embass|consular|state department|dialogue|reconciliation|"
                 r"foreign ministry|transition|sovereign|engagement|sanction",
    "mining": r"mining|mineral|gold|bauxite|coltan|minerven|diamond|trafigura|kilogram",
    "oil": r"\boil\b|barrel|energy|crude|reserves|\bgas\b|hydrocarbon|pdvsa",
    "maduro-trial": r"trial|court|charges|drug|trafficking|manhattan|prosecut|judge|defen[cs]e|indict|"
                    r"captur|ouster|toppl",
}

# The seeds say little about the trial itself: a dozen sentences in their style,
# perturbed like the rest, so the fourth topic has text of its own.
TRIAL_EXTRA = [
    "Maduro pleaded not guilty in a Manhattan federal court to charges of narco-terrorism and conspiracy to import cocaine.",
    "Prosecutors said they would call at least 12 witnesses, including two former officials of his government.",
    "The judge set a hearing for Thursday to discuss how classified evidence will be handled during the trial.",
    "His defence lawyers argued that the former president had been brought to New York unlawfully and asked the court to dismiss the indictment.",
    "Maduro's wife, Cilia Flores, faces related charges and is being held at the same detention center in Brooklyn.",
    "Legal experts said the trial could last several months and would test how U.S. courts treat a foreign leader seized abroad.",
    "The indictment accuses Maduro of working with drug trafficking groups to ship tons of cocaine toward the United States.",
    "In Caracas, supporters of the former president gathered outside the foreign ministry on Monday to demand his release.",
    "The court rejected a request to move the proceedings out of Manhattan, saying jurors could be chosen fairly there.",
    "Prosecutors told the judge that the government had handed over more than 3,000 pages of evidence to the defence.",
    "A spokesperson for the Justice Department declined to comment on the timing of the trial.",
    "Rodriguez has said her government will not interfere with the case, which she called a matter for the courts.",
]

US_OFFICIALS = [("Doug Burgum", "Burgum"), ("Chris Wright", "Wright"), ("Marco Rubio", "Rubio"),
                ("Scott Bessent", "Bessent"), ("Howard Lutnick", "Lutnick"), ("Kristi Noem", "Noem"),
                ("Jamieson Greer", "Greer"), ("Brooke Rollins", "Rollins"), ("Sean Duffy", "Duffy"),
                ("Pam Bondi", "Bondi")]
CITIES = ["Mexico City", "Bogota", "Panama City", "Miami", "Madrid", "Lima", "Havana", "Santo Domingo",
          "Quito", "Brasilia", "Houston", "Port of Spain", "Santiago", "San Juan"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TRADERS = ["Trafigura", "Vitol", "Glencore", "Gunvor", "Mercuria", "Castleton", "Hartree", "Freepoint"]
# Word swaps applied at random, so that recombined sentences are not all verbatim copies.
SYNONYMS = {
    "said": ["stated", "told reporters", "noted", "insisted"], "announced": ["declared", "confirmed", "unveiled"],
    "companies": ["firms", "businesses", "groups"], "country": ["nation"], "country's": ["nation's"],
    "vast": ["huge", "enormous", "sizeable"], "significant": ["major", "notable", "considerable"],
    "officials": ["authorities", "representatives", "policymakers"], "visit": ["trip", "tour", "mission"],
    "talks": ["negotiations", "discussions", "meetings"], "restore": ["re-establish", "revive", "rebuild"],
    "cooperation": ["collaboration", "partnership", "coordination"], "sector": ["industry", "field"],
    "emphasised": ["stressed", "underlined"], "expressed": ["voiced", "signalled", "shown"],
    "recent": ["latest", "past"], "growing": ["rising", "increasing", "mounting"], "began": ["started"],
    "important": ["key", "crucial"], "increase": ["rise", "boost", "jump"], "leader": ["head", "chief"],
    "relations": ["ties", "links"], "economic": ["financial", "commercial"], "however": ["though", "still"],
    "government": ["administration", "executive", "cabinet"], "decision": ["choice", "move", "step"],
    "pushed": ["pressed", "lobbied"], "opportunities": ["openings", "prospects", "chances"],
    "region": ["hemisphere", "area"], "stability": ["calm", "security", "order"],
    "focused": ["centred", "concentrated"], "statement": ["communique", "release", "note"],
    "investors": ["financiers", "backers", "funds"], "plans": ["proposals", "schemes", "intentions"],
}
FIRST_NAMES = ["Ana", "Carlos", "Maria", "John", "Sarah", "Luis", "Elena", "David", "Paula", "Miguel", "Rosa",
               "Andrew", "Lucia", "Javier", "Emily", "Ricardo", "Fernanda", "Thomas", "Gabriela", "Victor",
               "Isabel", "Daniel", "Carmen", "Rafael", "Julia", "Pedro", "Laura", "Ahmed", "Priya", "Chen"]
LAST_NAMES = ["Mendoza", "Guerrero", "Castillo", "Whitfield", "Romero", "Alvarado", "Navarro", "Hughes",
              "Ibáñez", "Quintero", "Salas", "Montero", "Pacheco", "Ferreira", "Brennan", "Molina", "Zambrano",
              "Ortiz", "Lozano", "Harper", "Villegas", "Escobar", "Duarte", "Kowalski", "Nakamura", "Osei",
              "Varga", "Lindgren", "Acosta", "Serrano"]
ROLES = ["an analyst", "a senior economist", "a director", "a political scientist", "a lawyer",
         "a researcher", "a former diplomat", "a partner", "a consultant", "a spokesperson"]
ORG_A = ["Andes", "Caribbean", "Orinoco", "Atlantic", "Hemisphere", "Meridian", "Southern Cross", "Latam",
         "Essequibo", "Cordillera", "Bolivar", "Gulf"]
ORG_B = ["Risk", "Capital", "Energy", "Policy", "Strategy", "Mining", "Legal", "Markets", "Security", "Trade"]
ORG_C = ["Advisors", "Partners", "Institute", "Group", "Research", "Council", "Associates", "Analytics"]
QUOTES = [
    "Nobody expects this to be quick or easy", "The details will matter more than the announcements",
    "Investors want guarantees before they commit serious money", "This is a turning point, but a fragile one",
    "The question is who controls the revenue", "Security on the ground is still the main risk",
    "Washington wants results before the election cycle", "Caracas has little room to say no",
    "Contracts signed now will be tested in court later", "The market has already priced in part of this",
    "It is a political bet as much as an economic one", "The regional neighbours are watching closely",
    "Without new laws the money will not arrive", "Production cannot recover overnight",
    "Everything depends on the next six months", "The legal process has its own timetable",
]

AGENCIES = {  # name -> (credit in a dateline, domain)
    "AP": ("AP", "apnews.com"), "AFP": ("AFP", "afp.com"), "Reuters": ("Reuters", "reuters.com"),
    "Xinhua": ("Xinhua", "news.cn"), "EFE": ("EFE", "efe.com"), "ANI": ("ANI", "aninews.in"),
    "Bloomberg": ("Bloomberg", "bloomberg.com"),
}
OUTLETS = {  # name -> domain; the first nine are in briefing.yml's registry, the rest are not
    "AzerNEWS": "azernews.az", "The Gleaner": "jamaica-gleaner.com", "Arab News": "arabnews.com",
    "CNN": "cnn.com", "Al Jazeera": "aljazeera.com", "The Guardian": "theguardian.com",
    "The New York Times": "nytimes.com", "BBC News": "bbc.com", "El País": "elpais.com",
    "The Orinoco Ledger": "orinocoledger.com", "Caracas Chronicle": "caracaschronicle.com",
    "Andean Herald": "andeanherald.com", "Gulf Coast Energy Review": "gcenergyreview.com",
    "Mining Weekly Americas": "miningweeklyamericas.com", "The Hemisphere Post": "hemispherepost.com",
    "Atlantic Courier": "atlanticcourier.net", "Bogota Tribune": "bogotatribune.co",
    "Miami Mercury": "miamimercury.com", "Panama Observer": "panamaobserver.com",
    "Global Commodities Daily": "gcdaily.com", "The Capitol Report": "capitolreport.us",
    "Caribbean Times": "caribbeantimes.org", "Lima Post": "limapost.pe",
    "The Energy Desk": "energydesk.io", "Quito Informer": "quitoinformer.ec",
    "Latin Markets Today": "latinmarkets.today", "The Madrid Review": "madridreview.es",
    "Pacific Rim Journal": "pacificrimjournal.com", "Trinidad Express Online": "trinidadexpress.online",
    "The Policy Wire": "policywire.org",
}
AUTHORS = [
    "Nazrin Abdul", "Valeria Paredes", "Daniel Okafor", "Mariana Ortega", "Luis Cárdenas", "Jorge Villalba",
    "Ana Lucía Pérez", "Carla Benítez", "Regina Ibarra", "Tomás Herrera", "Sofia Marquez", "Peter Lindqvist",
    "Amara Nwosu", "Rahul Menon", "Li Wei", "Hannah Brooks", "Oliver Grant", "Isabel Fuentes",
    "Marco Delgado", "Fatima Rahman", "James O'Connell", "Claire Dubois", "Nicolás Rivas", "Grace Kim",
    "Samuel Adeyemi", "Laura Chen", "Diego Salazar", "Elena Petrova", "Mohammed Al-Sayed", "Kevin Walsh",
]
DATELINES = [("CARACAS", "Venezuela"), ("BOGOTA", "Colombia"), ("WASHINGTON", None), ("MIAMI", None),
             ("MEXICO CITY", None), ("MADRID", None), ("BEIJING", None), ("NEW DELHI", None),
             ("MARACAIBO", "Venezuela"), ("NEW YORK", None), ("PANAMA CITY", None), ("HAVANA", None)]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
HEADLINES = {
    "diplomacy": [
        "US and Venezuela restore diplomatic ties after {n} years",
        "{official} says talks in Caracas were 'fantastically positive'",
        "Embassy in Caracas to reopen as {official} wraps up visit",
        "Venezuela hails 'new stage' of dialogue with Washington",
        "State Department sets out phased plan for Venezuela transition",
        "{city} watches as Washington and Caracas reset relations",
        "Rodriguez government signals wider engagement with the United States",
        "Consular services to resume as Venezuela and US mend ties",
    ],
    "mining": [
        "{official} seeks security guarantees for miners in the Orinoco Mining Arc",
        "Minerven signs deal to ship {n} kilograms of gold to {trader}",
        "Venezuela prepares new mining code to lure foreign investors",
        "Armed groups cloud plans for Venezuela's coltan and bauxite",
        "Dozens of mining companies eye Venezuela, {official} says",
        "Gold deal with {trader} tests Venezuela's mining opening",
    ],
    "oil": [
        "Venezuela oil output to beat targets, {official} says",
        "{n} million barrels of Venezuelan crude sold under US oversight",
        "Rodriguez opens state-controlled oil sector to private capital",
        "{official} pushes for 'dramatic increase' in Venezuelan oil",
        "World's largest oil reserves draw investors back to Venezuela",
        "Refiners in {city} line up for Venezuelan cargoes",
    ],
    "maduro-trial": [
        "Maduro pleads not guilty in Manhattan drug trafficking case",
        "Judge sets {month} hearing in Maduro trial",
        "Prosecutors add evidence in case against Maduro",
        "Maduro defence asks court to dismiss indictment",
        "What to know about the Maduro trial in New York",
        "Maduro trial could last months, legal experts say",
    ],
}
HASHTAGS = {"diplomacy": ["DiplomaticRelations", "USRelations", "Geopolitics"],
            "mining": ["Mining", "Gold", "CriticalMinerals"], "oil": ["Oil", "Energy", "PDVSA"],
            "maduro-trial": ["Maduro", "MaduroTrial", "Justice"]}

START = dt.date(2025, 4, 1)
END = dt.date(2026, 3, 31)
DAYS = (END - START).days + 1
VOICE = "<a quote from someone only this article cites, about twenty words long>"
ABBREVIATIONS = ("U.S.", "U.N.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "D.C.", "Gen.", "Sen.")


# ---------------------------------------------------------------------------------------------
# Sentences from the seeds


@dataclass(frozen=True)
class Sentence:
    text: str
    topics: frozenset[str]
    paragraph: int
    """Index of the seed paragraph it came from (sentences of one paragraph belong together)."""


def split_sentences(paragraph: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?])([\"”’']?)\s+(?=[A-Z\"“‘'])", paragraph)
    out: list[str] = []
    buffer = ""
    for i in range(0, len(pieces), 2):
        buffer += pieces[i] + (pieces[i + 1] if i + 1 < len(pieces) else "")
        if buffer.endswith(ABBREVIATIONS):
            buffer += " "
            continue
        out.append(buffer.strip())
        buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out


def load_sentences(seeds: Path = SEEDS) -> list[Sentence]:
    """Body sentences of every seed paragraph (a line of at least 15 words), tagged by topic."""
    sentences: list[Sentence] = []
    paragraph = 0
    for path in sorted(seeds.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            line = re.sub(r"^\s*date \d{4}-\d{2}-\d{2}\s*", "", line).strip()
            if len(line.split()) < 15 or line.startswith("#"):
                continue
            line = re.sub(r"^[A-Z][\w ]{2,30}, [A-Z]{2,3}: ", "", line)  # "Washington DC, US: " dateline
            for text in split_sentences(line):
                if len(text.split()) >= 6:
                    sentences.append(Sentence(text, _topics_of(text), paragraph))
            paragraph += 1
    for k, text in enumerate(TRIAL_EXTRA):  # in threes, as if from four paragraphs
        sentences.append(Sentence(text, _topics_of(text) | {"maduro-trial"}, paragraph + k // 3))
    return sentences


def _topics_of(text: str) -> frozenset[str]:
    return frozenset(t for t, words in TOPIC_WORDS.items() if re.search(words, text, re.I))


# ---------------------------------------------------------------------------------------------
# Perturbation


class Perturber:
    """One article's substitutions: officials, cities, weekdays, traders and numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        officials = US_OFFICIALS[:]
        rng.shuffle(officials)
        mapping = {}
        for (full, short), (new_full, new_short) in zip(US_OFFICIALS, officials):
            mapping[full], mapping[short] = new_full, new_short
        cities = CITIES[:]
        rng.shuffle(cities)
        mapping.update(zip(CITIES, cities))
        days = WEEKDAYS[:]
        rng.shuffle(days)
        mapping.update(zip(WEEKDAYS, days))
        traders = TRADERS[:]
        rng.shuffle(traders)
        mapping.update(zip(TRADERS, traders))
        self.mapping = mapping
        keys = sorted(mapping, key=len, reverse=True)
        self.pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b")
        self.scale = rng.choice([0.5, 0.6, 0.75, 0.8, 0.9, 1.1, 1.2, 1.25, 1.5, 1.75, 2.0, 2.5])
        self.synonym_rate = rng.uniform(0.25, 0.6)
        self.synonyms = re.compile(r"\b(" + "|".join(re.escape(k) for k in SYNONYMS) + r")\b", re.I)

    def synonym(self, match: re.Match[str]) -> str:
        word = match.group(1)
        if self.rng.random() > self.synonym_rate:
            return word
        new = self.rng.choice(SYNONYMS[word.lower()])
        return new[0].upper() + new[1:] if word[0].isupper() else new

    def voice(self) -> str:
        """A quote from someone only this article cites: the text real articles do not share."""
        rng = self.rng
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        org = f"{rng.choice(ORG_A)} {rng.choice(ORG_B)} {rng.choice(ORG_C)}"
        quote = self.synonyms.sub(self.synonym, rng.choice(QUOTES))
        if rng.random() < 0.5:
            return f'"{quote}," said {name}, {rng.choice(ROLES)} at {org}.'
        return f'{name}, {rng.choice(ROLES)} at {org}, said: "{quote}."'

    def number(self, match: re.Match[str]) -> str:
        text = match.group(0)
        value = int(text.replace(",", ""))
        if 1900 <= value <= 2100 and "," not in text:  # a year: keep it
            return text
        new = max(2, int(round(value * self.scale)))
        return f"{new:,}" if "," in text or new >= 10000 else str(new)

    def __call__(self, text: str) -> str:
        text = self.pattern.sub(lambda m: self.mapping[m.group(1)], text)
        text = self.synonyms.sub(self.synonym, text)
        return re.sub(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\w.])|(?<![\w.,])\d+(?![\w.,]\d)", self.number, text)


# ---------------------------------------------------------------------------------------------
# One article


@dataclass
class Item:
    """The article as the truth: what every tool is given, before any file shape."""

    index: int
    id: str
    title: str
    date: dt.datetime
    topics: list[str]
    outlet: str | None
    agency: str | None
    authors: list[str]
    dateline: tuple[str, str | None] | None
    paragraphs: list[str]
    shape: str
    url: str
    copy_of: int | None = None
    """An outlet running an earlier wire story: the index of that story."""

    @property
    def source(self) -> str:
        """The outlet term: where it was published, else the wire."""
        return self.outlet or self.agency or "Unknown source"

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


SHAPES = (  # (shape, weight): raw 40%, front matter 40%, other 20%
    ("raw_date_prefix", 9), ("raw_utc_bare_byline", 6), ("raw_byline_pipe", 7), ("raw_reuters", 6),
    ("raw_ap_trailer", 6), ("raw_hashtags", 6),
    ("fm_basic", 34), ("fm_agency", 6),
    ("other_single_newline", 6), ("other_bullets", 5), ("other_fm_aliases", 4), ("other_source_label", 3),
    ("other_crlf", 1), ("other_cp1252", 1),
)


def slug(text: str) -> str:
    text = text.lower().replace("'", "").replace("’", "")
    for a, b in (("á", "a"), ("é", "e"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("ñ", "n")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def make_item(seed: int, index: int, sentences: list[Sentence]) -> Item:
    rng = random.Random(f"briefing-bench:{seed}:{index}")
    perturb = Perturber(rng)
    count = rng.choices([1, 2, 3], weights=[45, 38, 17])[0]
    topics = rng.sample(list(TOPICS), count)
    shape = rng.choices([s for s, _ in SHAPES], weights=[w for _, w in SHAPES])[0]
    wire_shape = shape in ("raw_reuters", "raw_ap_trailer", "fm_agency", "other_source_label")
    if shape == "raw_reuters":
        agency = "Reuters"
    elif shape == "raw_ap_trailer":
        agency = "AP"
    elif shape == "other_source_label":
        agency = "Xinhua"
    elif wire_shape or rng.random() < 0.15:
        agency = rng.choice(list(AGENCIES))
    else:
        agency = None
    if agency and (shape in ("raw_reuters", "raw_ap_trailer", "other_source_label") or rng.random() < 0.5):
        outlet = None  # published by the wire itself
    else:
        outlet = "AzerNEWS" if shape == "raw_utc_bare_byline" and rng.random() < 0.4 else rng.choice(list(OUTLETS))
    authors = rng.sample(AUTHORS, rng.choices([1, 2], weights=[80, 20])[0])
    when = dt.datetime.combine(START + dt.timedelta(days=rng.randrange(DAYS)),
                               dt.time(rng.randrange(6, 23), rng.randrange(60)))
    dateline = rng.choice(DATELINES)
    title = perturb(rng.choice(HEADLINES[topics[0]]).format(
        n=rng.choice([3, 5, 6, 7, 50, 650, 1000]), official="{official}", city=rng.choice(CITIES),
        trader=rng.choice(TRADERS), month=rng.choice(MONTHS)).replace(
        "{official}", rng.choice(US_OFFICIALS)[0]))
    if rng.random() < 0.3:
        title += rng.choice([" as talks continue", " amid uncertainty", ", officials say", " in {}".format(
            dateline[0].title()), ": what we know", " despite objections"])
    paragraphs = _paragraphs(rng, perturb, topics, sentences)
    copy_of = None
    if index >= 1 and shape in COPY_SHAPES and rng.random() < COPY_SHARE:
        copy_of = index - rng.randint(1, min(index, 150))
    item = Item(index, "", title, when, topics, outlet, agency, authors, dateline, paragraphs, shape, "",
                copy_of)
    _name(item)
    return item


def _name(item: Item) -> None:
    item.id = f"{item.index:06d}-{slug(item.title)[:60].rstrip('-')}"
    domain = OUTLETS[item.outlet] if item.outlet else AGENCIES[item.agency][1]
    item.url = f"https://www.{domain}/{item.date:%Y/%m/%d}/{slug(item.title)[:70].rstrip('-')}-{item.index}"


COPY_SHARE = 0.15
"""Share of outlet articles that are an earlier wire story run again (as outlets do)."""
COPY_SHAPES = {"raw_date_prefix", "raw_utc_bare_byline", "raw_byline_pipe", "raw_hashtags", "fm_basic",
               "fm_agency", "other_single_newline", "other_fm_aliases", "other_crlf"}


def copy_wire_story(item: Item, original: Item) -> None:
    """The outlet runs the agency's story: same text, perhaps cut short, a few hours later."""
    if original.agency is None or item.outlet is None:
        item.copy_of = None
        return
    rng = random.Random(f"copy:{item.index}")
    paragraphs = list(original.paragraphs)
    for _ in range(rng.randint(0, 3)):
        if len(paragraphs) > 6 and sum(len(p.split()) for p in paragraphs[:-1]) >= 520:
            paragraphs.pop()
    item.paragraphs = paragraphs
    item.agency, item.topics, item.dateline = original.agency, list(original.topics), original.dateline
    item.authors = list(original.authors)
    item.title = original.title if rng.random() < 0.6 else "UPDATE: " + original.title
    item.date = original.date + dt.timedelta(minutes=rng.randint(20, 30 * 60))
    if item.date.date() > END:
        item.date = original.date - dt.timedelta(minutes=rng.randint(20, 600))
    _name(item)


def _paragraphs(rng: random.Random, perturb: Perturber, topics: list[str],
                sentences: list[Sentence]) -> list[list[str]]:
    """6-12 paragraphs, 500-900 words, each paragraph mostly about one of the article's topics."""
    count = rng.randint(6, 12)
    target = rng.randint(450, 790)
    by_topic = {t: [s for s in sentences if t in s.topics] for t in topics}
    used: set[str] = set()
    paragraphs: list[list[str]] = []

    def pick(topic: str | None, near: int | None = None) -> Sentence:
        pool = by_topic.get(topic, []) if topic else []
        fresh = [s for s in pool if s.text not in used]
        if near is not None:
            same = [s for s in fresh if s.paragraph == near]
            fresh = same or fresh
        if not fresh:
            fresh = [s for s in sentences if s.text not in used] or sentences
        choice = rng.choice(fresh)
        used.add(choice.text)
        return choice

    for n in range(count):
        topic = topics[0] if n == 0 or rng.random() < 0.45 else rng.choice(topics)
        share = target / count * rng.uniform(0.7, 1.3)
        first = pick(topic)
        chosen = [first]
        words = len(first.text.split())
        while words < share:
            s = pick(topic, near=first.paragraph if rng.random() < 0.6 else None)
            chosen.append(s)
            words += len(s.text.split())
        texts = [c.text for c in chosen]
        rng.shuffle(texts)
        if rng.random() < 0.35:
            texts.append(VOICE)
        paragraphs.append(texts)

    def total() -> int:
        return sum(len(s.split()) for p in paragraphs for s in p)

    while total() > 860:
        longest = max((p for p in paragraphs if len(p) > 1), key=lambda p: sum(len(s.split()) for s in p))
        longest.pop()
    while total() < 530:
        shortest = min(paragraphs, key=lambda p: sum(len(s.split()) for s in p))
        shortest.append(pick(rng.choice(topics)).text)
    texts = [[perturb.voice() if s is VOICE else perturb(s) for s in p] for p in paragraphs]
    while sum(len(s.split()) for p in texts for s in p) > 895:  # swaps can add a few words
        max((p for p in texts if len(p) > 1), key=lambda p: sum(len(s.split()) for s in p)).pop()
    return [" ".join(p) for p in texts]


# ---------------------------------------------------------------------------------------------
# File shapes


def _dash_date(d: dt.datetime) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def _clock(d: dt.datetime) -> str:
    return f"{(d.hour - 1) % 12 + 1}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}"


def _byline(authors: list[str]) -> str:
    return authors[0] if len(authors) == 1 else " and ".join(authors)


def _place(item: Item) -> str:
    city, country = item.dateline or ("CARACAS", "Venezuela")
    return f"{city}, {country}" if country else city


def _hashtags(item: Item) -> str:
    tags = ["Venezuela"] + [HASHTAGS[t][item.index % 3] for t in item.topics]
    return " ".join(f"#{t}" for t in dict.fromkeys(tags))


def _caption(item: Item, rng: random.Random) -> str:
    credit = item.agency or "AFP"
    return rng.choice([f"A Venezuelan flag flies over a street in Caracas. ({credit})",
                       f"Workers at a site in Bolivar state, Venezuela. ({credit})",
                       f"The silhouettes of officials are seen behind a flag. ({credit})"])


def render_file(item: Item) -> tuple[str, bytes]:
    """(file name, bytes) for the item in its shape."""
    rng = random.Random(f"shape:{item.id}")
    p = item.paragraphs
    body = "\n\n".join(p)
    shape = item.shape
    d = item.date
    suffix = ".txt"
    encoding = "utf-8"
    newline = "\n"
    if shape == "raw_date_prefix":
        head = [f" date {d:%Y-%m-%d} {item.title}", ""]
        if rng.random() < 0.6:
            head += [item.dateline[0] if item.dateline else "CARACAS"]
        if item.agency or rng.random() < 0.5:
            head += [_caption(item, rng)]
        text = "\n".join(head) + "\n\n" + body + "\n"
        if item.outlet and rng.random() < 0.7:
            text += f"\nOriginally published at {item.url}\n"
    elif shape == "raw_utc_bare_byline":
        lede = p[0]
        if item.outlet == "AzerNEWS":
            lede = lede.rstrip(".") + ", AzerNEWS reports, citing foreign media."
        text = (f"{item.title}\n\n{d.day} {MONTHS[d.month - 1]} {d.year} {d:%H:%M} (UTC+04:00)\n\n"
                f"{item.authors[0]}\n\n" + "\n\n".join([lede, *p[1:]]) + "\n")
        if item.outlet and item.outlet != "AzerNEWS":
            text += f"\nSource: {item.url}\n"
    elif shape == "raw_byline_pipe":
        text = f"{item.title}\n\nBy {_byline(item.authors)} | {_dash_date(d)}\n\n"
        if rng.random() < 0.4:
            text = rng.choice(["World | Americas\n\n", "Business | Energy\n\n"]) + text + "4 min read\n\n"
        text += body + "\n"
        if item.agency:
            text += f"\nWith {item.agency} reporting.\n" if rng.random() < 0.5 else ""
        text += f"\nRead more at {item.url}\n"
    elif shape == "raw_reuters":
        city, country = item.dateline or ("BOGOTA", "Colombia")
        place = f"{city}, {country}" if country and rng.random() < 0.5 else f"{city}, {MONTHS[d.month - 1][:3]} {d.day}"
        text = (f" date {d:%Y-%m-%d} {item.title}\n\nBy {_byline(item.authors)}\n\n"
                f"{place} (Reuters) - {p[0]}\n\n" + "\n\n".join(p[1:]) +
                f"\n\n(Reporting by {item.authors[0]} in {city.title()}; Editing by {rng.choice(AUTHORS)})\n")
    elif shape == "raw_ap_trailer":
        city = (item.dateline or ("CARACAS", None))[0]
        text = (f"{item.url}\n\n{item.title}\n\nBy {_byline(item.authors).upper()}\n\n{_dash_date(d)}\n\n"
                f"{city} (AP) — {p[0]}\n\n" + "\n\n".join(p[1:]) +
                f"\n\n___\n\n{item.authors[-1].split()[-1]} reported from {rng.choice(CITIES)}.\n")
    elif shape == "raw_hashtags":
        text = (f"{item.title}\n\n{_dash_date(d)} {_clock(d)} EST\n\nBy {_byline(item.authors)}\n\n"
                + body + "\n\n" + _hashtags(item) + "\n")
        if item.outlet:
            text = f"Source: {item.url}\n\n" + text
    elif shape in ("fm_basic", "fm_agency"):
        meta = {"title": item.title, "date": d.strftime("%Y-%m-%dT%H:%M:00") + rng.choice(["Z", "-05:00", "+00:00"]),
                "outlet": item.outlet, "agency": item.agency, "author": _byline(item.authors),
                "url": item.url, "tags": item.topics}
        text = _front_matter(meta) + "\n" + body + "\n"
        suffix = ".md"
    elif shape == "other_fm_aliases":
        meta = {"headline": item.title, "published": d.strftime("%Y-%m-%d %H:%M:00 -0500"),
                "publication": item.outlet, "wire": item.agency, "byline": f"By {_byline(item.authors)}",
                "source": item.url, "keywords": ", ".join(TOPICS[t] for t in item.topics),
                "section": "Americas"}
        text = _front_matter(meta) + "\n" + body + "\n"
        suffix = ".md"
    elif shape == "other_single_newline":
        text = f"{item.title}\n" + "\n".join(p) + "\n" + _hashtags(item) + "\n"
        if item.outlet:
            text = f"Source: {item.url}\n" + text
    elif shape == "other_bullets":
        bullets = [" ".join(x.split()[:rng.randint(7, 12)]).rstrip(".,;:") for x in p[:3]]
        city = (item.dateline or ("WASHINGTON", None))[0]
        credit = item.agency or "Reuters"
        text = (f" date {d:%Y-%m-%d} {item.title}\n\nSummary\n" + "\n".join(f"- {b}" for b in bullets)
                + f"\n\n{city}, {MONTHS[d.month - 1][:3]} {d.day} ({credit}) - {p[0]}\n\n" + "\n\n".join(p[1:]) + "\n")
    elif shape == "other_source_label":
        city = (item.dateline or ("BEIJING", None))[0]
        text = (f"{item.title}\n\nSource: Xinhua| {d:%Y-%m-%d %H:%M:%S}|Editor: huaxia\n\n"
                f"{city}, {MONTHS[d.month - 1][:3]} {d.day} (Xinhua) -- {p[0]}\n\n" + "\n\n".join(p[1:]) + "\n")
    elif shape == "other_crlf":
        text = (f"{item.title}\n\nBy {_byline(item.authors)} | {_dash_date(d)}\n\n" + body
                + f"\n\nSource: {item.url}\n")
        newline = "\r\n"
    elif shape == "other_cp1252":
        city, country = item.dateline or ("MADRID", None)
        text = (f"{item.title}\n\n{d.day} {MONTHS[d.month - 1]} {d.year}\n\n"
                f"{city} ({item.agency or 'EFE'}) - {p[0]}\n\n" + "\n\n".join(p[1:]) + "\n")
        encoding = "cp1252"
    else:  # pragma: no cover
        raise ValueError(shape)
    data = text.replace("\n", newline).encode(encoding, errors="replace")
    return item.id + suffix, data


def _front_matter(meta: dict) -> str:
    lines = ["---"]
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(value)}]")
        elif key in ("date", "published"):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines + ["---", ""])


# ---------------------------------------------------------------------------------------------
# Peers: the same articles in each peer's native layout


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


HUGO_CONFIG = """baseURL = "https://example.org/briefing/"
title = "US-Venezuela briefing"
languageCode = "en"
disableKinds = ["rss", "sitemap", "robotstxt"]
enableRobotsTXT = false

[taxonomies]
  topic = "topics"
  outlet = "outlets"

[pagination]
  disableAliases = true
  pagerSize = 100000
"""
HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="{{ site.Language.LanguageCode }}">
<head><meta charset="utf-8"><title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title></head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav>{{ range site.Taxonomies.topics.ByCount }}<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p class="meta">{{ with .Params.outlets }}{{ range . }}{{ with site.GetPage (printf "/outlets/%s" (urlize .)) }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}{{ end }}
 · <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time> · {{ .Params.author }}</p>
{{ .Content }}
<p>Topics: {{ range .GetTerms "topics" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
</article>
{{ end }}
""",
    "list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ol>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ol>
{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "term.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ol>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> · {{ delimit .Params.outlets ", " }} · {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ol>
{{ end }}
""",
    "home.html": """{{ define "main" }}
<h1>{{ site.Title }}</h1>
<h2>Topics</h2>
<ul>{{ range site.Taxonomies.topics.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
<h2>All articles, newest first</h2>
<ol>{{ range site.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> · {{ delimit .Params.outlets ", " }} · {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ol>
{{ end }}
""",
}
PELICAN_CONFIG = """AUTHOR = "Briefing benchmark"
SITENAME = "US-Venezuela briefing"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
RELATIVE_URLS = True
DEFAULT_PAGINATION = False
# No feeds: the other tools write none either.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
LINKS = ()
SOCIAL = ()
"""
MKDOCS_CONFIG = """site_name: US-Venezuela briefing
site_url: https://example.org/briefing/
use_directory_urls: true
theme:
  name: mkdocs
"""


def _date_key(item: Item) -> tuple:
    return (item.date, item.id)


def write_peers(items: list[Item], out: Path) -> None:
    _write_hugo(items, out / "hugo")
    _write_pelican(items, out / "pelican")
    _write_mkdocs(items, out / "mkdocs")


def _fresh(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def _write_hugo(items: list[Item], root: Path) -> None:
    _fresh(root)
    (root / "hugo.toml").write_text(HUGO_CONFIG)
    layouts = root / "layouts"
    layouts.mkdir()
    for name, text in HUGO_LAYOUTS.items():
        (layouts / name).write_text(text)
    posts = root / "content" / "posts"
    posts.mkdir(parents=True)
    for item in items:
        meta = [
            "---", f"title: {_yaml(item.title)}", f"date: {item.date:%Y-%m-%dT%H:%M:00Z}",
            f"slug: {_yaml(item.id)}", f"author: {_yaml(_byline(item.authors))}",
            f"topics: [{', '.join(_yaml(TOPICS[t]) for t in item.topics)}]",
            f"outlets: [{_yaml(item.source)}]", "---", "",
        ]
        (posts / f"{item.id}.md").write_text("\n".join(meta) + "\n\n".join(item.paragraphs) + "\n")


def _write_pelican(items: list[Item], root: Path) -> None:
    _fresh(root)
    (root / "pelicanconf.py").write_text(PELICAN_CONFIG)
    content = root / "content"
    content.mkdir()
    for item in items:
        meta = [
            f"Title: {item.title}", f"Date: {item.date:%Y-%m-%d %H:%M}",
            f"Category: {TOPICS[item.topics[0]]}", f"Tags: {', '.join(TOPICS[t] for t in item.topics)}",
            f"Author: {item.source}", f"Slug: {item.id}", "",
        ]
        (content / f"{item.id}.md").write_text("\n".join(meta) + "\n" + "\n\n".join(item.paragraphs) + "\n")


def _write_mkdocs(items: list[Item], root: Path) -> None:
    _fresh(root)
    (root / "mkdocs.yml").write_text(MKDOCS_CONFIG)
    docs = root / "docs"
    for sub in ("articles", "topics", "outlets"):
        (docs / sub).mkdir(parents=True)
    newest = sorted(items, key=_date_key, reverse=True)
    by_topic: dict[str, list[Item]] = {t: [] for t in TOPICS}
    by_outlet: dict[str, list[Item]] = {}
    for item in newest:
        for t in item.topics:
            by_topic[t].append(item)
        by_outlet.setdefault(item.source, []).append(item)

    def line(item: Item, up: str) -> str:
        return f"1. [{_md(item.title)}]({up}articles/{item.id}.md) · {item.source} · {item.date:%Y-%m-%d}"

    for item in items:
        topics = " ".join(f"[{TOPICS[t]}](../topics/{t}.md)" for t in item.topics)
        page = [f"# {_md(item.title)}", "",
                f"[{item.source}](../outlets/{slug(item.source)}.md) · {item.date:%Y-%m-%d} · "
                f"{_byline(item.authors)}", "", *[x for para in item.paragraphs for x in (para, "")],
                f"Topics: {topics}", ""]
        (docs / "articles" / f"{item.id}.md").write_text("\n".join(page))
    for t, listed in by_topic.items():
        (docs / "topics" / f"{t}.md").write_text(
            f"# {TOPICS[t]}\n\n" + "\n".join(line(i, "../") for i in listed) + "\n")
    for name, listed in by_outlet.items():
        (docs / "outlets" / f"{slug(name)}.md").write_text(
            f"# {_md(name)}\n\n" + "\n".join(line(i, "../") for i in listed) + "\n")
    index = ["# US-Venezuela briefing", "", "## Topics", ""]
    index += [f"- [{TOPICS[t]}](topics/{t}.md) ({len(by_topic[t])})" for t in TOPICS]
    index += ["", "## Outlets", ""]
    index += [f"- [{_md(n)}](outlets/{slug(n)}.md) ({len(v)})" for n, v in sorted(by_outlet.items())]
    index += ["", "## All articles, newest first", ""] + [line(i, "") for i in newest]
    (docs / "index.md").write_text("\n".join(index) + "\n")


def _md(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


# ---------------------------------------------------------------------------------------------


def generate(size: int, seed: int, out: Path, peers: Path | None = None) -> list[Item]:
    sentences = load_sentences()
    items = []
    for i in range(size):
        item = make_item(seed, i, sentences)
        if item.copy_of is not None:  # the nearest earlier wire story
            j = next((j for j in range(item.copy_of, max(-1, item.copy_of - 60), -1) if items[j].agency), None)
            if j is None:
                item.copy_of = None
            else:
                item.copy_of = j
                copy_wire_story(item, items[j])
        items.append(item)
    _fresh(out)
    for item in items:
        name, data = render_file(item)
        (out / name).write_bytes(data)
    if peers is not None:
        write_peers(items, peers)
    return items


CACHE = ROOT / "bench" / "results" / "tmp" / "corpus"


def ensure_corpus(size: int, seed: int = 1, peers: bool = True, cache: Path = CACHE,
                  log=print) -> tuple[Path, Path | None]:
    """The corpus (and peers) under `cache`, generated once per (size, seed, generator source).

    Returns (articles folder, peers folder or None)."""
    import hashlib

    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(SEEDS.glob("*.txt")):
        digest.update(path.read_bytes())
    stamp = {"size": size, "seed": seed, "peers": peers, "source": digest.hexdigest()[:16]}
    base = cache / f"seed{seed}-{size}"
    articles, peer_dir = base / "articles", base / "peers"
    stamp_file = base / "stamp.json"
    try:
        old = json.loads(stamp_file.read_text())
    except (OSError, ValueError):
        old = None
    if old is not None and (old == stamp or (not peers and {**old, "peers": False} == stamp)):
        return articles, (peer_dir if old["peers"] else None)
    log(f"generating corpus: {size} articles, seed {seed}{' with peers' if peers else ''} -> {base}")
    stamp_file.unlink(missing_ok=True)
    items = generate(size, seed, articles, peer_dir if peers else None)
    log("  " + summary(items))
    stamp_file.write_text(json.dumps(stamp))
    return articles, (peer_dir if peers else None)


def summary(items: list[Item]) -> str:
    from collections import Counter

    words = [i.words for i in items]
    paras = [len(i.paragraphs) for i in items]
    shapes = Counter(i.shape.split("_")[0] for i in items)
    topics = Counter(len(i.topics) for i in items)
    sources = len({i.source for i in items})
    copies = sum(1 for i in items if i.copy_of is not None)
    return (f"{len(items)} articles; words {min(words)}-{max(words)} (mean {sum(words) / len(words):.0f}); "
            f"paragraphs {min(paras)}-{max(paras)}; shapes {dict(shapes)}; topics per article {dict(topics)}; "
            f"{sources} distinct outlets/wires; {copies} wire copies; dates {min(i.date for i in items):%Y-%m-%d}.."
            f"{max(i.date for i in items):%Y-%m-%d}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True, help="number of articles")
    parser.add_argument("--seed", type=int, default=1, help="seed number (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the article files (replaced)")
    parser.add_argument("--peers", type=Path, help="also write hugo/, pelican/ and mkdocs/ projects here")
    args = parser.parse_args(argv)
    items = generate(args.size, args.seed, args.out, args.peers)
    print(summary(items), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
