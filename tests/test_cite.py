"""Citations: every style against full expected strings written from the style
rules, spans on seed sentences, and quote search.

Seed metadata as the documents state it (seeds/manifest.toml): 002 is by Jin
Ju-dong (NK News, 2024-01-17); 003 has no author and no date; 000 is the
Wikipedia page "Jang Jin-sung"; 001 is by Kimikatsu Kinoshita. The seeds state
no URL: the URLs here, 001's publisher and date, 003's publisher and 000's
date are fixtures that exercise those fields.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from xref.cite import (
    DEFAULT_STYLE,
    STYLE_LABELS,
    STYLES,
    Citation,
    find_quote,
    format_citation,
    make_citation,
    paragraph_span,
    parse_style,
    sentence_span,
    split_authors,
)
from xref.model import Document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ACCESSED = datetime.date(2025, 5, 5)

NK_URL = "https://www.nknews.org/2024/01/ask-a-north-korean-why-a-dprk-laborer-in-russia-decided-to-defect/"
NK_TITLE = "Ask A North Korean: Why a DPRK laborer in Russia decided to defect"
OFK_URL = "https://freekorea.us/2016/04/minders-for-minders/"
OFK_TITLE = "North Korea needs more minders for its minders, to stop them from defecting"


def seed(
    prefix: str,
    *,
    title: str = "",
    author: str = "",
    date: str = "",
    publisher: str = "",
    url: str = "",
) -> Document:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    text = path.read_text(encoding="utf-8")
    return Document(
        id=path.name,
        path=path,
        text=text,
        title=title,
        author=author,
        date=date,
        publisher=publisher,
        url=url,
    )


def nk_news(**overrides: str) -> Document:
    meta = dict(
        title=NK_TITLE, author="Jin Ju-dong", date="2024-01-17", publisher="NK News", url=NK_URL
    )
    meta.update(overrides)
    return seed("002", **meta)


def minders(**overrides: str) -> Document:
    meta = dict(title=OFK_TITLE, publisher="One Free Korea", url=OFK_URL)
    meta.update(overrides)
    return seed("003", **meta)


def wikipedia() -> Document:
    return seed("000", title="Jang Jin-sung", publisher="Wikipedia", date="2019-11")


def kinoshita() -> Document:
    return seed(
        "001",
        title="Growing Anti-Kim Jong-un Sentiment in the North",
        author="Kimikatsu Kinoshita",
        date="2021",
        publisher="Japan Forward",
        url="https://example.org/growing",
    )


def cite_sentence(doc: Document, needle: str) -> Citation:
    start, end = sentence_span(doc, doc.text.index(needle))
    return make_citation(doc, start, end, accessed=ACCESSED)


def assert_clean(out: str) -> None:
    for bad in ("None", "“”", '""', ", ,", "  ", " ,", " .", ",.", "..", "()"):
        assert bad not in out, f"{bad!r} in {out!r}"


# --------------------------------------------------------------------------- #
# 002: author, date, publisher, URL
# --------------------------------------------------------------------------- #

ROUNDWORM = (
    "The reproductive organs of a roundworm make up 80% of its body and the remaining 20% "
    "comprises its brain and digestive organs."
)


@pytest.fixture
def roundworm() -> Citation:
    return cite_sentence(nk_news(), "The reproductive organs")


def test_make_citation_fields(roundworm: Citation) -> None:
    assert roundworm == Citation(
        doc_id="002_9616d0e211098658.txt",
        quote=ROUNDWORM,
        title=NK_TITLE,
        authors=("Jin Ju-dong",),
        publisher="NK News",
        date="2024-01-17",
        url=NK_URL,
        accessed=ACCESSED,
        paragraph=11,
        line=21,
    )


def test_chicago_full(roundworm: Citation) -> None:
    assert format_citation(roundworm, "chicago") == (
        "“The reproductive organs of a roundworm make up 80% of its body and the remaining 20% "
        "comprises its brain and digestive organs.” Jin Ju-dong, “Ask A North Korean: Why a DPRK "
        "laborer in Russia decided to defect,” NK News, January 17, 2024, ¶ 11, accessed May 5, "
        "2025, https://www.nknews.org/2024/01/ask-a-north-korean-why-a-dprk-laborer-in-russia-"
        "decided-to-defect/."
    )


def test_chicago_is_the_default(roundworm: Citation) -> None:
    assert DEFAULT_STYLE == "chicago"
    assert format_citation(roundworm) == format_citation(roundworm, "chicago")


def test_apa_full(roundworm: Citation) -> None:
    # Korean name kept surname first, as written; APA's element period follows it.
    assert format_citation(roundworm, "apa") == (
        "“The reproductive organs of a roundworm make up 80% of its body and the remaining 20% "
        "comprises its brain and digestive organs.” (para. 11) Jin, J.-D. (2024, January 17). "
        "Ask A North Korean: Why a DPRK laborer in Russia decided to defect. NK News. "
        "https://www.nknews.org/2024/01/ask-a-north-korean-why-a-dprk-laborer-in-russia-"
        "decided-to-defect/"
    )


def test_mla_full(roundworm: Citation) -> None:
    assert format_citation(roundworm, "mla") == (
        "“The reproductive organs of a roundworm make up 80% of its body and the remaining 20% "
        "comprises its brain and digestive organs.” (par. 11) Jin Ju-dong. “Ask A North Korean: "
        "Why a DPRK laborer in Russia decided to defect.” NK News, 17 Jan. 2024, "
        "https://www.nknews.org/2024/01/ask-a-north-korean-why-a-dprk-laborer-in-russia-"
        "decided-to-defect/. Accessed 5 May 2025."
    )


def test_markdown_full(roundworm: Citation) -> None:
    assert format_citation(roundworm, "markdown") == (
        "> The reproductive organs of a roundworm make up 80% of its body and the remaining 20% "
        "comprises its brain and digestive organs.\n"
        "\n"
        "— Jin Ju-dong, [Ask A North Korean: Why a DPRK laborer in Russia decided to defect]"
        "(https://www.nknews.org/2024/01/ask-a-north-korean-why-a-dprk-laborer-in-russia-"
        "decided-to-defect/), NK News, January 17, 2024, ¶ 11"
    )


def test_bibtex_full(roundworm: Citation) -> None:
    assert format_citation(roundworm, "bibtex") == (
        "@online{jin2024ask,\n"
        "\tauthor = {Jin, Ju-dong},\n"
        "\ttitle = {Ask A North Korean: Why a DPRK laborer in Russia decided to defect},\n"
        "\torganization = {NK News},\n"
        "\tdate = {2024-01-17},\n"
        "\turl = {https://www.nknews.org/2024/01/ask-a-north-korean-why-a-dprk-laborer-in-russia-"
        "decided-to-defect/},\n"
        "\turldate = {2025-05-05},\n"
        "\tnote = {para. 11},\n"
        "\tannotation = {The reproductive organs of a roundworm make up 80\\% of its body and the "
        "remaining 20\\% comprises its brain and digestive organs.}\n"
        "}"
    )


def test_csl_json_full(roundworm: Citation) -> None:
    out = format_citation(roundworm, "csl-json")
    assert json.loads(out) == [
        {
            "id": "jin2024ask",
            "type": "article-newspaper",
            "title": "Ask A North Korean: Why a DPRK laborer in Russia decided to defect",
            "author": [{"family": "Jin", "given": "Ju-dong"}],
            "container-title": "NK News",
            "issued": {"date-parts": [[2024, 1, 17]]},
            "URL": NK_URL,
            "accessed": {"date-parts": [[2025, 5, 5]]},
            "locator": "11",
            "label": "paragraph",
            "note": "“" + ROUNDWORM + "”",
        }
    ]
    assert out.startswith("[\n\t{\n\t\t\"id\": \"jin2024ask\",\n")
    assert "80% of its body" in out  # real characters, not \u escapes


def test_manifest_metadata_without_url() -> None:
    # 002 exactly as seeds/manifest.toml describes it: no URL, so no access date.
    c = cite_sentence(nk_news(url=""), "The reproductive organs")
    assert format_citation(c, "chicago") == (
        f"“{ROUNDWORM}” Jin Ju-dong, “Ask A North Korean: Why a DPRK laborer in Russia decided "
        "to defect,” NK News, January 17, 2024, ¶ 11."
    )
    assert format_citation(c, "apa") == (
        f"“{ROUNDWORM}” (para. 11) Jin, J.-D. (2024, January 17). Ask A North Korean: Why a "
        "DPRK laborer in Russia decided to defect. NK News."
    )
    assert format_citation(c, "mla") == (
        f"“{ROUNDWORM}” (par. 11) Jin Ju-dong. “Ask A North Korean: Why a DPRK laborer in Russia "
        "decided to defect.” NK News, 17 Jan. 2024."
    )
    assert format_citation(c, "markdown") == (
        f"> {ROUNDWORM}\n\n— Jin Ju-dong, “Ask A North Korean: Why a DPRK laborer in Russia "
        "decided to defect”, NK News, January 17, 2024, ¶ 11"
    )
    bibtex = format_citation(c, "bibtex")
    assert "url" not in bibtex and "urldate" not in bibtex
    (item,) = json.loads(format_citation(c, "csl-json"))
    assert "URL" not in item and "accessed" not in item


# --------------------------------------------------------------------------- #
# 003: no author, no date (URL and publisher present)
# --------------------------------------------------------------------------- #

ST_PETERSBURG = (
    "In yesterday’s post, I wrote about only the second group defection of North Korean overseas "
    "workers of which I’m aware — of a group of North Korean construction workers in St. "
    "Petersburg, Russia."
)


@pytest.fixture
def petersburg() -> Citation:
    return cite_sentence(minders(), "St. Petersburg")


def test_no_author_no_date_fields(petersburg: Citation) -> None:
    # "In\xa0yesterday’s" in the seed: the NBSP is tidied to a plain space.
    assert petersburg.quote == ST_PETERSBURG
    assert (petersburg.authors, petersburg.date, petersburg.paragraph, petersburg.line) == (
        (),
        "",
        2,
        3,
    )


def test_no_author_no_date_chicago(petersburg: Citation) -> None:
    assert format_citation(petersburg, "chicago") == (
        f"“{ST_PETERSBURG}” “North Korea needs more minders for its minders, to stop them from "
        "defecting,” One Free Korea, ¶ 2, accessed May 5, 2025, "
        "https://freekorea.us/2016/04/minders-for-minders/."
    )


def test_no_author_no_date_apa(petersburg: Citation) -> None:
    # APA: the title takes the author's place, (n.d.), and a retrieval date.
    assert format_citation(petersburg, "apa") == (
        f"“{ST_PETERSBURG}” (para. 2) North Korea needs more minders for its minders, to stop "
        "them from defecting. (n.d.). One Free Korea. Retrieved May 5, 2025, from "
        "https://freekorea.us/2016/04/minders-for-minders/"
    )


def test_no_author_no_date_mla(petersburg: Citation) -> None:
    assert format_citation(petersburg, "mla") == (
        f"“{ST_PETERSBURG}” (par. 2) “North Korea needs more minders for its minders, to stop "
        "them from defecting.” One Free Korea, https://freekorea.us/2016/04/minders-for-minders/. "
        "Accessed 5 May 2025."
    )


def test_no_author_no_date_markdown(petersburg: Citation) -> None:
    assert format_citation(petersburg, "markdown") == (
        f"> {ST_PETERSBURG}\n\n"
        "— [North Korea needs more minders for its minders, to stop them from defecting]"
        "(https://freekorea.us/2016/04/minders-for-minders/), One Free Korea, ¶ 2"
    )


def test_no_author_no_date_bibtex(petersburg: Citation) -> None:
    assert format_citation(petersburg, "bibtex") == (
        "@online{onenorth,\n"
        "\ttitle = {North Korea needs more minders for its minders, to stop them from defecting},\n"
        "\torganization = {One Free Korea},\n"
        "\turl = {https://freekorea.us/2016/04/minders-for-minders/},\n"
        "\turldate = {2025-05-05},\n"
        "\tnote = {para. 2},\n"
        f"\tannotation = {{{ST_PETERSBURG}}}\n"
        "}"
    )


def test_no_author_no_date_csl(petersburg: Citation) -> None:
    (item,) = json.loads(format_citation(petersburg, "csl"))
    assert item == {
        "id": "onenorth",
        "type": "webpage",  # a blog, not a newspaper
        "title": OFK_TITLE,
        "container-title": "One Free Korea",
        "URL": OFK_URL,
        "accessed": {"date-parts": [[2025, 5, 5]]},
        "locator": "2",
        "label": "paragraph",
        "note": f"“{ST_PETERSBURG}”",
    }


# --------------------------------------------------------------------------- #
# 000: no URL, no author, a year-month date
# --------------------------------------------------------------------------- #

PSEUDONYM = (
    "Jang Jin-sung (Korean: 장진성; born c. 1970–1971) is the pseudonym[1] of a North Korean poet "
    "and government official who defected to South Korea."
)


@pytest.fixture
def pseudonym() -> Citation:
    return cite_sentence(wikipedia(), "pseudonym[1]")


def test_no_url_span_and_locator(pseudonym: Citation) -> None:
    # "c. 1970" does not end the sentence; "[1]" does not either.
    assert (pseudonym.quote, pseudonym.paragraph, pseudonym.line) == (PSEUDONYM, 3, 13)


def test_no_url_chicago(pseudonym: Citation) -> None:
    assert format_citation(pseudonym, "chicago") == (
        f"“{PSEUDONYM}” “Jang Jin-sung,” Wikipedia, November 2019, ¶ 3."
    )


def test_no_url_apa(pseudonym: Citation) -> None:
    assert format_citation(pseudonym, "apa") == (
        f"“{PSEUDONYM}” (para. 3) Jang Jin-sung. (2019, November). Wikipedia."
    )


def test_no_url_mla(pseudonym: Citation) -> None:
    assert format_citation(pseudonym, "mla") == (
        f"“{PSEUDONYM}” (par. 3) “Jang Jin-sung.” Wikipedia, Nov. 2019."
    )


def test_no_url_markdown(pseudonym: Citation) -> None:
    # No link: the title is quoted, so it cannot be mistaken for an author.
    escaped = PSEUDONYM.replace("[", "\\[").replace("]", "\\]")  # "[1]" is not a link
    assert format_citation(pseudonym, "markdown") == (
        f"> {escaped}\n\n— “Jang Jin-sung”, Wikipedia, November 2019, ¶ 3"
    )


def test_markdown_quote_is_read_as_its_words() -> None:
    from xref.cite import _markdown_literal

    assert _markdown_literal("Second <para> *stars* and_under_ [x](y) a\\b") == (
        "Second \\<para\\> \\*stars\\* and\\_under\\_ \\[x\\](y) a\\\\b"
    )
    assert _markdown_literal("1. ^ a reference") == "1\\. ^ a reference"
    assert _markdown_literal("# Not a heading") == "\\# Not a heading"
    assert _markdown_literal("- an item, 3.5 words") == "\\- an item, 3.5 words"


def test_no_url_bibtex(pseudonym: Citation) -> None:
    assert format_citation(pseudonym, "bibtex") == (
        "@online{wikipedia2019jang,\n"
        "\ttitle = {Jang Jin-sung},\n"
        "\torganization = {Wikipedia},\n"
        "\tdate = {2019-11},\n"
        "\tnote = {para. 3},\n"
        f"\tannotation = {{{PSEUDONYM}}}\n"
        "}"
    )


def test_no_url_csl(pseudonym: Citation) -> None:
    (item,) = json.loads(format_citation(pseudonym, "csl-json"))
    assert item == {
        "id": "wikipedia2019jang",
        "type": "webpage",
        "title": "Jang Jin-sung",
        "container-title": "Wikipedia",
        "issued": {"date-parts": [[2019, 11]]},
        "locator": "3",
        "label": "paragraph",
        "note": f"“{PSEUDONYM}”",
    }


# --------------------------------------------------------------------------- #
# 001: a Western author name, a year-only date
# --------------------------------------------------------------------------- #

US_SENTENCE = (
    "North Korea is often considered as a country isolated from the rest of the world, but while "
    "it does not have diplomatic relations with Japan or the U.S., it does with over 150 "
    "countries in the world."
)


@pytest.fixture
def us() -> Citation:
    return cite_sentence(kinoshita(), "the U.S., it does")


def test_western_author_chicago(us: Citation) -> None:
    assert format_citation(us, "chicago") == (
        f"“{US_SENTENCE}” Kimikatsu Kinoshita, “Growing Anti-Kim Jong-un Sentiment in the "
        "North,” Japan Forward, 2021, ¶ 46, accessed May 5, 2025, https://example.org/growing."
    )


def test_western_author_apa(us: Citation) -> None:
    assert format_citation(us, "apa") == (
        f"“{US_SENTENCE}” (para. 46) Kinoshita, K. (2021). Growing Anti-Kim Jong-un Sentiment in "
        "the North. Japan Forward. https://example.org/growing"
    )


def test_western_author_mla(us: Citation) -> None:
    assert format_citation(us, "mla") == (
        f"“{US_SENTENCE}” (par. 46) Kinoshita, Kimikatsu. “Growing Anti-Kim Jong-un Sentiment in "
        "the North.” Japan Forward, 2021, https://example.org/growing. Accessed 5 May 2025."
    )


def test_western_author_bibtex_key_and_name(us: Citation) -> None:
    out = format_citation(us, "bib")
    assert out.startswith("@online{kinoshita2021growing,\n\tauthor = {Kinoshita, Kimikatsu},\n")
    assert "\tdate = {2021},\n" in out


def test_western_author_csl(us: Citation) -> None:
    (item,) = json.loads(format_citation(us, "json"))
    assert item["author"] == [{"family": "Kinoshita", "given": "Kimikatsu"}]
    assert item["issued"] == {"date-parts": [[2021]]}
    assert item["type"] == "webpage"


# --------------------------------------------------------------------------- #
# Dates, authors, locators, escaping
# --------------------------------------------------------------------------- #


def bare(**fields: object) -> Citation:
    base: dict[str, object] = dict(
        doc_id="x.txt",
        quote="Text.",
        title="Title",
        authors=(),
        publisher="",
        date="",
        url="",
        accessed=ACCESSED,
        paragraph=4,
        line=9,
    )
    base.update(fields)
    return Citation(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "chicago", "apa", "mla", "bib", "csl"),
    [
        ("2024-01-17", "January 17, 2024", "(2024, January 17).", "17 Jan. 2024", "2024-01-17", {"date-parts": [[2024, 1, 17]]}),
        ("2024-09", "September 2024", "(2024, September).", "Sept. 2024", "2024-09", {"date-parts": [[2024, 9]]}),
        ("2024", "2024", "(2024).", "2024", "2024", {"date-parts": [[2024]]}),
        ("January 17, 2024", "January 17, 2024", "(2024, January 17).", "17 Jan. 2024", "2024-01-17", {"date-parts": [[2024, 1, 17]]}),
        ("17 June 2021", "June 17, 2021", "(2021, June 17).", "17 June 2021", "2021-06-17", {"date-parts": [[2021, 6, 17]]}),
        ("Spring 2019", "Spring 2019", "(Spring 2019).", "Spring 2019", None, {"raw": "Spring 2019"}),
        ("2024-02-30", "2024-02-30", "(2024-02-30).", "2024-02-30", None, {"raw": "2024-02-30"}),
    ],
)
def test_date_forms(
    raw: str, chicago: str, apa: str, mla: str, bib: str | None, csl: dict[str, object]
) -> None:
    c = bare(date=raw, publisher="Site")
    assert format_citation(c, "chicago") == f"“Text.” “Title,” Site, {chicago}, ¶ 4."
    assert format_citation(c, "apa") == f"“Text.” (para. 4) Title. {apa} Site."
    assert format_citation(c, "mla") == f"“Text.” (par. 4) “Title.” Site, {mla}."
    bibtex = format_citation(c, "bibtex")
    if bib is None:  # free text is not a biblatex date: it goes to the note
        assert "\tdate" not in bibtex
        assert f"\tnote = {{para. 4; {raw}}}" in bibtex
    else:
        assert f"\tdate = {{{bib}}},\n" in bibtex
    assert json.loads(format_citation(c, "csl-json"))[0]["issued"] == csl


def test_line_locator_when_paragraph_unknown() -> None:
    c = bare(paragraph=None, line=12, publisher="Site")
    assert format_citation(c, "chicago") == "“Text.” “Title,” Site, line 12."
    assert format_citation(c, "apa") == "“Text.” (line 12) Title. (n.d.). Site."
    assert format_citation(c, "mla") == "“Text.” (line 12) “Title.” Site."
    assert format_citation(c, "markdown") == "> Text.\n\n— “Title”, Site, line 12"
    assert "\tnote = {line 12}" in format_citation(c, "bibtex")
    item = json.loads(format_citation(c, "csl-json"))[0]
    assert (item["locator"], item["label"]) == ("12", "line")


def test_a_quote_over_several_paragraphs_cites_the_range() -> None:
    doc = wikipedia()
    start = doc.text.index("South Korea")  # "ResidenceSouth Korea", in the infobox
    end = doc.text.index("favored propaganda poets") + len("favored propaganda poets")
    c = make_citation(doc, start, end, accessed=ACCESSED)
    assert (c.paragraph, c.last_paragraph, c.paragraphs) == (2, 4, (2, 4))
    quote = "“South Korea OccupationPoet,"
    assert format_citation(c, "chicago").startswith(quote)
    assert format_citation(c, "chicago").endswith("” “Jang Jin-sung,” Wikipedia, November 2019, ¶¶ 2–4.")
    assert "poets” (paras. 2–4) Jang Jin-sung. (2019, November). Wikipedia." in format_citation(c, "apa")
    assert "poets” (pars. 2–4) “Jang Jin-sung.” Wikipedia, Nov. 2019." in format_citation(c, "mla")
    assert format_citation(c, "markdown").endswith("\n\n— “Jang Jin-sung”, Wikipedia, November 2019, ¶¶ 2–4")
    assert "\tnote = {paras. 2--4},\n" in format_citation(c, "bibtex")
    item = json.loads(format_citation(c, "csl-json"))[0]
    assert (item["locator"], item["label"]) == ("2-4", "paragraph")

    # One paragraph stays singular, even when the span takes in the blank lines around it.
    p_start, p_end = paragraph_span(doc, end)
    one = make_citation(doc, p_start - 2, p_end + 2, accessed=ACCESSED)
    assert (one.paragraph, one.last_paragraph, one.paragraphs) == (4, None, (4, 4))
    assert format_citation(one, "chicago").endswith(", ¶ 4.")
    assert "\tnote = {para. 4},\n" in format_citation(one, "bibtex")
    assert json.loads(format_citation(one, "csl-json"))[0]["locator"] == "4"


MARKDOWN = """# Kim's *history*

