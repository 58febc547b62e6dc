#!/usr/bin/env python3
"""Generate a deterministic, realistic synthetic corpus for benchmarking xref.

    python benchmarks/make_corpus.py OUT_DIR --size 100MB [--seed 1]
                                     [--html-share 0.1] [--md-share 0.1]

The corpus is a few thousand UTF-8 documents (mostly ``.txt``, some ``.md`` and
``.html``) in nested folders such as ``OUT/2019/03/report-000123.txt`` or
``OUT/dailynk/2021/06/14/article-000456.html``.  Their text mixes the
paragraphs of the bundled seed documents (``seeds/*.txt``) with paragraphs
built from sentence templates that name people, organisations and places in
several spellings (hyphenated, spaced, upper case, McCune-Reischauer, Hangul,
possessives with curly apostrophes, rare typos, names broken across a line),
plus filler sentences full of capitalised words that are *not* entities.

Sizes use SI units: ``500KB`` = 500,000 bytes, ``100MB`` = 10**8 bytes,
``1GB`` = 10**9 bytes; ``KiB``/``MiB``/``GiB`` are binary; a bare number is bytes.

Everything random comes from one ``random.Random(seed)``, so the same seed and
size always give byte-identical output.  A one-line summary goes to stderr.
"""

from __future__ import annotations

import argparse
import html
import math
import random
import re
import sys
import time
from bisect import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

# --------------------------------------------------------------------------
# Vocabulary.  Each entity: (weight, [(surface variant, weight), ...]).
# Weights are relative within their table.
# --------------------------------------------------------------------------

PEOPLE: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "Kim Jong-un": (40, [
        ("Kim Jong-un", 52), ("Kim Jong Un", 30), ("Kim Jong-Un", 7), ("KIM JONG UN", 3),
        ("Kim\nJong-un", 1.5), ("Kim Jong-\nun", 0.8), ("Kim Jong\nUn", 0.8), ("김정은", 1.5),
        ("Kim Jong-num", 0.25),
    ]),
    "Kim Jong-il": (12, [
        ("Kim Jong-il", 50), ("Kim Jong Il", 35), ("Kim Jong-Il", 5), ("KIM JONG IL", 2),
        ("Kim\nJong-il", 1), ("김정일", 1),
    ]),
    "Kim Il-sung": (10, [
        ("Kim Il-sung", 50), ("Kim Il Sung", 40), ("Kim Il-Sung", 5), ("KIM IL SUNG", 2),
        ("Kim Il\nSung", 1), ("김일성", 1),
    ]),
    "Kim Yo-jong": (7, [("Kim Yo-jong", 60), ("Kim Yo Jong", 38), ("Kim\nYo-jong", 1)]),
    "Jang Jin-sung": (4, [
        ("Jang Jin-sung", 55), ("Jang Jin Sung", 25), ("Chang Chinsŏng", 6), ("장진성", 6),
        ("Jang Jin-\nsung", 1.5), ("Jang Jin-sun", 0.3),
    ]),
    "Jang Song-thaek": (3, [("Jang Song-thaek", 60), ("Jang Sung-taek", 35)]),
    "Kim Jong-nam": (2, [("Kim Jong-nam", 65), ("Kim Jong Nam", 35)]),
    "Choi Soon-ho": (1.5, [("Choi Soon-ho", 70), ("Choi Soon Ho", 30)]),
    "Ri Pyong-chol": (2.5, [("Ri Pyong-chol", 70), ("Ri Pyong Chol", 28), ("Ri Pyong-\nchol", 2)]),
    "Thae Yong-ho": (3, [("Thae Yong-ho", 70), ("Thae Yong Ho", 25), ("Thae Yong-Ho", 5)]),
    "Park Sang-hak": (2.5, [("Park Sang-hak", 70), ("Park Sang Hak", 30)]),
    "Choe Ryong-hae": (2, [("Choe Ryong-hae", 70), ("Choe Ryong Hae", 30)]),
    "Moon Jae-in": (2, [("Moon Jae-in", 75), ("Moon Jae In", 25)]),
}

