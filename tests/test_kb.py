"""The knowledge base: the shipped data file and the loader that merges a user file over it."""

from __future__ import annotations

import itertools
import pickle
import re
import tempfile
import tomllib
import unicodedata
from collections import Counter
from importlib import resources
from pathlib import Path

import platformdirs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xref.kb as kb_module
from xref.kb import (
    LINE_KEY,
    KBError,
    KnowledgeBase,
    default_user_kb_path,
    load_builtin,
    load_file,
    load_knowledge_base,
    merge,
)
from xref.model import Entity, EntityType, Problem

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


# ------------------------------------------------------------------ helpers


def _raw_tables() -> list[dict]:
    data = resources.files("xref").joinpath("data", "kb.toml").read_bytes()
    return tomllib.loads(data.decode("utf-8"))["entity"]


def _key(name: str) -> str:
    """Roughly the matcher's exact key: case, accents, apostrophes, hyphens, spaces, dots ignored."""
    name = name.replace("\u2019", "'").replace("\u2018", "'")
    name = re.sub(r"'s\b", "", name)
    name = unicodedata.normalize("NFKD", name.casefold())
    name = "".join(c for c in name if not unicodedata.combining(c))
    return re.sub(r"[\s\-'.,]+", "", name)


def _folded(name: str) -> str:
    """Roughly the matcher's romanisation folding (McCune-Reischauer vs Revised)."""
    key = _key(name)
    for old, new in (("eo", "o"), ("eu", "u"), ("ch", "j"), ("k", "g"), ("t", "d"), ("p", "b"), ("r", "l")):
        key = key.replace(old, new)
    return key.replace("ung", "ong")


@pytest.fixture(scope="module")
def builtin() -> KnowledgeBase:
    return load_builtin()


@pytest.fixture(scope="module")
def name_index(builtin: KnowledgeBase) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for entity in builtin:
        for name in entity.all_names:
            index.setdefault(_key(name), set()).add(entity.id)
    return index


def _write(tmp_path: Path, text: str, name: str = "kb.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------- the built-in data file


def test_builtin_loads_with_several_hundred_entities(builtin: KnowledgeBase) -> None:
    counts = Counter(e.type for e in builtin)
    assert len(builtin) >= 300
    assert counts["person"] >= 60
    assert counts["organisation"] >= 100
    assert counts["place"] >= 100
    assert set(counts) <= {t.value for t in EntityType}
    assert builtin.sources and builtin.sources[0].name == "kb.toml"


def test_ids_are_unique_stable_slugs() -> None:
    ids = [t["id"] for t in _raw_tables()]
    duplicated = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicated == []
    bad = [i for i in ids if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i)]
    assert bad == []


def test_distinct_from_is_symmetric_and_resolvable_in_the_file_itself() -> None:
    tables = {t["id"]: t for t in _raw_tables()}
    unknown = [(i, d) for i, t in tables.items() for d in t.get("distinct_from", []) if d not in tables]
    assert unknown == []
    one_sided = [
        (i, d) for i, t in tables.items() for d in t.get("distinct_from", []) if i not in tables[d].get("distinct_from", [])
    ]
    assert one_sided == []
    self_listed = [i for i, t in tables.items() if i in t.get("distinct_from", [])]
    assert self_listed == []


def test_loaded_distinct_from_is_symmetric(builtin: KnowledgeBase) -> None:
    for entity in builtin:
        for other in entity.distinct_from:
            partner = builtin.get(other)
            assert partner is not None, (entity.id, other)
            assert entity.id in partner.distinct_from, (entity.id, other)