Kim Il-sung founded **North Korea**. See [the *DPRK* page](https://x.org/a_b "DPRK"), `code_x` and [a
reference][r]; snake_case_names, 2 * 3 and \\*stars\\* stay.

> - quoted *item*
> - and __another__

[r]: https://example.org/r
"""


def markdown_doc(kind: str = "md") -> Document:
    return Document(id=f"k.{kind}", path=Path(f"k.{kind}"), text=MARKDOWN, kind=kind, title="Kim")


def test_a_markdown_quote_is_its_plain_text() -> None:
    doc = markdown_doc()
    layout = doc.layout
    quotes = [make_citation(doc, *layout.paragraph_span(p), accessed=ACCESSED) for p in (1, 2, 3)]
    assert [c.quote for c in quotes] == [
        "Kim's history",
        "Kim Il-sung founded North Korea. See the DPRK page, code_x and a reference; "
        "snake_case_names, 2 * 3 and *stars* stay.",
        "quoted item and another",
    ]
    # Only the quoted text changes: where it is, and the rest of the citation, do not.
    assert [(c.paragraph, c.line) for c in quotes] == [(1, 1), (2, 3), (3, 6)]
    assert format_citation(quotes[0], "chicago") == "“Kim's history” “Kim,” ¶ 1."
    assert "\tannotation = {quoted item and another}" in format_citation(quotes[2], "bibtex")

    # A span that cuts into the markup keeps the words it takes in.
    start = doc.text.index("North Korea**")
    end = doc.text.index("DPRK* page") + len("DPRK* pa")
    cut = make_citation(doc, start, end, accessed=ACCESSED)
    assert cut.quote == "North Korea. See the DPRK pa"
    start = doc.text.index("de_x`")
    assert make_citation(doc, start, start + 5, accessed=ACCESSED).quote == "de_x"
    # A span of markup alone is quoted as it is, never as nothing.
    start = doc.text.index("**North")
    assert make_citation(doc, start, start + 2, accessed=ACCESSED).quote == "**"

    # Text and HTML documents are quoted exactly.
    txt = markdown_doc("txt")
    assert make_citation(txt, *txt.layout.paragraph_span(1), accessed=ACCESSED).quote == "# Kim's *history*"


def test_nothing_but_a_quote() -> None:
    c = bare(title="", paragraph=None, line=None)
    assert format_citation(c, "chicago") == "“Text.”"
    assert format_citation(c, "apa") == "“Text.”"
    assert format_citation(c, "mla") == "“Text.”"
    assert format_citation(c, "markdown") == "> Text."
    assert format_citation(c, "bibtex") == "@online{xtxt,\n\tannotation = {Text.}\n}"
    assert json.loads(format_citation(c, "csl")) == [{"id": "xtxt", "type": "webpage", "note": "“Text.”"}]


def test_empty_quote_gives_no_empty_quotation_marks() -> None:
    doc = nk_news()
    c = make_citation(doc, 100, 100, accessed=ACCESSED)
    assert c.quote == ""
    for style in STYLES:
        out = format_citation(c, style)
        assert "“”" not in out and "annotation" not in out and '"note"' not in out
        assert_clean(out)
    assert format_citation(c, "chicago").startswith("Jin Ju-dong, “Ask A North Korean")


def test_question_mark_title_takes_no_extra_comma_or_period() -> None:
    c = bare(title="Why did you defect?", authors=("Jin Ju-dong",), publisher="NK News")
    assert format_citation(c, "chicago") == "“Text.” Jin Ju-dong, “Why did you defect?” NK News, ¶ 4."
    assert format_citation(c, "mla") == "“Text.” (par. 4) Jin Ju-dong. “Why did you defect?” NK News."
    assert format_citation(c, "apa") == "“Text.” (para. 4) Jin, J.-D. (n.d.). Why did you defect? NK News."


def test_title_ending_in_a_period_is_not_doubled() -> None:
    c = bare(title="Kim Jong Un visits Wonsan Inc.", paragraph=None, line=None)
    assert format_citation(c, "mla") == "“Text.” “Kim Jong Un visits Wonsan Inc.”"
    assert format_citation(c, "apa") == "“Text.” Kim Jong Un visits Wonsan Inc. (n.d.)."


@pytest.mark.parametrize("title", ["A sentence title.", "Kim waits…", "Kim waits..."])
def test_title_ending_in_a_period_or_ellipsis_takes_no_comma(title: str) -> None:
    # Like ? and !: the title's own end stands for the comma or period after it.
    c = bare(title=title, publisher="Site")
    assert format_citation(c, "chicago") == f"“Text.” “{title}” Site, ¶ 4."
    assert format_citation(c, "mla") == f"“Text.” (par. 4) “{title}” Site."
    assert format_citation(c, "apa") == f"“Text.” (para. 4) {title} (n.d.). Site."
    last = bare(title=title, paragraph=None, line=None)  # the title ends the note
    assert format_citation(last, "chicago") == f"“Text.” “{title}”"


def test_title_with_inner_quotes_uses_single_quotes() -> None:
    c = bare(title="What “Ask a North Korean” taught us")
    assert format_citation(c, "chicago") == "“Text.” “What ‘Ask a North Korean’ taught us,” ¶ 4."


def test_double_quotes_in_a_quotation_become_single() -> None:
    doc = kinoshita()
    start, end = paragraph_span(doc, doc.text.index("It read, “Remove"))
    c = make_citation(doc, start, end, accessed=ACCESSED)
    # The banner's first quotation is closed with a “ in the document: it still closes.
    inside = (
        "It read, ‘Remove Kim Jong-un and become the next An Jung-geun (the young assassin of Ito "
        "Hirobumi) !’ ‘South Korea is the world’s tenth largest economy, yet we are the poorest "
        "country in the world! What is the cause?’ in broad letters.”"
    )
    for style in ("chicago", "apa", "mla"):
        out = format_citation(c, style)
        assert out.startswith("“In early 2021, near Kim Il-sung Square")
        assert inside in out, style
    # A blockquote and the data formats keep the text as it is.
    assert "It read, “Remove Kim Jong-un" in format_citation(c, "markdown")
    assert "Hirobumi) !“ “South Korea" in format_citation(c, "bibtex")
    assert json.loads(format_citation(c, "csl-json"))[0]["note"] == f"“{c.quote}”"

    # Straight quotes too, opening after a space or bracket and closing before one.
    text = 'Poetry collection "I Am Selling My Daughter" ("내 딸을"), and "he said "yes"" twice.'
    straight = dataclasses.replace(c, quote=text)
    assert format_citation(straight, "chicago").startswith(
        "“Poetry collection ‘I Am Selling My Daughter’ (‘내 딸을’), and ‘he said ‘yes’’ twice.” "
    )


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("Jin Ju-dong", ("Jin Ju-dong",)),
        ("By Jin Ju-dong", ("Jin Ju-dong",)),
        ("Jang Jin-sung and Kimikatsu Kinoshita", ("Jang Jin-sung", "Kimikatsu Kinoshita")),
        ("Kinoshita, Kimikatsu", ("Kinoshita, Kimikatsu",)),
        ("Smith, John; Doe, Jane", ("Smith, John", "Doe, Jane")),
        ("Alice Smith, Bob Jones, and Carol White", ("Alice Smith", "Bob Jones", "Carol White")),
        ("Chad O'Carroll & Jeongmin Kim", ("Chad O'Carroll", "Jeongmin Kim")),
        ("John Smith, Jr.", ("John Smith, Jr.",)),
        ("Committee for Human Rights and Democracy", ("Committee for Human Rights and Democracy",)),
        ("Jin Ju-dong and Daily NK Staff", ("Jin Ju-dong", "Daily NK Staff")),
        ("", ()),
    ],
)
def test_split_authors(byline: str, authors: tuple[str, ...]) -> None:
    assert split_authors(byline) == authors


def test_author_lists_per_style() -> None:
    c = bare(
        authors=("Jang Jin-sung", "Kimikatsu Kinoshita", "Chad O'Carroll"),
        title="T",
        date="2020",
        paragraph=2,
    )
    assert format_citation(c, "chicago") == (
        "“Text.” Jang Jin-sung, Kimikatsu Kinoshita, and Chad O'Carroll, “T,” 2020, ¶ 2."
    )
    assert format_citation(c, "apa") == (
        "“Text.” (para. 2) Jang, J.-S., Kinoshita, K., & O'Carroll, C. (2020). T."
    )
    assert format_citation(c, "mla") == "“Text.” (par. 2) Jang Jin-sung, et al. “T.” 2020."
    two = bare(authors=("Kimikatsu Kinoshita", "Jin Ju-dong"), title="T", paragraph=2)
    assert format_citation(two, "mla") == (
        "“Text.” (par. 2) Kinoshita, Kimikatsu, and Jin Ju-dong. “T.”"
    )
    assert format_citation(two, "markdown") == "> Text.\n\n— Kimikatsu Kinoshita and Jin Ju-dong, “T”, ¶ 2"
    assert "\tauthor = {Kinoshita, Kimikatsu and Jin, Ju-dong},\n" in format_citation(two, "bibtex")
    assert json.loads(format_citation(two, "csl"))[0]["author"] == [
        {"family": "Kinoshita", "given": "Kimikatsu"},
        {"family": "Jin", "given": "Ju-dong"},
    ]


def test_korean_and_western_names() -> None:
    # A Korean surname alone does not decide: "Suki Kim" is given-name first,
    # "Lee Smith" has no Korean given name; "Kim Jong Un" is surname first.
    c = bare(authors=("Suki Kim",), title="T", paragraph=None, line=None)
    assert format_citation(c, "apa") == "“Text.” Kim, S. (n.d.). T."
    c = bare(authors=("Lee Smith",), title="T", paragraph=None, line=None)
    assert format_citation(c, "mla") == "“Text.” Smith, Lee. “T.”"
    c = bare(authors=("Kim Jong Un",), title="T", paragraph=None, line=None)
    assert format_citation(c, "mla") == "“Text.” Kim Jong Un. “T.”"
    assert json.loads(format_citation(c, "csl"))[0]["author"] == [{"family": "Kim", "given": "Jong Un"}]
    c = bare(authors=("Daily NK Staff",), title="T", paragraph=None, line=None)
    assert json.loads(format_citation(c, "csl"))[0]["author"] == [{"literal": "Daily NK Staff"}]
    assert "\tauthor = {{Daily NK Staff}},\n" in format_citation(c, "bibtex")


def test_bibtex_escaping() -> None:
    c = bare(
        title="R&D {budget}: 50% of #1_item \\ cost",
        authors=("Jin Ju-dong",),
        publisher="A & B",
        date="2024",
        quote="Pay $5 ~ 10^2 & more {now}",
        url="https://example.org/a_b?x=1&y=%20#top",
    )
    out = format_citation(c, "bibtex")
    assert out == (
        "@online{jin2024rd,\n"
        "\tauthor = {Jin, Ju-dong},\n"
        "\ttitle = {R\\&D \\{budget\\}: 50\\% of \\#1\\_item \\textbackslash{} cost},\n"
        "\torganization = {A \\& B},\n"
        "\tdate = {2024},\n"
        "\turl = {https://example.org/a_b?x=1&y=%20#top},\n"
        "\turldate = {2025-05-05},\n"
        "\tnote = {para. 4},\n"
        "\tannotation = {Pay \\$5 \\textasciitilde{} 10\\textasciicircum{}2 \\& more \\{now\\}}\n"
        "}"
    )
    # every field's braces balance
    depth = 0
    for ch in out.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0


def test_bibtex_key_is_ascii() -> None:
    c = bare(authors=("Chang Chinsŏng",), date="2014", title="Ŏrŭm and ice")
    assert format_citation(c, "bibtex").startswith("@online{chang2014orum,\n")


def test_csl_json_is_valid_with_awkward_text() -> None:
    c = bare(quote='He said "no" \\ then left', title='A "quoted" title')
    (item,) = json.loads(format_citation(c, "csl-json"))
    assert item["note"] == '“He said "no" \\ then left”'
    assert item["title"] == 'A "quoted" title'


def test_markdown_escapes_link_text_and_url() -> None:
    c = bare(title="Notes [draft]", url="https://example.org/a b(c)", paragraph=1)
    assert format_citation(c, "markdown") == (
        "> Text.\n\n— [Notes \\[draft\\]](https://example.org/a%20b%28c%29), ¶ 1"
    )


# --------------------------------------------------------------------------- #
# Styles by name
# --------------------------------------------------------------------------- #


def test_styles_and_labels() -> None:
    assert STYLES == ("chicago", "apa", "mla", "markdown", "bibtex", "csl-json")
    assert set(STYLE_LABELS) == set(STYLES)
    assert all(STYLE_LABELS.values())


@pytest.mark.parametrize(
    ("name", "style"),
    [
        ("chicago", "chicago"),
        ("Chicago", "chicago"),
        ("plain", "chicago"),
        ("APA", "apa"),
        (" mla ", "mla"),
        ("md", "markdown"),
        ("bib", "bibtex"),
        ("BibTeX", "bibtex"),
        ("csl", "csl-json"),
        ("json", "csl-json"),
        ("CSL_JSON", "csl-json"),
    ],
)
def test_parse_style(name: str, style: str) -> None:
    assert parse_style(name) == style


def test_parse_style_unknown_lists_valid_names() -> None:
    with pytest.raises(ValueError) as err:
        parse_style("harvard")
    message = str(err.value)
    assert "harvard" in message
    for style in STYLES:
        assert style in message
    with pytest.raises(ValueError):
        format_citation(bare(), "harvard")


# --------------------------------------------------------------------------- #
# Spans
# --------------------------------------------------------------------------- #


def span_text(doc: Document, needle: str, *, span=sentence_span) -> str:  # type: ignore[no-untyped-def]
    start, end = span(doc, doc.text.index(needle))
    return doc.text[start:end]


def test_sentence_with_st_petersburg() -> None:
    doc = minders()
    # From the middle, the start and the final period: always the whole sentence.
    expected = ST_PETERSBURG.replace("In yesterday", "In\xa0yesterday")
    assert span_text(doc, "Petersburg") == expected
    assert span_text(doc, "In\xa0yesterday") == expected
    assert span_text(doc, "Russia. I also") == expected
    assert span_text(doc, "I also took note") == (
        "I also took note of the defection of a young translator from the North Korean embassy in "
        "Beijing, who had been detailed to the State Security Department, translating for the "
        "minders who do inspections of the North Korean workers elsewhere in China."
    )


def test_sentence_with_number_abbreviation_and_bracket() -> None:
    doc = minders()
    assert span_text(doc, "No. 2") == (
        "Increasing lack of faith in the North Korean leader among the Pyongyang security "
        "officials is surprising, given that the state security agency’s chief, Kim Won Hong, is "
        "believed to be the unofficial No. 2 in political power in North Korea, according to "
        "Yonhap."
    )
    # A whole sentence in parentheses is one sentence; "(gasp!)" mid-sentence is not an end.
    assert " ".join(span_text(doc, "That would be").split()) == (
        "(That would be in addition to the colonel who defected from the Reconnaissance General "
        "Bureau, also last year.)"
    )
    assert span_text(doc, "(gasp!)").startswith("Although the Joongang Ilbo initially reported")
    assert span_text(doc, "(gasp!)").endswith("in the process of being investigated.”")


def test_sentence_with_us() -> None:
    doc = nk_news()
    assert span_text(doc, "the U.S. and South Korea") == (
        "I wanted to know more about the U.S. and South Korea."
    )
    assert span_text(doc, "South Korea and the U.S., but") == (
        "The Kim family has always liked to remind people that our poverty and suffering were due "
        "to South Korea and the U.S., but I started not to believe those words."
    )
    doc1 = kinoshita()
    assert span_text(doc1, "the U.S., it does") == US_SENTENCE
    # a question inside a quotation does not cut the quotation in two
    assert span_text(doc1, "U.S. military") == (
        "Others read, “Why aren’t the U.S. troops coming to attack? U.S. military should be the "
        "emancipator, not the aggressor.”"
    )


def test_sentence_never_crosses_a_paragraph() -> None:
    doc = nk_news()
    # "By Jin Ju-dong" has no final period: the paragraph end closes it.
    assert span_text(doc, "By Jin") == "By Jin Ju-dong"
    assert span_text(doc, "January 17, 2024") == "January 17, 2024"
    # the last sentence of a paragraph with a trailing space
    assert span_text(doc, "this wish is what brought") == (
        "It is my wish that this twisted evolution will stop as soon as possible, and this wish "
        "is what brought me to write this piece."
    )


def test_sentence_in_a_paragraph_of_megabytes() -> None:
    # A file without blank lines is one paragraph; its sentences are found near
    # the offset (each period used to copy the rest of the paragraph: minutes).
    line = "Kim Jong-un met Mr. Smith in the U.S. on Jan. 5 and said “Why? Now.” He left. "
    text = "".join(line + ("\n" if i % 3 == 0 else "") for i in range(40_000))
    doc = Document(id="big", path=Path("big.txt"), text=text)
    assert doc.layout.paragraph_count == 1
    for offset in (3, len(text) // 2, len(text) - 5):
        s, e = sentence_span(doc, offset)
        assert s <= offset <= e or text[e:offset].isspace()
        assert text[s:e] in (line.split(" He")[0], "He left."), text[s:e]


def test_a_straight_quoted_passage_is_not_split() -> None:
    text = 'He said "We will win. They will lose." and left. A "quoted" word. Then more.'
    doc = Document(id="q", path=Path("q.txt"), text=text)
    assert text[slice(*sentence_span(doc, 3))] == 'He said "We will win. They will lose." and left.'
    assert text[slice(*sentence_span(doc, text.index("quoted")))] == 'A "quoted" word.'


def test_a_list_item_s_number_is_not_a_sentence() -> None:
    text = 'References\n\n  1. ^ "Jin-Seong, Jang". Southbank Centre. Retrieved 2014.\n  2. ^ "Jang". Retrieved.\n'
    doc = Document(id="refs", path=Path("refs.txt"), text=text)
    s, e = sentence_span(doc, text.index("1."))
    assert text[s:e] == '1. ^ "Jin-Seong, Jang".'  # the number belongs to the item's first sentence
    s, e = sentence_span(doc, text.index("2."))
    assert text[s:e] == '2. ^ "Jang".'


def test_sentence_in_blank_gap_and_ends() -> None:
    doc = nk_news()
    gap = doc.text.index("top of page") + len("top of page") + 1  # the blank line
    assert doc.text[slice(*sentence_span(doc, gap))] == "top of page"
    assert doc.text[slice(*sentence_span(doc, 0))] == "top of page"
    assert doc.text[slice(*sentence_span(doc, len(doc.text)))] == "bottom of page"
    empty = Document(id="e", path=Path("e"), text="")
    assert sentence_span(empty, 0) == (0, 0)
    assert paragraph_span(empty, 5) == (0, 0)


def test_sentence_with_title_and_initial() -> None:
    text = "Dr. Kim met Mr. J. Smith in Jan. 2020 at St. Mary's. They talked. Then he left!"
    doc = Document(id="t", path=Path("t"), text=text)
    assert doc.text[slice(*sentence_span(doc, 5))] == "Dr. Kim met Mr. J. Smith in Jan. 2020 at St. Mary's."
    assert doc.text[slice(*sentence_span(doc, text.index("talked")))] == "They talked."
    assert doc.text[slice(*sentence_span(doc, len(text) - 1))] == "Then he left!"


def test_sentence_with_wikipedia_references() -> None:
    doc = wikipedia()
    assert span_text(doc, "He had worked") == (
        "He had worked as a psychological warfare officer within the United Front Department of "
        "the Korean Workers' Party.[2][3][4]"
    )


def test_paragraph_span() -> None:
    doc = nk_news()
    start, end = paragraph_span(doc, doc.text.index("This is what I learned"))
    para = doc.text[start:end]
    assert para.startswith("This is what I learned")
    assert para.endswith("where only one aspect is excessively developed.")  # trailing space stripped
    assert paragraph_span(doc, doc.text.index("roundworms spring")) == (start, end)


# --------------------------------------------------------------------------- #
# find_quote
# --------------------------------------------------------------------------- #


def test_find_quote_exact() -> None:
    doc = nk_news()
    span = find_quote(doc, "roundworms spring to mind")
    assert span is not None
    assert doc.text[span[0] : span[1]] == "roundworms spring to mind"


def test_find_quote_across_paragraph_break() -> None:
    doc = nk_news()
    span = find_quote(doc, "both North and South Korea. In the DPRK, the government")
    assert span is not None
    assert doc.text[span[0] : span[1]] == "both North and South Korea.\n\nIn the DPRK, the government"
    c = make_citation(doc, *span, accessed=ACCESSED)
    assert c.quote == "both North and South Korea. In the DPRK, the government"
    assert (c.paragraph, c.line) == (14, 27)


def test_find_quote_across_hard_line_break() -> None:
    doc = Document(id="w", path=Path("w"), text="The defector said the\n   regime’s  agents\nwere “bouncing.”")
    span = find_quote(doc, "the regime's agents were \"bouncing.\"")
    assert span is not None
    assert doc.text[span[0] : span[1]] == "the\n   regime’s  agents\nwere “bouncing.”"
    assert make_citation(doc, *span).quote == "the regime’s agents were “bouncing.”"


def test_find_quote_curly_and_straight() -> None:
    doc = nk_news()
    # straight quotes typed for curly ones; NBSP + space in the document
    span = find_quote(doc, '"Ask a North Korean" is an NK News series')
    assert span is not None
    assert doc.text[span[0] : span[1]] == "“Ask a North Korean” is an NK News\xa0series"
    span = find_quote(doc, "Today's question is")
    assert span is not None and doc.text[span[0] : span[1]] == "Today’s question is"
    # and the other way round: curly typed, straight in the document
    doc2 = Document(id="s", path=Path("s"), text="It's the \"Kim regime\".")
    span = find_quote(doc2, "It’s the “Kim regime”")
    assert span is not None and doc2.text[span[0] : span[1]] == "It's the \"Kim regime\""


def test_find_quote_missing_and_empty() -> None:
    doc = nk_news()
    assert find_quote(doc, "not in this document at all") is None
    assert find_quote(doc, "   ") is None
    # case differences are the last resort
    span = find_quote(doc, "ROUNDWORMS SPRING")
    assert span is not None and doc.text[span[0] : span[1]] == "roundworms spring"


# --------------------------------------------------------------------------- #
# Invariants over the seeds
# --------------------------------------------------------------------------- #

METADATA: list[dict[str, str]] = [
    {},
    {"title": NK_TITLE},
    {"author": "Jin Ju-dong", "date": "2024-01-17", "publisher": "NK News", "url": NK_URL, "title": NK_TITLE},
    {"author": "Kimikatsu Kinoshita; Jang Jin-sung", "date": "Summer 2021"},
    {"publisher": "Wikipedia", "date": "2019"},
    {"url": OFK_URL},
]


FOLD_QUOTES = str.maketrans({q: "'" for q in '“”"‘’'})


@pytest.mark.parametrize("meta", METADATA, ids=range(len(METADATA)))
@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_no_output_is_ever_messy(prefix: str, meta: dict[str, str]) -> None:
    doc = seed(prefix, **meta)
    spans = [paragraph_span(doc, o) for o in range(0, len(doc.text), 997)]
    spans += [sentence_span(doc, o) for o in range(0, len(doc.text), 251)]
    spans += [(0, len(doc.text)), (0, 0)]
    for start, end in spans:
        c = make_citation(doc, start, end, accessed=ACCESSED)
        assert c.quote == " ".join(doc.text[start:end].split())
        neutral = dataclasses.replace(c, quote="Quote." if c.quote else "")
        for style in STYLES:
            assert_clean(format_citation(neutral, style))  # the reference part, strictly
            out = format_citation(c, style)
            for bad in ("“”", ", ,", "  "):
                assert bad not in out
            assert "None" not in out.replace("None of those", "")  # 003 says "None of those"
            if style == "csl-json":
                (item,) = json.loads(out)
                if c.quote:
                    assert item["note"] == f"“{c.quote}”"
            elif style == "markdown" and c.quote:
                # the exact (tidied) document text, once Markdown's escapes are read
                quote_line = out.split("\n\n")[0].removeprefix("> ")
                assert re.sub(r"\\(.)", r"\1", quote_line) == c.quote
            elif style != "bibtex" and c.quote:
                # the same, but for its double quotes, which turn single inside the outer ones
                quoted = out[1 : len(c.quote) + 1]
                assert out[0] == "“" and out[len(c.quote) + 1] == "”"
                assert quoted.translate(FOLD_QUOTES) == c.quote.translate(FOLD_QUOTES)
                assert not set(quoted) & set('“”"')


def test_accessed_defaults_to_today() -> None:
    c = make_citation(nk_news(), 0, 11)
    assert c.accessed == datetime.date.today()
    assert c.quote == "top of page"


def test_make_citation_span_checks() -> None:
    doc = nk_news()
    assert make_citation(doc, 11, 0, accessed=ACCESSED).quote == "top of page"
    with pytest.raises(ValueError):
        make_citation(doc, -1, 5)
    with pytest.raises(ValueError):
        make_citation(doc, 0, len(doc.text) + 1)
    # a selection starting on the blank line is numbered by its first word
    gap = doc.text.index("\n\nAsk A North")
    assert make_citation(doc, gap, gap + 10, accessed=ACCESSED).paragraph == 2


def test_cite_never_imports_textual() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'textual' or name.startswith('textual.'):\n"
        "            raise ImportError('textual is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import xref.cite\n"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