# Organisation variants carry their own article, so templates just say {O}.
ORGS: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "State Security Department": (10, [
        ("the State Security Department", 40), ("the SSD", 20), ("the Ministry of State Security", 20),
        ("the Bowibu", 6), ("Bowibu", 12), ("the State\nSecurity Department", 1),
    ]),
    "Reconnaissance General Bureau": (5, [("the Reconnaissance General Bureau", 75), ("the RGB", 25)]),
    "Office 101": (2, [("Office 101", 100)]),
    "Office 39": (4, [("Office 39", 70), ("Room 39", 20), ("Bureau 39", 10)]),
    "Workers’ Party of Korea": (12, [
        ("the Workers’ Party of Korea", 50), ("the Workers' Party of Korea", 20),
        ("the Korean Workers’ Party", 10), ("the WPK", 20),
    ]),
    "Korean People’s Army": (9, [("the Korean People’s Army", 55), ("the Korean People's Army", 20), ("the KPA", 25)]),
    "United Front Department": (4, [("the United Front Department", 80), ("the UFD", 20)]),
}

# News outlets and NGOs, used as sources ("told {S}", "{S} reported").
MEDIA: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "New Focus International": (2, [("New Focus International", 70), ("New Focus", 30)]),
    "NK News": (4, [("NK News", 90), ("NKNews", 10)]),
    "Daily NK": (6, [("Daily NK", 85), ("DailyNK", 15)]),
    "Radio Free Asia": (3, [("Radio Free Asia", 70), ("RFA", 30)]),
    "Yonhap": (2, [("Yonhap", 100)]),
}

PLACES: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "Pyongyang": (60, [("Pyongyang", 95), ("PYONGYANG", 2), ("P’yŏngyang", 3)]),
    "Sinuiju": (6, [("Sinuiju", 85), ("Sinŭiju", 15)]),
    "Hyesan": (7, [("Hyesan", 100)]),
    "Hoeryong": (4, [("Hoeryong", 85), ("Hoeryŏng", 15)]),
    "Wonsan": (5, [("Wonsan", 100)]),
    "Chongjin": (5, [("Chongjin", 85), ("Ch’ŏngjin", 15)]),
    "North Hamgyong Province": (4, [("North Hamgyong Province", 70), ("North Hamgyong", 30)]),
    "Ryanggang Province": (4, [("Ryanggang Province", 70), ("Ryanggang", 20), ("Yanggang Province", 10)]),
    "Dandong": (5, [("Dandong", 100)]),
    "Yanji": (3, [("Yanji", 100)]),
    "Seoul": (14, [("Seoul", 100)]),
    "Beijing": (8, [("Beijing", 100)]),
}

RIVERS: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "Tumen River": (5, [("Tumen River", 90), ("Tumen", 10)]),
    "Yalu River": (5, [("Yalu River", 90), ("Yalu", 10)]),
}

