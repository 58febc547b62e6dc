"""Normalisation keys for names.

Three levels, each coarser than the last:

* ``match_text`` -- a same-length copy of a text for the exact automaton pass:
  lower case, every dash a hyphen, every apostrophe straight, every white-space
  character a space. Same length means automaton offsets are document offsets.
* ``name_key`` -- case, dashes, apostrophes, white space, possessive and the
  hyphen/space/none choice inside romanised names all erased.
* ``fold_key`` -- ``name_key`` plus romanisation folding, so McCune-Reischauer and
  Revised Romanisation spellings meet (Chang Chinsŏng = Jang Jin-sung).
"""

from __future__ import annotations

import re
from functools import lru_cache

from xref import _accel

DASHES = "\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
APOSTROPHES = "\u2018\u2019\u02bc\u02bb\u2032\u0060\u00b4\uff07"
SPACES = "\t\n\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"

_MATCH_TABLE = str.maketrans(
    {**{c: "-" for c in DASHES}, **{c: "'" for c in APOSTROPHES}, **{c: " " for c in SPACES}}
)


_ASCII_REPLACEMENTS = (("\t", " "), ("\n", " "), ("\r", " "), ("`", "'"))
_REPLACEMENTS = _ASCII_REPLACEMENTS + tuple(
    (c, r) for group, r in ((DASHES, "-"), (APOSTROPHES, "'"), (SPACES[3:], " ")) for c in group
)


def match_text(text: str) -> str:
    """Lower-cased, dash/apostrophe/space-unified copy of ``text`` with the same length.

    The compiled twin does it in one pass; it leaves to the code below the
    texts whose lower case is not one character for one (U+0130, and Greek
    capital sigma, which depends on the letters around it). Here,
    ``str.replace`` per character class is several times faster than
    ``str.translate`` on non-ASCII text, and most classes are absent anyway."""
    fast = _accel.speedups
    if fast is not None:
        done = fast.match_text(text)
        if done is not None:
            return done
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters (e.g. U+0130) lower-case to two code points; keep 1:1.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for c, r in _ASCII_REPLACEMENTS if lowered.isascii() else _REPLACEMENTS:
        if c in lowered:
            lowered = lowered.replace(c, r)
    return lowered


def unify(text: str) -> str:
    """Dashes, apostrophes and white space unified (case kept)."""
    return " ".join(text.translate(_MATCH_TABLE).split())