NEAR_NAME_PAIRS = [
    ("kim-jong-un", "kim-jong-nam"),
    ("kim-jong-un", "kim-jong-il"),
    ("kim-jong-nam", "kim-jong-il"),
    ("kim-jong-un", "kim-il-sung"),
    ("kim-jong-il", "kim-il-sung"),
    ("kim-il", "kim-il-sung"),
    ("kim-jong-chul", "kim-yong-chol"),
    ("kim-yo-jong", "kim-yong-nam"),
    ("kim-jong-nam", "kim-yong-nam"),
    ("kim-won-hong", "kim-yong-chol"),
    ("jang-jin-sung", "jang-song-thaek"),
    ("park-sang-hak", "park-geun-hye"),
    ("park-sang-hak", "pak-jong-chon"),
    ("pak-jong-chon", "pak-pong-ju"),
    ("park-geun-hye", "park-chung-hee"),
    ("kim-jong-suk", "kim-jung-sook"),
    ("state-security-department", "ministry-of-social-security"),
    ("state-security-department", "china-ministry-of-state-security"),
    ("united-front-department", "united-front-work-department"),
    ("north-pyongan", "south-pyongan"),
    ("north-hamgyong", "south-hamgyong"),
    ("north-hwanghae", "south-hwanghae"),
    ("north-korea", "south-korea"),
    ("kangwon-north-korea", "gangwon-south-korea"),
    ("sunchon", "suncheon"),
    ("tumen-river", "tumen-city"),
    ("imjin-river", "rimjin-gang"),
    ("yodok-camp", "yodok-county"),
    ("kcna", "kctv"),
]


@pytest.mark.parametrize(("a", "b"), NEAR_NAME_PAIRS)
def test_required_near_names_are_kept_apart(builtin: KnowledgeBase, a: str, b: str) -> None:
    first, second = builtin.get(a), builtin.get(b)
    assert first is not None and second is not None
    assert b in first.distinct_from
    assert a in second.distinct_from


def test_no_two_entities_share_a_name(name_index: dict[str, set[str]]) -> None:
    shared = {key: ids for key, ids in name_index.items() if len(ids) > 1}
    assert shared == {}


def test_names_equal_after_romanisation_folding_are_marked_distinct(builtin: KnowledgeBase) -> None:
    by_fold: dict[str, set[str]] = {}
    for entity in builtin:
        for name in (entity.name, *entity.aliases):
            by_fold.setdefault(_folded(name), set()).add(entity.id)
    unmarked = [
        (a, b)
        for ids in by_fold.values()
        for a, b in itertools.combinations(sorted(ids), 2)
        if b not in builtin.entities[a].distinct_from
    ]
    assert unmarked == []


COMMON_SURNAMES = {
    "kim", "park", "pak", "lee", "ri", "yi", "rhee", "jang", "chang", "choi", "choe", "jo", "cho",
    "moon", "mun", "ko", "kang", "shin", "hwang", "hyon", "jin", "an", "ahn", "han", "yoon", "roh",
    "ji", "thae", "tae", "kung", "wang", "jung", "chung", "song", "o", "oh", "yun", "ryu", "hong",
}  # fmt: skip
DEMONYMS = {
    "north korean", "north koreans", "south korean", "south koreans", "korean", "koreans", "chinese",
    "japanese", "russian", "russians", "american", "americans", "soviet", "british", "malaysian",
}  # fmt: skip
COMMON_WORDS = {
    "the", "party", "army", "bureau", "department", "office", "ministry", "police", "north", "south",
    "security", "league", "union", "center", "centre", "times", "post", "news", "press", "square",
    "river", "mountain", "camp", "won", "guard", "guardian", "amnesty", "link", "focus", "new focus",
    "committee", "commission", "government", "regime", "leader", "dear leader", "great leader",
    "marshal", "president", "chairman", "capital", "border", "who", "us", "un", "ft", "ap",
}  # fmt: skip


def test_no_alias_is_a_bare_surname_demonym_or_common_word(builtin: KnowledgeBase) -> None:
    offenders = []
    for entity in builtin:
        for alias in entity.aliases:
            folded = alias.casefold()
            if folded in COMMON_SURNAMES or folded in DEMONYMS:
                offenders.append((entity.id, alias))
            elif folded in COMMON_WORDS and not alias.isupper():
                offenders.append((entity.id, alias))  # acceptable only as an all-caps acronym
    assert offenders == []


def test_short_aliases_are_acronyms(builtin: KnowledgeBase) -> None:
    """A short lower-case alias ("won", "ap") would match ordinary words; acronyms stay all-caps."""
    offenders = [
        (e.id, alias)
        for e in builtin
        for alias in e.aliases
        if alias.isascii() and alias.isalpha() and len(alias) <= 3 and not alias.isupper()
    ]
    assert offenders == []