COUNTRIES: dict[str, tuple[float, list[tuple[str, float]]]] = {
    "North Korea": (70, [
        ("North Korea", 80), ("the DPRK", 10), ("the Democratic People’s Republic of Korea", 4),
        ("N. Korea", 2), ("NORTH KOREA", 1), ("North\nKorea", 1),
    ]),
    "South Korea": (16, [("South Korea", 85), ("the Republic of Korea", 8), ("the ROK", 7)]),
    "China": (14, [("China", 100)]),
    "Japan": (4, [("Japan", 100)]),
    "United States": (4, [("the United States", 70), ("the US", 30)]),
}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Sentence templates.  Slots: {P} person, {Ps} person's (possessive), {O} organisation
# (with its article), {S} news outlet, {L} town or province, {R} river, {C} country,
# {M} month, {W} weekday, {Y} year, {N} small number, {K} price in won.
# A template that starts with a slot gets its first letter capitalised.
ENTITY_TEMPLATES = [
    "{P} visited {L} in {M}, according to state media.",
    "According to {S}, {P} ordered a crackdown on smuggling along the border near {L}.",
    "{Ps} younger sister has taken on a more visible role in {C} since {Y}.",
    "Officials from {O} were dispatched to {L} after the incident.",
    "A source in {L} told {S} that {O} had tightened inspections.",
    "{P} has not been seen in public since early {M}.",
    "{O} is believed to answer directly to {P}.",
    "Defectors who crossed the {R} say conditions in {C} have worsened.",
    "In {Y}, {P} reportedly met senior figures from {O} in {L}.",
    "Traders in {L} told {S} the exchange rate had jumped to {K} won per dollar.",
    "{C} has repeatedly denied that {O} runs overseas restaurants in {L}.",
    "Satellite images reviewed by {S} show new construction near {L}.",
    "{Ps} portrait now hangs in every office building in {L}.",
    "Residents of {L} were told to attend a lecture praising {P} on {W}.",
    "{O} has stepped up surveillance of mobile phone use in {L}.",
    "{P} told reporters in {L} that {C} would not abandon its weapons programme.",
    "Analysts in {L} believe {O} is behind the latest wave of cyberattacks.",
    "After defecting, {P} settled in {L} and began working with {S}.",
    "The report, published by {S} in {M} {Y}, cites interviews with {N} defectors.",
    "Smugglers moving goods between {L} and {L} now pay larger bribes to {O}.",
    "{P} is said to have personally approved the purge.",
    "“We never knew what {P} really wanted,” a former official told {S}.",
    "Trains from {L} to {L} were suspended for {N} days in {M}.",
    "{C} and {C} held talks in {L} on {W}, the first such meeting since {Y}.",
    "Members of {O} reportedly searched homes in {L} for foreign media.",
    "{Ps} speech was broadcast on state television on {W} evening.",
    "In an interview with {S}, {P} described life inside {O}.",
    "Border guards along the {R} were reassigned after {N} people escaped to {C}.",
    "{O} denied the claims, calling them fabrications spread by {C}.",
    "{P} appeared alongside {P} at a military parade in {L}.",
    "A cadre from {L} was executed after being accused of contact with {C}.",
    "Rice prices in {L} rose to {K} won per kilogram, {S} reported.",
    "{P} was photographed inspecting a factory outside {L} last {M}.",
    "Defector groups in {L} launched balloons carrying leaflets critical of {P}.",
    "{O} has long operated trading companies in {L} to earn foreign currency.",
    "Few outsiders have visited {L} since {C} closed its borders in {Y}.",
    "Sources in {L} say {O} quietly replaced several local officials in {M}.",
    "Broadcasts from {C} can be picked up in parts of {L} at night.",
    "{P} reportedly complained that {O} had failed to meet its targets.",
    "The memoir by {P} describes years spent working for {O}.",
    "The flow of goods across the {R} slowed sharply after {M}.",
    "People in {L} have been ordered to study the works of {P}.",
    "{C} criticised {P} for the missile launch on {W}.",
    "A delegation from {C} arrived in {L} on {W} to meet {P}.",
    "{Ps} visit to {L} was reported by {S} but not by state media.",
    "The body of a soldier was found on the bank of the {R} near {L} in {M}.",
    "{C} remains the main destination for those who cross the {R}.",
    "Food shortages in {C} have worsened since {Y}, aid workers in {L} said.",
    "Few people in {C} dare to criticise {P} openly.",
    "Officials in {L} said {C} had closed another checkpoint in {M}.",
]

FILLER_TEMPLATES = [
    "However, the situation remains unclear.",
    "It is difficult to verify such reports independently.",
    "In {M}, the weather turned bitterly cold and many families ran short of firewood.",
    "On {W}, markets opened late and closed early.",
    "The government has not commented publicly.",
    "Many of those interviewed asked not to be named for their own safety.",
    "North Korean state media did not mention the meeting.",
    "Most North Koreans have no access to the internet.",
    "Chairman, Supreme Leader and Marshal are among the titles used in official reports.",
    "Some residents said they had heard rumours but had seen nothing themselves.",
    "The Party Central Committee is expected to meet again in {M}.",
    "Prices for corn and rice have fluctuated wildly since {Y}.",
    "This is not the first time such claims have surfaced.",
    "Several people said they were afraid to speak openly.",
    "Comrade is still the standard form of address at work.",
    "By {M}, conditions had improved slightly in some regions.",
    "During the Arduous March of the 1990s, hundreds of thousands died of hunger.",
    "Officials said the new rules would take effect on {W}.",
    "The Lunar New Year holiday passed quietly this year.",
    "Juche, the official ideology, stresses self-reliance above all else.",
    "Some {N} people were reportedly detained.",
    "Nevertheless, the campaign continued into {M}.",
    "Local markets, known as jangmadang, have become central to daily life.",
    "Security was tightened ahead of the anniversary.",
    "Meanwhile, the price of a kilogram of pork reached {K} won.",
    "Nobody knows how many people are held in the camps.",
    "Christmas is not celebrated, and church activity is banned.",
    "English lessons are now compulsory in many secondary schools.",
    "The Chinese authorities returned at least {N} people last year.",
    "Still, the reports could not be independently confirmed.",
    "According to one estimate, the figure may be much higher.",
    "Those caught face heavy penalties, including years of forced labour.",
    "Electricity is available for only a few hours a day outside the capital.",
    "A North Korean worker earns a few thousand won a month in official wages.",
    "The decision surprised many observers.",
    "Since then, little has changed.",
    "The Cabinet issued a directive on agricultural mobilisation in {M}.",
    "Students were sent to the countryside to help with the rice planting.",
    "Each household must contribute a quota of manure in early spring.",
    "It remains to be seen whether the policy will last.",
]