_POSSESSIVE = re.compile(r"(?<=\w)'s?$")
_NON_KEY = re.compile(r"[\W_]+")


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Key that erases case, punctuation, spacing and a trailing possessive."""
    s = unify(name).casefold()
    s = _POSSESSIVE.sub("", s)
    return _NON_KEY.sub("", s)


def tokens(name: str) -> list[str]:
    """Words of a name, split on spaces and hyphens (apostrophes kept inside words)."""
    return [t for t in re.split(r"[\s\-]+", unify(name)) if t]


# Romanisation folding. Order matters: vowels first (ŏ/eo -> o), then
# consonant pairs that differ between McCune-Reischauer and Revised Romanisation.
_DIACRITICS = str.maketrans({"ŏ": "o", "ŭ": "u", "ō": "o", "ū": "u", "ǒ": "o", "ǔ": "u", "é": "e", "ë": "e"})
_SURNAME_FOLD = {
    # Ri / Lee / Rhee / Yi / I
    "lee": "li", "rhee": "li", "ri": "li", "yi": "li", "li": "li", "rhie": "li",
    # Park / Pak / Bak
    "park": "bak", "pak": "bak", "bak": "bak", "pack": "bak",
    # Choi / Choe / Chwe
    "choi": "choe", "choe": "choe", "chwe": "choe",
    # Roh / No / Noh
    "roh": "no", "noh": "no", "no": "no",
    # Ryu / Yu / Yoo
    "ryu": "yu", "yoo": "yu", "yu": "yu",
    # Lim / Im / Rim
    "lim": "im", "rim": "im", "im": "im",
    # Kim / Gim
    "gim": "kim", "kim": "kim",
    # Kang / Gang
    "gang": "kang", "kang": "kang",
    # Yoon / Yun
    "yoon": "yun", "yun": "yun",
    # Jung / Chung / Jeong / Chong
    "jung": "jong", "chung": "jong", "jeong": "jong", "chong": "jong",
    # Shin / Sin
    "shin": "sin", "sin": "sin",
    # Oh / O
    "oh": "o",
}
_SYLLABLE_FOLDS = (
    ("eo", "o"), ("eu", "u"), ("oo", "u"), ("ee", "i"),
    ("tch", "j"), ("ch", "j"), ("sh", "s"), ("ts", "j"),
    ("th", "t"), ("ph", "p"), ("kh", "k"),
    ("k", "g"), ("t", "d"), ("p", "b"), ("r", "l"),
    ("ung", "ong"), ("'", ""),
)


@lru_cache(maxsize=65536)
def fold_key(name: str) -> str:
    """Romanisation-insensitive key: name_key plus MR/RR folding and surname variants."""
    parts = [t.casefold().translate(_DIACRITICS) for t in tokens(_POSSESSIVE.sub("", unify(name)))]
    if not parts:
        return ""
    out: list[str] = []
    for i, part in enumerate(parts):
        part = _NON_KEY.sub("", part)
        if i == 0 and part in _SURNAME_FOLD:
            out.append(_SURNAME_FOLD[part])
            continue
        for a, b in _SYLLABLE_FOLDS:
            part = part.replace(a, b)
        out.append(part)
    return "".join(out)



# Common Korean surnames in their usual romanisations. Used to recognise the
# "Surname Given-name" shape and to pick the surname of a full name.
KOREAN_SURNAMES = frozenset(
    """Kim Gim Lee Ri Yi Rhee Rhie Park Pak Bak Choi Choe Chwe Jung Chung Jeong Chong Kang Gang Cho Jo Yoon Yun
    Jang Chang Lim Im Rim Han Oh O Seo So Shin Sin Kwon Gwon Hwang Ahn An Song Jeon Chon Jun Hong Yu Ryu Yoo Ko Go
    Moon Mun Yang Son Bae Pae Baek Paek Heo Ho Hur Nam Sim Shim Noh Roh No Ha Kwak Kwack Sung Seong Cha Joo Ju Chu
    Woo U Koo Ku Min Jin Chin Na Ji Chi Eom Um Byun Pyon Chae Won Cheon Chun Bang Pang Gong Kong Hyun Hyon Ham
    Yeom Yom Yeo Yo Choo Do To Seok Sok Sun Suh Tak Ma Gil Kil Yeon Yon Ban Pan Wang Pyo Myung Myong Maeng Ki
    Ok Tae Thae Kye Ryom Ryang Ri Kung Gi Gu Gwak Huh Jon Jong Koh Kwan Kweon Paik Ra Rho Ro Ryeo Ryoo Sohn Whang
    Wu Yim""".split()
)

# Words that begin sentences or sit before names but are never names themselves.
STOPWORDS = frozenset(
    """a an the this that these those and or but if in on at by for from to of with as after before
    according although because since while when where whether yet so then thus however also even
    he she it they we i you his her its their our my your him them us who whom which what why how
    all any both each every many most much no not none one other some such there here today yesterday
    last next first second third new old former late recent recently is was are were be been being
    do does did has have had may might must can could should would will shall
    mr mrs ms dr sir madam""".split()
)

MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)

# Titles that may stand before a person's name ("President Moon").
TITLES = frozenset(
    """President Chairman Chairwoman Secretary Marshal General Premier Minister Director Leader
    Comrade Mr Mrs Ms Dr Prof Professor Ambassador Colonel Lieutenant Captain Major Vice
    Supreme Dear Great Senator Governor Mayor King Queen Prince Princess Chief""".split()
)