def test_descriptions_are_single_lines_and_hangul_is_hangul(builtin: KnowledgeBase) -> None:
    for entity in builtin:
        assert entity.description.strip(), entity.id
        assert "\n" not in entity.description, entity.id
        assert len(entity.description) <= 220, entity.id
        if entity.hangul:
            assert re.fullmatch(r"[\uac00-\ud7a3 ]+", entity.hangul), entity.id


# Names as they are written in the seed documents, and the entity each must reach
# through the name index (case, hyphens, spaces and apostrophes aside).
SEED_NAMES = {
    "Jang Jin-sung": "jang-jin-sung",
    "Jang Jinseong": "jang-jin-sung",
    "Chang Chinsŏng": "jang-jin-sung",
    "장진성": "jang-jin-sung",
    "Jin-Seong, Jang": "jang-jin-sung",
    "Jang Jin Sung": "jang-jin-sung",
    "Korean Workers' Party": "workers-party-of-korea",
    "Workers’ Party of Korea": "workers-party-of-korea",
    "Workers’ Party": "workers-party-of-korea",
    "United Front Department": "united-front-department",
    "Office 101": "office-101",
    "Kim Kyong-min": "kim-kyong-min",
    "Kim Jong Il": "kim-jong-il",
    "김정일": "kim-jong-il",
    "Young-Min": "young-min",
    "Pyongyang Metro": "pyongyang-metro",
    "State Security Department": "state-security-department",
    "SSD": "state-security-department",
    "Ministry of State Security": "state-security-department",
    "Ministry of Social Security": "ministry-of-social-security",
    "Tumen River": "tumen-river",
    "Yalu River": "yalu-river",
    "National Security Research Institute": "national-security-research-institute",
    "National Intelligence Service": "national-intelligence-service",
    "New Focus International": "new-focus-international",
    "뉴포커스": "new-focus-international",
    "Southbank Centre": "southbank-centre",
    "BBC News": "bbc-news",
    "Guardian News and Media Limited": "guardian-news-and-media",
    "New Statesman": "new-statesman",
    "Sylvia Hui": "sylvia-hui",
    "Associated Press": "associated-press",
    "Atria": "atria-books",
    "David Pilling": "david-pilling",
    "Financial Times": "financial-times",
    "Libby Powell": "libby-powell",
    "Chatham House": "chatham-house",
    "NK News": "nk-news",
    "Simon and Schuster": "simon-and-schuster",
    "KCNA": "kcna",
    "Blaine Harden": "blaine-harden",
    "The Washington Post": "washington-post",
    "Amazon.com, Inc.": "amazon",
    "Chosun.com": "chosun-ilbo",
    "Jessica Phelan": "jessica-phelan",
    "DailyNK": "daily-nk",
    "Daily NK": "daily-nk",
    "Kim Ji-soo": "kim-ji-soo",
    "Korea Times": "korea-times",
    "DPRK": "north-korea",
    "Kimikatsu Kinoshita": "kimikatsu-kinoshita",
    "Eiji Han Shimizu": "eiji-han-shimizu",
    "Shutterstock": "shutterstock",
    "Kim Jong-nam": "kim-jong-nam",
    "Kim Jong-un": "kim-jong-un",
    "Kim Jong Un": "kim-jong-un",
    "Kuala Lumpur International Airport": "kuala-lumpur-international-airport",
    "Malaysia": "malaysia",
    "Mount Paektu": "mount-paektu",
    "Kim Il-sung": "kim-il-sung",
    "Kim Il Sung": "kim-il-sung",
    "Chinese Communist Party": "chinese-communist-party",
    "Jang Song-thaek": "jang-song-thaek",
    "Choi Soon-ho": "choi-soon-ho",
    "Reconnaissance General Bureau": "reconnaissance-general-bureau",
    "Yodok": "yodok-camp",
    "Hitler": "adolf-hitler",
    "Stalin": "joseph-stalin",
    "Seiron": "seiron",
    "Arduous March": "arduous-march",
    "Pyongsong": "pyongsong",
    "Sunchon": "sunchon",
    "Sariwon": "sariwon",
    "North Pyongan": "north-pyongan",
    "Sinuiju": "sinuiju",
    "Hyesan": "hyesan",
    "Hoeryong": "hoeryong",
    "Kim Il-sung Square": "kim-il-sung-square",
    "An Jung-geun": "an-jung-geun",
    "Ito Hirobumi": "ito-hirobumi",
    "Sadong District": "sadong-district",
    "Tokyo": "tokyo",
    "Adachi Ward": "adachi-ward",
    "Youth Shock Brigades": "youth-shock-brigades",
    "Park Sang-hak": "park-sang-hak",
    "Fighters for a Free North Korea": "fighters-for-a-free-north-korea",
    "Wonsan": "wonsan",
    "Kangwon Province": "kangwon-north-korea",
    "Kim Yo Jong": "kim-yo-jong",
    "Moon Jae-in": "moon-jae-in",
    "Foreign Ministry": "dprk-foreign-ministry",
    "Wang Wenbin": "wang-wenbin",
    "Kyodo News": "kyodo-news",
    "Wuhan": "wuhan",
    "Pfizer": "pfizer",
    "World Health Organization": "world-health-organization",
    "WHO": "world-health-organization",
    "Switzerland": "switzerland",
    "Politburo": "wpk-politburo",
    "Central Committee": "wpk-central-committee",
    "Politburo Standing Committee": "politburo-presidium",
    "Presidium of the Politburo": "politburo-presidium",
    "Ri Pyong-chol": "ri-pyong-chol",
    "Korean People’s Army": "korean-peoples-army",
    "Pak Jong-chon": "pak-jong-chon",
    "General Staff": "kpa-general-staff",
    "Sariwon University of Agriculture": "sariwon-university-of-agriculture",
    "U.S.": "united-states",
    "United States": "united-states",
    "Jo Yong-won": "jo-yong-won",
    "Kinichi Nishimura": "kinichi-nishimura",
    "Kanto District": "kanto",
    "North Korea Refugee Cooperation Meeting": "north-korea-refugee-cooperation-meeting",
    "Hokuriku": "hokuriku",
    "Society to Help Returnees to North Korea": "society-to-help-returnees",
    "Takagi Shobo": "takagi-shobo",
    "Jin Ju-dong": "jin-ju-dong",
    "Russia": "russia",
    "Gwangju": "gwangju",
    "Korean Peninsula": "korean-peninsula",
    "ROK": "south-korea",
    "Alannah Hill": "alannah-hill",
    "St. Petersburg": "saint-petersburg",
    "Beijing": "beijing",
    "China": "china",
    "Japan": "japan",
    "Seoul": "seoul",
    "Kim Won Hong": "kim-won-hong",
    "Yonhap": "yonhap",
    "UPI": "upi",
    "Health Ministry": "dprk-health-ministry",
    "Joongang Ilbo": "joongang-ilbo",
    "Park Geun-hye": "park-geun-hye",
    "Kung Sok-un": "kung-sok-un",
    "True North": "true-north-film",
}