TITLE_TEMPLATES = [
    "{P} tightens grip on {L}",
    "Inside {O}",
    "Report: {O} expands operations near {L}",
    "What {Ps} latest purge means for {C}",
    "Life on the border: voices from {L}",
    "Defectors describe crackdown in {L}",
    "{C} and {O}: a short history",
    "Notes on {P}",
    "Market prices in {L}, {M} {Y}",
    "Interview: a former member of {O}",
    "Why {C} fears {O}",
    "{P} and the politics of succession",
    "Crossing the {R}",
]

AUTHORS = [
    "Sarah Mitchell", "Daniel Okafor", "Lee Min-ji", "Kimikatsu Kinoshita", "Hannah Berg",
    "Tomás Álvarez", "Chloe Dubois", "Yuki Tanaka", "Robert Hayes", "Seo Ji-woo", "Ingrid Nilsen",
    "Marcus Green", "Park Eun-young", "Anna Kowalska", "James O’Connell",
]

SECTION_HEADINGS = [
    "Background", "Sources and methods", "The border economy", "Security services",
    "Leadership", "Outlook", "Analysis", "Testimony", "Timeline", "Context", "What we know",
]

SOURCES = ["dailynk", "nknews", "newfocus", "wire", "wiki", "ngo", "cables", "transcripts"]
KINDS = {"txt": ["report", "cable", "transcript", "notes", "brief"],
         "md": ["notes", "brief", "memo"],
         "html": ["article", "page", "story"]}

NAV_HTML = (
    '<nav class="site-nav"><ul>'
    '<li><a href="/">Home</a></li><li><a href="/north-korea/">North Korea</a></li>'
    '<li><a href="/politics/">Politics</a></li><li><a href="/economy/">Economy</a></li>'
    '<li><a href="/defectors/">Defectors</a></li><li><a href="/about/">About</a></li>'
    "</ul></nav>\n"
)
LINKED_NAMES = ["Kim Jong-un", "Kim Jong Un", "Pyongyang", "North Korea", "Kim Yo-jong", "Daily NK"]

# --------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "kib": 2**10, "mib": 2**20, "gib": 2**30}


def parse_size(text: str) -> int:
    """Parse '500KB', '100MB', '1GB', '1.5MiB' or a bare byte count."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"bad size {text!r} (use e.g. 500KB, 100MB, 1GB)")
    size = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if size <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return size


# --------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------

def _cumulative(weights):
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    return cum, total


def _compile(template: str) -> tuple[tuple[str, ...], bool]:
    """Split 'a {P} b' into ('a ', 'P', ' b'); literals at even indices, slots at odd."""
    parts = tuple(re.split(r"\{(\w+)\}", template))
    return parts, parts[0] == ""  # second item: starts with a slot -> capitalise


def load_seed_paragraphs(seeds_dir: Path = SEEDS_DIR) -> list[list[str]]:
    """Paragraphs of each seed document (split on blank lines), in file-name order."""
    docs = []
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        paras = [p.strip() for p in re.split(r"\n\s*\n", text)]
        paras = [p for p in paras if p]
        if paras:
            docs.append(paras)
    if not docs:
        raise SystemExit(f"make_corpus: no seed documents in {seeds_dir}")
    return docs


@dataclass
class Stats:
    files: int
    bytes: int
    seconds: float
    by_ext: dict[str, int]


class CorpusGenerator:
    # Document size: log-normal body (median ~15 KB) plus a rare 1-2 MB tail.
    MEDIAN_DOC = 15_000
    SIGMA = 1.15
    MIN_DOC = 400
    MAX_BODY_DOC = 900_000
    HUGE_P = 0.0012
    SEED_PARA_P = 0.15       # chance that a paragraph is copied from a seed document
    REPUBLISH_P = 0.10       # chance a document opens with a run of a seed document
    WRAP_P = 0.12            # chance a .txt document is hard-wrapped at 72 columns
    FOCUS_P = 0.35           # chance a person slot names the document's focus person

    def __init__(self, seed: int, html_share: float = 0.1, md_share: float = 0.1,
                 seeds_dir: Path = SEEDS_DIR):
        if not (0 <= html_share <= 1 and 0 <= md_share <= 1 and html_share + md_share <= 1):
            raise ValueError("html-share and md-share must be in [0, 1] and sum to at most 1")
        self.rng = random.Random(seed)
        self.html_share = html_share
        self.md_share = md_share
        self.seed_docs = load_seed_paragraphs(seeds_dir)
        self.seed_paras = [p for d in self.seed_docs for p in d]
        self._acc_html = 0.55
        self._acc_md = 0.5

        rnd = self.rng.random
        self.person_tables = {}
        for name, (_, variants) in PEOPLE.items():
            self.person_tables[name] = self._table(variants)

        self.entity_person = self._entity_sampler(PEOPLE)
        self.focus_person = "Kim Jong-un"
        focus_sampler_cache = {n: self._variant_sampler(t) for n, t in self.person_tables.items()}
        any_person = self.entity_person

        def person() -> str:
            if rnd() < self.FOCUS_P:
                return focus_sampler_cache[self.focus_person]()
            return any_person()

        def person_poss() -> str:
            return person() + ("’s" if rnd() < 0.88 else "'s")

        self.slots: dict[str, Callable[[], str]] = {
            "P": person,
            "Ps": person_poss,
            "O": self._entity_sampler(ORGS),
            "S": self._entity_sampler(MEDIA),
            "L": self._entity_sampler(PLACES),
            "R": self._entity_sampler(RIVERS),
            "C": self._entity_sampler(COUNTRIES),
            "M": self._uniform(MONTHS),
            "W": self._uniform(WEEKDAYS),
            "Y": self._uniform([str(y) for y in range(1994, 2024)]),
            "N": self._uniform([str(n) for n in (2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 40, 50, 100, 200)]),
            "K": self._uniform([f"{n:,}" for n in range(1500, 9000, 250)]),
        }
        self.entity_templates = [_compile(t) for t in ENTITY_TEMPLATES]
        self.filler_templates = [_compile(t) for t in FILLER_TEMPLATES]
        self.title_templates = [_compile(t) for t in TITLE_TEMPLATES]
        self._years = list(range(2005, 2024))
        self._year_cum, self._year_total = _cumulative([1 + i * 0.35 for i in range(len(self._years))])
        self._people_names = list(PEOPLE)
        self._people_cum, self._people_total = _cumulative([w for w, _ in PEOPLE.values()])

    # ---- samplers -------------------------------------------------------
    def _table(self, variants):
        pop = [v for v, _ in variants]
        cum, total = _cumulative([w for _, w in variants])
        return pop, cum, total

    def _variant_sampler(self, table):
        pop, cum, total = table
        rnd = self.rng.random
        if len(pop) == 1:
            only = pop[0]
            return lambda: only
        return lambda: pop[bisect(cum, rnd() * total)]

    def _entity_sampler(self, entities):
        # Flatten entity weight x variant share into one table: one draw per mention.
        pop, weights = [], []
        for ent_weight, variants in entities.values():
            vtotal = sum(w for _, w in variants)
            for v, w in variants:
                pop.append(v)
                weights.append(ent_weight * w / vtotal)
        return self._variant_sampler((pop, *_cumulative(weights)))

    def _uniform(self, items):
        rnd = self.rng.random
        n = len(items)
        return lambda: items[int(rnd() * n)]

    # ---- text pieces ----------------------------------------------------
    def _fill(self, compiled) -> str:
        parts, cap = compiled
        slots = self.slots
        out = list(parts)
        for i in range(1, len(out), 2):
            out[i] = slots[out[i]]()
        s = "".join(out)
        if cap and s[0].islower():
            s = s[0].upper() + s[1:]
        return s

    def sentence(self) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            t = self.entity_templates[int(rng.random() * len(self.entity_templates))]
        else:
            t = self.filler_templates[int(rng.random() * len(self.filler_templates))]
        return self._fill(t)

    _SENT_COUNTS = (1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 10)

    def paragraph(self) -> str:
        rng = self.rng
        if rng.random() < self.SEED_PARA_P:
            return self.seed_paras[int(rng.random() * len(self.seed_paras))]
        n = self._SENT_COUNTS[int(rng.random() * len(self._SENT_COUNTS))]
        return " ".join([self.sentence() for _ in range(n)])

    def title(self) -> str:
        t = self.title_templates[int(self.rng.random() * len(self.title_templates))]
        return self._fill(t).replace("\n", " ")

    def paragraphs(self, target_chars: int) -> list[str]:
        rng = self.rng
        paras: list[str] = []
        n = 0
        if rng.random() < self.REPUBLISH_P:
            doc = self.seed_docs[int(rng.random() * len(self.seed_docs))]
            start = int(rng.random() * len(doc))
            for p in doc[start:start + 3 + int(rng.random() * 8)]:
                if n >= target_chars:
                    break
                paras.append(p)
                n += len(p) + 2
        while n < target_chars:
            p = self.paragraph()
            paras.append(p)
            n += len(p) + 2
        return paras

    @staticmethod
    def wrap(p: str, width: int = 72) -> str:
        lines, cur, n = [], [], 0
        for w in p.split(" "):
            if n and n + 1 + len(w) > width:
                lines.append(" ".join(cur))
                cur, n = [w], len(w)
            else:
                cur.append(w)
                n += len(w) + (1 if n else 0)
        if cur:
            lines.append(" ".join(cur))
        return "\n".join(lines)

    # ---- documents ------------------------------------------------------
    def doc_size(self) -> int:
        rng = self.rng
        if rng.random() < self.HUGE_P:
            return int(1_000_000 + rng.random() * 1_000_000)
        size = int(self.MEDIAN_DOC * math.exp(rng.gauss(0.0, self.SIGMA)))
        return max(self.MIN_DOC, min(size, self.MAX_BODY_DOC))

    def doc_ext(self) -> str:
        rng = self.rng
        self._acc_html += self.html_share * (0.5 + rng.random())
        self._acc_md += self.md_share * (0.5 + rng.random())
        if self._acc_html >= 1:
            self._acc_html -= 1
            return "html"
        if self._acc_md >= 1:
            self._acc_md -= 1
            return "md"
        return "txt"

    def doc_path(self, index: int, ext: str) -> tuple[str, int, int, int]:
        rng = self.rng
        year = self._years[bisect(self._year_cum, rng.random() * self._year_total)]
        month = 1 + int(rng.random() * 12)
        day = 1 + int(rng.random() * 28)
        kinds = KINDS[ext]
        name = f"{kinds[int(rng.random() * len(kinds))]}-{index:06d}.{ext}"
        r = rng.random()
        source = SOURCES[int(rng.random() * len(SOURCES))]
        if r < 0.5:
            rel = f"{year}/{month:02d}/{name}"
        elif r < 0.85:
            rel = f"{year}/{month:02d}/{source}/{name}"
        else:
            rel = f"{source}/{year}/{month:02d}/{day:02d}/{name}"
        return rel, year, month, day

    def document(self, index: int, target: int) -> tuple[str, bytes]:
        rng = self.rng
        ext = self.doc_ext()
        rel, year, month, day = self.doc_path(index, ext)
        self.focus_person = self._people_names[bisect(self._people_cum, rng.random() * self._people_total)]
        title = self.title()
        author = AUTHORS[int(rng.random() * len(AUTHORS))]
        date = f"{day} {MONTHS[month - 1]} {year}"
        body_target = max(200, target - 300 - (600 if ext == "html" else 0))
        paras = self.paragraphs(body_target)
        if ext == "txt":
            text = self._txt(title, author, date, paras)
        elif ext == "md":
            text = self._md(title, author, date, paras)
        else:
            text = self._html(index, title, author, date, paras)
        return rel, text.encode("utf-8")

    def _txt(self, title, author, date, paras) -> str:
        rng = self.rng
        head = [title, ""]
        r = rng.random()
        if r < 0.5:
            head += [f"By {author}", date, ""]
        elif r < 0.75:
            head += [f"DATE: {date}", f"FROM: {author}", f"SUBJECT: {title.upper()}", ""]
        if rng.random() < self.WRAP_P:
            paras = [self.wrap(p) for p in paras]
        return "\n".join(head) + "\n" + "\n\n".join(paras) + "\n"

    def _md(self, title, author, date, paras) -> str:
        rng = self.rng
        out = [f"# {title}\n", f"*{author}* — {date}\n"]
        next_heading = 2 + int(rng.random() * 4)
        for i, p in enumerate(paras):
            if i == next_heading:
                out.append(f"## {SECTION_HEADINGS[int(rng.random() * len(SECTION_HEADINGS))]}\n")
                next_heading += 2 + int(rng.random() * 5)
            r = rng.random()
            if r < 0.06:
                out.append("> " + p.replace("\n", "\n> ") + "\n")
            elif r < 0.10:
                items = "\n".join("- " + self.sentence().replace("\n", " ") for _ in range(3 + int(rng.random() * 3)))
                out.append(p + "\n\n" + items + "\n")
            else:
                out.append(p + "\n")
        if rng.random() < 0.5:
            out.append("Source: [Daily NK](https://www.dailynk.com/english/) via [NK News](https://www.nknews.org/)\n")
        return "\n".join(out)

    def _html(self, index, title, author, date, paras) -> str:
        rng = self.rng
        esc = html.escape
        tags = ", ".join(f'"{self.slots["L"]().replace(chr(10), " ")}"' for _ in range(2))
        body = []
        for p in paras:
            p = esc(p, quote=False)
            if rng.random() < 0.12:
                name = LINKED_NAMES[int(rng.random() * len(LINKED_NAMES))]
                slug = name.lower().replace(" ", "-")
                p = p.replace(name, f'<a href="/tag/{slug}">{name}</a>', 1)
            body.append(f"<p>{p}</p>")
        t = esc(title)
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{t}</title>\n"
            f"<meta name=\"author\" content=\"{esc(author)}\">\n"
            f"<meta name=\"description\" content=\"{t} | North Korea coverage\">\n"
            "<script>\nwindow.dataLayer = window.dataLayer || [];\n"
            f"dataLayer.push({{\"articleId\": {index}, \"section\": \"North Korea\", "
            f"\"tags\": [\"Kim Jong-un\", {tags}], \"published\": \"{date}\"}});\n"
            "</script>\n</head>\n<body>\n"
            + NAV_HTML
            + f"<article>\n<h1>{t}</h1>\n<p class=\"byline\">By {esc(author)} | {date}</p>\n"
            + "\n".join(body)
            + "\n</article>\n<footer><p>© Example News. All rights reserved.</p></footer>\n</body>\n</html>\n"
        )


def generate(out_dir: Path | str, size: int, seed: int = 1, html_share: float = 0.1,
             md_share: float = 0.1, seeds_dir: Path = SEEDS_DIR) -> Stats:
    """Write about ``size`` bytes of documents under ``out_dir``; return counts and timing."""
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gen = CorpusGenerator(seed, html_share, md_share, seeds_dir)
    made_dirs: set[Path] = set()
    written = files = 0
    by_ext = {"txt": 0, "md": 0, "html": 0}
    while written < size:
        remaining = size - written
        target = min(gen.doc_size(), remaining)
        if remaining - target < CorpusGenerator.MIN_DOC:
            target = remaining  # absorb a tiny tail into this document
        rel, data = gen.document(files, target)
        path = out / rel
        parent = path.parent
        if parent not in made_dirs:
            parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(parent)
        with open(path, "wb") as fh:
            fh.write(data)
        written += len(data)
        files += 1
        by_ext[rel.rsplit(".", 1)[1]] += 1
    return Stats(files, written, time.perf_counter() - t0, by_ext)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path, help="directory to write the corpus into")
    ap.add_argument("--size", type=parse_size, default=parse_size("100MB"),
                    help="total size, e.g. 500KB, 100MB, 1GB (SI units; KiB/MiB/GiB binary)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--html-share", type=float, default=0.1, help="fraction of .html documents")
    ap.add_argument("--md-share", type=float, default=0.1, help="fraction of .md documents")
    ap.add_argument("--force", action="store_true",
                    help="write into a non-empty OUT_DIR (existing files are overwritten, none deleted)")
    args = ap.parse_args(argv)

    if args.out_dir.exists() and any(args.out_dir.iterdir()) and not args.force:
        ap.error(f"{args.out_dir} is not empty (use --force, or pick a new directory)")
    try:
        stats = generate(args.out_dir, args.size, args.seed, args.html_share, args.md_share)
    except ValueError as exc:
        ap.error(str(exc))
    mix = ", ".join(f"{n} {e}" for e, n in stats.by_ext.items())
    print(f"make_corpus: {stats.files} files ({mix}), {stats.bytes:,} bytes, "
          f"{stats.seconds:.1f} s -> {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