@pytest.mark.parametrize(("surface", "entity_id"), sorted(SEED_NAMES.items()))
def test_every_name_in_the_seeds_reaches_its_entity(
    name_index: dict[str, set[str]], builtin: KnowledgeBase, surface: str, entity_id: str
) -> None:
    assert any(surface in p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")), surface
    assert name_index.get(_key(surface)) == {entity_id}
    assert builtin.get(entity_id) is not None


FIELD_NAMES = {
    "Bowibu": "state-security-department",
    "MSS": "state-security-department",
    "Ministry of People's Security": "ministry-of-social-security",
    "Anjeonbu": "ministry-of-social-security",
    "RGB": "reconnaissance-general-bureau",
    "WPK": "workers-party-of-korea",
    "Bureau 39": "office-39",
    "Room 39": "office-39",
    "OGD": "organization-and-guidance-department",
    "Tae Yong-ho": "thae-yong-ho",
    "Yeonmi Park": "park-yeon-mi",
    "Democratic People's Republic of Korea": "north-korea",
    "Republic of Korea": "south-korea",
    "Hidden Cobra": "lazarus-group",
    "Kwalliso No. 15": "yodok-camp",
    "Amnok River": "yalu-river",
    "Rajin-Sonbong": "rason",
    "Ryanggang": "ryanggang",
    "Yanggang Province": "ryanggang",
    "Nodong Sinmun": "rodong-sinmun",
    "김정은": "kim-jong-un",
    "Changbai Mountain": "mount-paektu",
}


@pytest.mark.parametrize(("surface", "entity_id"), sorted(FIELD_NAMES.items()))
def test_renamings_and_acronyms_resolve(name_index: dict[str, set[str]], surface: str, entity_id: str) -> None:
    assert name_index.get(_key(surface)) == {entity_id}


def test_lookups(builtin: KnowledgeBase) -> None:
    kim = builtin.get("kim-jong-un")
    assert kim is not None and kim.name == "Kim Jong-un" and kim.hangul == "김정은"
    assert isinstance(kim.aliases, tuple) and isinstance(kim.distinct_from, tuple)
    assert builtin.get("no-such-entity") is None
    assert "kim-jong-un" in builtin
    people = builtin.by_type(EntityType.PERSON)
    assert kim in people
    assert all(e.type == "person" for e in people)
    assert builtin.by_type("place") == [e for e in builtin if e.type == "place"]
    assert len(list(builtin)) == len(builtin)


def test_fingerprint_is_stable_and_tracks_content(builtin: KnowledgeBase) -> None:
    again = load_builtin()
    assert again.fingerprint == builtin.fingerprint
    assert re.fullmatch(r"[0-9a-f]{64}", builtin.fingerprint)
    reordered = KnowledgeBase(dict(reversed(list(builtin.entities.items()))), [])
    assert reordered.fingerprint == builtin.fingerprint
    changed = merge(builtin, [{"id": "kim-jong-un", "description": "changed"}], "user.toml")
    assert changed.fingerprint != builtin.fingerprint


def test_load_builtin_returns_independent_copies() -> None:
    first = load_builtin()
    first.entities.pop("kim-jong-un")
    assert load_builtin().get("kim-jong-un") is not None


# ------------------------------------------------------------ merging a user file


def test_user_file_adds_a_new_entity(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[[entity]]
id = "ri-chun-hee"
name = "Ri Chun-hee"
type = "person"
aliases = ["Ri Chun-hui"]
hangul = "리춘히"
description = "Newsreader on Korean Central Television."
distinct_from = ["ri-sol-ju"]
""",
    )
    kb, problems = load_knowledge_base(path)
    assert problems == []
    added = kb.get("ri-chun-hee")
    assert added == Entity(
        id="ri-chun-hee",
        name="Ri Chun-hee",
        type="person",
        aliases=("Ri Chun-hui",),
        hangul="리춘히",
        description="Newsreader on Korean Central Television.",
        distinct_from=("ri-sol-ju",),
    )
    assert "ri-chun-hee" in kb.entities["ri-sol-ju"].distinct_from  # made symmetric
    assert len(kb) == len(load_builtin()) + 1
    assert kb.sources[-1] == path


def test_user_file_adds_aliases_to_an_existing_entity(tmp_path: Path) -> None:
    before = load_builtin().entities["kim-jong-un"]
    path = _write(tmp_path, '[[entity]]\nid = "kim-jong-un"\naliases = ["Brilliant Comrade", "Kim Jung-un"]\n')
    kb, problems = load_knowledge_base(path)
    assert problems == []
    after = kb.entities["kim-jong-un"]
    assert after.aliases == (*before.aliases, "Brilliant Comrade")  # the repeated alias is not doubled
    assert after.name == before.name and after.description == before.description
    assert after.distinct_from == before.distinct_from


def test_user_file_overrides_a_description(tmp_path: Path) -> None:
    before = load_builtin().entities["pyongyang"]
    path = _write(tmp_path, '[[entity]]\nid = "pyongyang"\ndescription = "Where the reader lives."\n')
    kb, problems = load_knowledge_base(path)
    assert problems == []
    after = kb.entities["pyongyang"]
    assert after.description == "Where the reader lives."
    assert (after.name, after.type, after.aliases, after.hangul) == (
        before.name,
        before.type,
        before.aliases,
        before.hangul,
    )


def test_user_file_can_replace_aliases(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[entity]]\nid = "state-security-department"\nreplace_aliases = true\naliases = ["Bowibu", "SSD"]\n',
    )
    kb, problems = load_knowledge_base(path)
    assert problems == []
    assert kb.entities["state-security-department"].aliases == ("Bowibu", "SSD")


def test_user_distinct_from_between_existing_entities_is_symmetric(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[entity]]\nid = "seoul"\ndistinct_from = ["busan"]\n')
    kb, problems = load_knowledge_base(path)
    assert problems == []
    assert "busan" in kb.entities["seoul"].distinct_from
    assert "seoul" in kb.entities["busan"].distinct_from


def test_user_file_may_change_name_and_type_and_spell_organization(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[entity]]\nid = "pyongyang-metro"\ntype = "Organization"\nname = "Pyongyang Metro"\n')
    kb, problems = load_knowledge_base(path)
    assert problems == []
    assert kb.entities["pyongyang-metro"].type == "organisation"


def test_merge_leaves_the_base_untouched(builtin: KnowledgeBase) -> None:
    before = builtin.fingerprint
    merged = merge(builtin, [{"id": "new-place", "name": "New Place", "type": "place"}], "u.toml")
    assert builtin.fingerprint == before
    assert "new-place" not in builtin
    assert merged.get("new-place") is not None
    assert merged.sources == [*builtin.sources, Path("u.toml")]


def test_load_file_records_header_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '# comment\n\n[[entity]]\nid = "a-one"\nname = "A"\ntype = "place"\n\n[[ entity ]]\nid = "b-two"\n',
    )
    tables = load_file(path)
    assert [(t["id"], t[LINE_KEY]) for t in tables] == [("a-one", 3), ("b-two", 8)]


# ------------------------------------------------------------ malformed user files

GOOD_TABLE = '[[entity]]\nid = "fine-one"\nname = "Fine"\ntype = "place"\n'  # four lines


def _problem_for(tmp_path: Path, text: str) -> Problem:
    path = _write(tmp_path, text)
    kb, problems = load_knowledge_base(path)
    assert kb.fingerprint == load_builtin().fingerprint  # the built-in base, unchanged
    assert len(problems) == 1
    assert problems[0].path == str(path)
    assert problems[0].severity == "error"
    return problems[0]


def test_toml_syntax_error_gives_tomllib_line(tmp_path: Path) -> None:
    problem = _problem_for(tmp_path, GOOD_TABLE + '\n[[entity]]\nid = "broken"\nname = "Unclosed\ntype = "person"\n')
    assert problem.reason.startswith("line 8: invalid TOML")
    assert "column" in problem.reason


def test_missing_name_points_at_its_table(tmp_path: Path) -> None:
    problem = _problem_for(tmp_path, GOOD_TABLE + '\n[[entity]]\nid = "nameless"\ntype = "person"\n')
    assert problem.reason == "line 6: entity 'nameless' has no name"


def test_missing_id_points_at_its_table(tmp_path: Path) -> None:
    problem = _problem_for(tmp_path, GOOD_TABLE + '\n\n[[entity]]\nname = "Nobody"\n')
    assert problem.reason == "line 7: entity #2 has no id"


def test_unknown_type_points_at_its_table(tmp_path: Path) -> None:
    problem = _problem_for(tmp_path, GOOD_TABLE + '[[entity]]\nid = "odd"\nname = "Odd"\ntype = "persn"\n')
    assert problem.reason.startswith("line 5: entity 'odd' has unknown type 'persn'")


def test_unknown_distinct_from_id_points_at_its_table(tmp_path: Path) -> None:
    problem = _problem_for(
        tmp_path, GOOD_TABLE + '\n\n\n[[entity]]\nid = "kim-jong-un"\ndistinct_from = ["kim-jong-nun"]\n'
    )
    assert problem.reason == "line 8: entity 'kim-jong-un': distinct_from names unknown id 'kim-jong-nun'"


def test_duplicate_id_points_at_the_second_table(tmp_path: Path) -> None:
    problem = _problem_for(tmp_path, GOOD_TABLE + GOOD_TABLE)
    assert problem.reason == "line 5: duplicate id 'fine-one' (first defined on line 1)"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('aliases = "Solo"', "'aliases' must be a list of strings"),
        ("aliases = [1, 2]", "'aliases' must be a list of strings"),
        ("name = 7", "'name' must be a string, not an integer"),
        ('alias = ["Typo"]', "unknown field 'alias'"),
        ('replace_aliases = "yes"', "'replace_aliases' must be true or false"),
        ('distinct_from = ["fine-one"]', "lists itself in distinct_from"),
    ],
)
def test_wrong_field_types_are_reported(tmp_path: Path, body: str, expected: str) -> None:
    text = '[[entity]]\nid = "fine-one"\nname = "Fine"\ntype = "place"\n' + body + "\n"
    text = text.replace('name = "Fine"\n', "") if body.startswith("name") else text
    problem = _problem_for(tmp_path, "\n" + text)
    assert problem.reason.startswith("line 2: ")
    assert expected in problem.reason


def test_bad_id_and_stray_keys_are_reported(tmp_path: Path) -> None:
    assert "not a lowercase slug" in _problem_for(tmp_path, '[[entity]]\nid = "Kim Jong Un"\n').reason
    stray = _problem_for(tmp_path, 'title = "my kb"\n' + GOOD_TABLE)
    assert stray.reason.startswith("line 1: unknown top-level key 'title'")


def test_non_utf8_user_file(tmp_path: Path) -> None:
    path = tmp_path / "kb.toml"
    path.write_bytes(b'[[entity]]\nid = "x"\nname = "\xff"\n')
    kb, problems = load_knowledge_base(path)
    assert [p.reason for p in problems] == ["line 3: the file is not UTF-8 text"]
    assert len(kb) == len(load_builtin())


def test_explicit_user_file_that_does_not_exist_is_a_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    kb, problems = load_knowledge_base(missing)
    assert problems == [Problem(str(missing), "knowledge-base file not found")]
    assert len(kb) == len(load_builtin())


def test_unreadable_path_is_a_problem(tmp_path: Path) -> None:
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    kb, problems = load_knowledge_base(folder)
    assert len(problems) == 1 and problems[0].reason.startswith("cannot read the file")
    assert len(kb) == len(load_builtin())


def test_user_file_in_a_folder_we_may_not_search_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lock_folder
) -> None:
    path = tmp_path / "locked" / "kb.toml"
    path.parent.mkdir()
    path.write_text(GOOD_TABLE, encoding="utf-8")
    load_builtin()
    lock_folder(path.parent)
    kb, problems = load_knowledge_base(path)
    assert problems == [Problem(str(path), "cannot read the file (Permission denied)")]
    assert len(kb) == len(load_builtin())
    monkeypatch.setattr(kb_module, "default_user_kb_path", lambda: path)
    kb, problems = load_knowledge_base()  # not named: there may be none, but the user should know
    assert [p.reason for p in problems] == ["cannot read the file (Permission denied)"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda s: s.encode("utf-8"))))
def test_any_user_file_content_never_raises(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kb.toml"
        path.write_bytes(content)
        kb, problems = load_knowledge_base(path)
    assert len(kb) >= len(load_builtin())
    assert all(isinstance(p, Problem) and p.path == str(path) for p in problems)


# ------------------------------------------------------- default path and errors


def test_default_user_file_location() -> None:
    assert default_user_kb_path() == Path(platformdirs.user_config_dir("xref")) / "kb.toml"


def test_default_user_file_is_used_only_when_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kb.toml"
    monkeypatch.setattr(kb_module, "default_user_kb_path", lambda: path)
    kb, problems = load_knowledge_base()
    assert problems == [] and len(kb) == len(load_builtin())

    path.write_text('[[entity]]\nid = "my-village"\nname = "My Village"\ntype = "place"\n', encoding="utf-8")
    kb, problems = load_knowledge_base()
    assert problems == [] and kb.get("my-village") is not None

    kb, problems = load_knowledge_base(use_default_user_file=False)
    assert problems == [] and kb.get("my-village") is None


def test_kberror_message_names_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = _write(tmp_path, '[[entity]]\nid = "x-y"\n')
    with pytest.raises(KBError) as caught:
        merge(KnowledgeBase(), load_file(path), path)
    assert str(caught.value) == "~/kb.toml:1: entity 'x-y' has no name"
    assert (caught.value.path, caught.value.line) == (str(path), 1)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the built-in loader at a temporary package folder."""
    (tmp_path / "data").mkdir()
    monkeypatch.setattr(kb_module.resources, "files", lambda package: tmp_path)
    kb_module._builtin.cache_clear()
    yield tmp_path / "data" / "kb.toml"
    kb_module._builtin.cache_clear()


def test_malformed_builtin_file_raises(fake_package: Path) -> None:
    fake_package.write_text(GOOD_TABLE + '[[entity]]\nid = "two"\ntype = "place"\n', encoding="utf-8")
    with pytest.raises(KBError, match=r"kb\.toml:5: entity 'two' has no name"):
        load_builtin()
    with pytest.raises(KBError):
        load_knowledge_base(use_default_user_file=False)


def test_user_file_names_lose_control_characters(tmp_path):
    user = tmp_path / "kb.toml"
    user.write_text(
        '[[entity]]\nid = "evil"\nname = "Evil\\u001b]52;c;SGk=\\u0007 [bold]Name[/]"\ntype = "person"\n'
        'aliases = ["Ev\\u001b[31mil"]\n',
        encoding="utf-8",
    )
    kb, problems = load_knowledge_base(user)
    assert problems == []
    evil = kb.get("evil")
    assert evil is not None
    assert "\x1b" not in evil.name and "\x07" not in evil.name
    assert "[bold]Name[/]" in evil.name  # markup-looking text is kept literally
    assert all("\x1b" not in a for a in evil.aliases)


# ------------------------------------------------------------------- the parsed copy of the built-in file


def _parse_builtin_toml() -> KnowledgeBase:
    resource = resources.files("xref").joinpath("data", "kb.toml")
    path = Path(str(resource))
    return kb_module.merge(KnowledgeBase(), kb_module._parse(resource.read_bytes(), path), path)


def _fresh_builtin(monkeypatch: pytest.MonkeyPatch, cache: Path) -> KnowledgeBase:
    monkeypatch.setenv("XREF_CACHE_DIR", str(cache))
    monkeypatch.delenv("XREF_NO_CACHE", raising=False)
    kb_module._builtin.cache_clear()
    try:
        return kb_module.load_builtin()
    finally:
        kb_module._builtin.cache_clear()


def test_parsed_copy_is_written_and_read_back_identically(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first = _fresh_builtin(monkeypatch, tmp_path)
    copies = list(tmp_path.glob("kb-builtin-*.json"))
    assert len(copies) == 1
    second = _fresh_builtin(monkeypatch, tmp_path)  # read from the copy
    parsed = _parse_builtin_toml()
    assert list(second.entities) == list(parsed.entities)
    assert second.entities == parsed.entities == first.entities
    assert second.fingerprint == parsed.fingerprint


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[[1, 2, 3]]", b'[["x"]]', b"[]"])
def test_damaged_parsed_copy_falls_back_to_the_toml(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, damage: bytes
) -> None:
    _fresh_builtin(monkeypatch, tmp_path)
    (copy,) = tmp_path.glob("kb-builtin-*.json")
    copy.write_bytes(damage)
    again = _fresh_builtin(monkeypatch, tmp_path)
    assert again.entities == _parse_builtin_toml().entities


def test_parsed_copy_is_named_by_the_toml_content(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XREF_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("XREF_NO_CACHE", raising=False)
    one = kb_module._parsed_path(b'[[entity]]\nid = "a"\n')
    two = kb_module._parsed_path(b'[[entity]]\nid = "b"\n')
    assert one is not None and two is not None and one != two
    monkeypatch.setenv("XREF_NO_CACHE", "1")
    assert kb_module._parsed_path(b"x") is None


def test_unwritable_cache_folder_still_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    loaded = _fresh_builtin(monkeypatch, blocker / "cache")
    assert loaded.entities == _parse_builtin_toml().entities


def test_toml_syntax_errors_say_line_and_column_or_the_end_of_the_file() -> None:
    from xref.tomltext import TomlSyntaxError, load_toml

    assert load_toml('a = 1\n[b]\nc = "x"\n') == {"a": 1, "b": {"c": "x"}}
    with pytest.raises(TomlSyntaxError) as bad:
        load_toml('a = 1\nb = "open\n')
    assert (bad.value.line, bad.value.column) == (2, 10)
    assert bad.value.reason == "Illegal character '\\n' (column 10)"
    with pytest.raises(TomlSyntaxError) as cut:
        load_toml("a = 1\nb = [1,\n")
    assert cut.value.line == 3 and cut.value.column is None
    assert cut.value.reason.endswith("at the end of the file")
