"""xref.corpus: loading folders and files into Documents, never failing on bad input."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xref.corpus import (
    SUPPORTED,
    Corpus,
    LoadError,
    bundled_corpus_path,
    load_corpus,
    load_document,
)
from xref.model import Problem
from xref.sanitise import sanitise

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))


def problem_for(corpus: Corpus, doc_id: str) -> Problem:
    found = [p for p in corpus.problems if p.path == doc_id]
    assert found, f"no problem reported for {doc_id}: {corpus.problems}"
    return found[0]


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)
    return path


# --------------------------------------------------------------------------
# The bundled seeds


def test_bundled_corpus_path_is_the_seeds_folder() -> None:
    path = bundled_corpus_path()
    assert path.is_dir()
    assert sorted(p.name for p in path.glob("*.txt")) == SEED_FILES


def test_bundled_corpus_loads_four_documents_with_manifest_metadata() -> None:
    corpus = load_corpus()
    assert len(corpus) == 4
    assert corpus.problems == []
    assert corpus.skipped == []  # manifest.toml is not a document and not "skipped"
    assert [d.id for d in corpus] == SEED_FILES

    wiki = corpus.get("000_8bb9cf95c1906315.txt")
    assert wiki is not None
    assert wiki.title == "Jang Jin-sung"
    assert wiki.publisher == "Wikipedia"
    assert wiki.author == "" and wiki.url == "" and wiki.date == ""

    dailynk = corpus.get("001_e0b5316b38a22238.txt")
    assert dailynk is not None
    assert dailynk.title == "Growing Anti-Kim Jong-un Sentiment in the North"
    assert dailynk.author == "Kimikatsu Kinoshita"
    assert dailynk.url == ""

    nknews = corpus.get("002_9616d0e211098658.txt")
    assert nknews is not None
    assert nknews.title == "Ask A North Korean: Why a DPRK laborer in Russia decided to defect"
    assert nknews.author == "Jin Ju-dong"
    assert nknews.date == "2024-01-17"
    assert nknews.publisher == "NK News"
    assert nknews.url == ""

    blog = corpus.get("003_a5f15829ef3b7ede.txt")
    assert blog is not None
    assert blog.title == "North Korea needs more minders for its minders, to stop them from defecting"
    assert blog.author == ""

    assert corpus.get("nope.txt") is None


@pytest.mark.parametrize("name", SEED_FILES)
def test_seed_text_is_the_file_text(name: str) -> None:
    corpus = load_corpus([SEEDS])
    doc = corpus.get(name)
    assert doc is not None
    assert doc.text == (SEEDS / name).read_bytes().decode("utf-8")
    assert doc.kind == "txt"
    assert doc.path == SEEDS / name


def test_layout_numbers_for_known_offsets_in_a_seed() -> None:
    doc = load_corpus().get("002_9616d0e211098658.txt")
    assert doc is not None
    byline = doc.text.index("By Jin Ju-dong")
    # "top of page" / headline / standfirst / byline, one paragraph each, blank lines between.
    assert doc.layout.line_of(byline) == 7
    assert doc.layout.paragraph_of(byline) == 4
    dateline = doc.text.index("January 17, 2024")
    assert doc.layout.line_of(dateline) == 9
    assert doc.layout.paragraph_of(dateline) == 5
    start, end = doc.layout.line_span(9)
    assert doc.text[start:end] == "January 17, 2024"


def test_bylines_found_without_manifest(tmp_path: Path) -> None:
    for name in SEED_FILES:
        (tmp_path / name).write_bytes((SEEDS / name).read_bytes())
    corpus = load_corpus([tmp_path])
    authors = {d.id: d.author for d in corpus}
    assert authors["001_e0b5316b38a22238.txt"] == "Kimikatsu Kinoshita"
    assert authors["002_9616d0e211098658.txt"] == "Jin Ju-dong"
    assert authors["000_8bb9cf95c1906315.txt"] == ""
    doc = corpus.get("002_9616d0e211098658.txt")
    assert doc is not None and doc.title == "top of page"  # first line: why the manifest exists


# --------------------------------------------------------------------------
# Decoding


def test_crlf_becomes_lf(tmp_path: Path) -> None:
    write(tmp_path, "crlf.txt", b"Title line\r\n\r\nBody one\r\nBody two\r\n")
    doc = load_corpus([tmp_path]).get("crlf.txt")
    assert doc is not None
    assert doc.text == "Title line\n\nBody one\nBody two\n"
    assert doc.title == "Title line"
    assert doc.layout.line_of(doc.text.index("Body two")) == 4


def test_text_is_composed_and_soft_hyphens_go(tmp_path: Path) -> None:
    import unicodedata

    composed = "Kim Il-sŏng (김일성) in Pyongyang.\n"
    write(tmp_path, "nfd.txt", unicodedata.normalize("NFD", composed).encode())
    write(tmp_path, "shy.md", "# Pyong\u00adyang\n\nThe Recon\u00adnaissance General Bureau.\n".encode())
    write(tmp_path, "shy.html", "<h1>Pyong&shy;yang</h1><p>Kim Jong&shy;un and the Bowi\u00adbu.</p>".encode())
    corpus = load_corpus([tmp_path])
    assert corpus.get("nfd.txt").text == composed
    md = corpus.get("shy.md")
    assert md.text == "# Pyongyang\n\nThe Reconnaissance General Bureau.\n"
    html = corpus.get("shy.html")
    assert "\u00ad" not in html.text and "Kim Jongun and the Bowibu." in html.text
    (start, end), = html.headings  # moved with the text
    assert html.text[start:end] == "Pyongyang"


def test_lone_cr_becomes_lf(tmp_path: Path) -> None:
    write(tmp_path, "mac.txt", b"Old Mac\r\rline\rend")
    doc = load_corpus([tmp_path]).get("mac.txt")
    assert doc is not None
    assert doc.text == "Old Mac\n\nline\nend"
    assert "\r" not in doc.text and "␍" not in doc.text


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    write(tmp_path, "bom.txt", "\ufeffKim Jong-un 김정은\n".encode())
    corpus = load_corpus([tmp_path])
    doc = corpus.get("bom.txt")
    assert doc is not None
    assert doc.text == "Kim Jong-un 김정은\n"
    assert doc.title == "Kim Jong-un 김정은"
    assert corpus.problems == []


def test_utf16_with_bom(tmp_path: Path) -> None:
    write(tmp_path, "wide.txt", "\ufeffPyongyang\r\n".encode("utf-16-le"))
    doc = load_corpus([tmp_path]).get("wide.txt")
    assert doc is not None and doc.text == "Pyongyang\n"


def test_windows_1252_fallback_with_warning(tmp_path: Path) -> None:
    write(tmp_path, "legacy.txt", b"caf\xe9 \x93quoted\x94 \x81end")
    corpus = load_corpus([tmp_path])
    doc = corpus.get("legacy.txt")
    assert doc is not None
    assert doc.text == "café “quoted” \ufffdend"  # 0x81 is undefined in cp1252
    problem = problem_for(corpus, "legacy.txt")
    assert problem.severity == "warning"
    assert problem.reason == "not valid UTF-8; decoded as Windows-1252"


def test_html_declared_legacy_charset(tmp_path: Path) -> None:
    page = '<html><head><meta charset="euc-kr"><title>북한</title></head><body><p>김정은 위원장</p></body></html>'
    write(tmp_path, "kr.html", page.encode("euc-kr"))
    write(tmp_path, "odd.html", b'<meta charset="base64"><p>caf\xe9</p>')  # not a text encoding
    corpus = load_corpus([tmp_path])
    kr, odd = corpus.get("kr.html"), corpus.get("odd.html")
    assert kr is not None and kr.text == "김정은 위원장" and kr.title == "북한"
    assert odd is not None and odd.text == "café"
    assert "euc" in problem_for(corpus, "kr.html").reason.lower()


def test_control_characters_in_a_file_are_sanitised(tmp_path: Path) -> None:
    write(tmp_path, "evil.txt", "Title\x1b]0;x\x07\nsteal \x1b]52;c;SGVsbG8=\x07 \u202eevil\n")
    doc = load_corpus([tmp_path]).get("evil.txt")
    assert doc is not None
    assert "\x1b" not in doc.text and "\x07" not in doc.text and "\u202e" not in doc.text
    assert doc.text == sanitise("Title\x1b]0;x\x07\nsteal \x1b]52;c;SGVsbG8=\x07 \u202eevil\n")
    assert doc.title == "Title␛]0;x␇"


def test_binary_file_with_txt_extension(tmp_path: Path) -> None:
    write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(tmp_path, "controls.txt", bytes(range(1, 32)) * 40)
    write(tmp_path, "good.txt", "Fine\n")
    corpus = load_corpus([tmp_path])
    assert [d.id for d in corpus] == ["good.txt"]
    for name in ("image.txt", "controls.txt"):
        problem = problem_for(corpus, name)
        assert problem.severity == "error"
        assert "binary" in problem.reason


def test_empty_files_are_reported_not_loaded(tmp_path: Path) -> None:
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.md", b"  \r\n\n\t\n")
    write(tmp_path, "good.txt", "Fine\n")
    corpus = load_corpus([tmp_path])
    assert [d.id for d in corpus] == ["good.txt"]
    empty = problem_for(corpus, "empty.txt")
    assert empty.reason == "empty file" and empty.severity == "warning"
    assert problem_for(corpus, "blank.md").severity == "warning"


# --------------------------------------------------------------------------
# HTML

PAGE = """<!DOCTYPE html>
<html><head>
<title>Defector tells  of
 famine &amp; flight</title>
<meta name="author" content="Jin Ju-dong">
<meta name="date" content="2024-01-17">
<meta property="og:site_name" content="NK News">
<link rel="canonical" href="https://example.org/ask-a-north-korean">
<style>body { font-family: SECRET_STYLE; }</style>
<script>var SECRET_SCRIPT = "<p>not text</p>";</script>
</head>
<body>
<nav><a href="/">SITE_NAV Home</a> <a href="/about">About</a></nav>
<header class="masthead">SITE_BANNER</header>
<div role="navigation">ROLE_NAV</div>
<article>
<h1>Why a DPRK laborer
   in Russia decided to defect</h1>
<p>By Jin Ju-dong</p>
<p>Kim Jong Un &amp; the   <b>Workers&#8217; Party</b> &lt;WPK&gt;
ruled&nbsp;everything.</p>
<div>Second block<br>after a break</div>
<script>document.write("SECRET_INLINE_SCRIPT")</script>
<noscript>SECRET_NOSCRIPT</noscript>
<pre>  keep   this
    spacing</pre>
<h2>Escape</h2>
<ul><li>Tumen River</li><li>Beijing</li></ul>
<aside>SIDEBAR</aside>
</article>
<footer>SITE_FOOTER &copy; 2024</footer>
</body></html>
"""


def test_html_visible_text_paragraphs_and_metadata(tmp_path: Path) -> None:
    write(tmp_path, "page.html", PAGE)
    corpus = load_corpus([tmp_path])
    assert corpus.problems == []
    doc = corpus.get("page.html")
    assert doc is not None
    assert doc.kind == "html"
    for hidden in ("SECRET", "font-family", "SITE_NAV", "SITE_BANNER", "ROLE_NAV", "SIDEBAR", "SITE_FOOTER"):
        assert hidden not in doc.text, hidden
    paragraphs = doc.text.split("\n\n")
    assert paragraphs == [
        "Why a DPRK laborer in Russia decided to defect",
        "By Jin Ju-dong",
        "Kim Jong Un & the Workers’ Party <WPK> ruled\u00a0everything.",
        "Second block",
        "after a break",
        "  keep   this\n    spacing",
        "Escape",
        "• Tumen River",
        "• Beijing",
    ]
    assert [doc.text[s:e] for s, e in doc.headings] == [
        "Why a DPRK laborer in Russia decided to defect",
        "Escape",
    ]
    assert doc.title == "Defector tells of famine & flight"
    assert doc.author == "Jin Ju-dong"
    assert doc.date == "2024-01-17"
    assert doc.publisher == "NK News"
    assert doc.url == "https://example.org/ask-a-north-korean"
    assert doc.layout.paragraph_of(doc.text.index("Escape")) == 7


def test_html_og_and_article_metadata_fallbacks(tmp_path: Path) -> None:
    write(
        tmp_path,
        "og.htm",
        """<html><head>
<meta property="og:title" content="OG title">
<meta property="article:author" content="https://facebook.com/someone">
<meta property="article:author" content="ignored second">
<meta property="article:published_time" content="2021-06-04T09:00:00+09:00">
<meta property="og:url" content="https://example.org/og">
</head><body><p>Text about Sinuiju.</p><p>By Kimikatsu Kinoshita</p></body></html>""",
    )
    doc = load_corpus([tmp_path]).get("og.htm")
    assert doc is not None
    assert doc.title == "OG title"
    assert doc.date == "2021-06-04"
    assert doc.url == "https://example.org/og"
    assert doc.author == "Kimikatsu Kinoshita"  # meta author is a URL: the byline wins


def test_html_scholarly_tags_name_the_work_not_the_site(tmp_path: Path) -> None:
    write(
        tmp_path,
        "paper.html",
        """<html><head><title>Sanctions matter | Journal of Korean Studies - Online</title>
<meta name="citation_title" content="Sanctions matter">
<meta name="citation_author" content="Kim, Ji-soo">
<meta name="citation_author" content="Lee, Min-ho">
<meta name="dc.publisher" content="Korea Institute">
<meta name="citation_publication_date" content="2017/06/01">
</head><body><p>Text about Sinuiju.</p></body></html>""",
    )
    write(tmp_path, "news.html", """<html><head><title>Kim visits factory | NK News - North Korea News</title>
<meta property="og:title" content="Kim visits factory"><meta property="og:site_name" content="NK News">
</head><body><p>Text.</p></body></html>""")
    corpus = load_corpus([tmp_path])
    paper, news = corpus.get("paper.html"), corpus.get("news.html")
    assert (paper.title, paper.author, paper.publisher) == ("Sanctions matter", "Kim, Ji-soo; Lee, Min-ho",
                                                            "Korea Institute")
    assert (news.title, news.publisher) == ("Kim visits factory", "NK News")


def test_html_time_element_and_untitled_page(tmp_path: Path) -> None:
    write(tmp_path, "t.html", "<p>First words here</p><p>Posted <time datetime='2013-12'>Dec 2013</time></p>")
    doc = load_corpus([tmp_path]).get("t.html")
    assert doc is not None
    assert doc.title == "First words here"
    assert doc.date == "2013-12"


def test_html_with_only_chrome_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "shell.html", "<html><head><script>app()</script></head><body><nav>Menu</nav></body></html>")
    corpus = load_corpus([tmp_path])
    assert len(corpus) == 0
    assert problem_for(corpus, "shell.html").severity == "warning"


def test_html_escape_sequences_from_entities_are_sanitised(tmp_path: Path) -> None:
    write(tmp_path, "x.html", "<p>a&#27;]52;c;SGVsbG8=&#7;b</p>")
    doc = load_corpus([tmp_path]).get("x.html")
    assert doc is not None
    assert doc.text == "a␛]52;c;SGVsbG8=␇b"


def test_deeply_nested_html_does_not_hit_recursion_limit(tmp_path: Path) -> None:
    depth = 5000
    write(tmp_path, "deep.html", "<div>" * depth + "Deep text" + "</div>" * depth)
    doc = load_corpus([tmp_path]).get("deep.html")
    assert doc is not None and doc.text == "Deep text"


# --------------------------------------------------------------------------
# Markdown

MARKDOWN = """# The *Tumen* River #

Intro paragraph.

Setext heading
==============

```
# not a heading in a code fence
```

## Sub-heading
"""


def test_markdown_keeps_source_and_records_headings(tmp_path: Path) -> None:
    write(tmp_path, "notes.md", MARKDOWN)
    doc = load_corpus([tmp_path]).get("notes.md")
    assert doc is not None
    assert doc.kind == "md"
    assert doc.text == MARKDOWN
    assert doc.title == "The Tumen River"
    assert [doc.text[s:e] for s, e in doc.headings] == [
        "# The *Tumen* River #",
        "Setext heading\n==============",
        "## Sub-heading",
    ]


def test_markdown_without_heading_and_with_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "plain.markdown", "\n\nJust a first line\n\nmore\n")
    write(tmp_path, "front.md", "---\ntitle: 'From front matter'\ndate: 2014-05\n---\n\n# Heading\n")
    corpus = load_corpus([tmp_path])
    plain = corpus.get("plain.markdown")
    front = corpus.get("front.md")
    assert plain is not None and plain.title == "Just a first line" and plain.headings == ()
    assert front is not None
    assert front.title == "From front matter" and front.date == "2014-05"
    assert [front.text[s:e] for s, e in front.headings] == ["# Heading"]
    assert front.text == "\n# Heading\n"  # the metadata is not the document's text


def test_markdown_front_matter_lists_and_paragraph_numbers(tmp_path: Path) -> None:
    from xref.cite import make_citation

    write(tmp_path, "a.md", "---\ntitle: Flow list\nauthor: [Kim Ji-soo, Lee Min-ho]\ndate: 2021-07-09\n---\n\nFirst.\n")
    write(tmp_path, "b.md", "---\ntitle: \"Block: list\"\nauthors:\n  - Jane Roe\n  - John Doe\n---\nFirst.\n\nSecond.\n")
    write(tmp_path, "c.md", "---\n: not [yaml\n---\nBody.\n")
    corpus = load_corpus([tmp_path])
    a, b, c = corpus.get("a.md"), corpus.get("b.md"), corpus.get("c.md")
    assert (a.title, a.author, a.date) == ("Flow list", "Kim Ji-soo; Lee Min-ho", "2021-07-09")
    assert (b.title, b.author) == ("Block: list", "Jane Roe; John Doe")
    assert make_citation(b, b.text.index("Second"), b.text.index("Second") + 7).paragraph == 2
    assert c.text == "Body.\n" and c.author == ""  # not YAML: no fields, but still not text


# --------------------------------------------------------------------------
# Plain text titles and bylines


def test_plain_text_title_is_first_non_empty_line_capped(tmp_path: Path) -> None:
    write(tmp_path, "long.txt", "\n \n   " + "word " * 100 + "\nbody\n")
    write(tmp_path, "short.txt", "  Short title  \nbody\n")
    corpus = load_corpus([tmp_path])
    long_doc, short_doc = corpus.get("long.txt"), corpus.get("short.txt")
    assert short_doc is not None and short_doc.title == "Short title"
    assert long_doc is not None and 0 < len(long_doc.title) <= 200
    assert long_doc.title.startswith("word word")


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Jin Ju-dong", "Jin Ju-dong"),
        ("By Kimikatsu Kinoshita", "Kimikatsu Kinoshita"),
        ("  By Kim Jong Un Jr.  ", "Kim Jong Un Jr."),
        ("By the way, nothing", ""),
        ("By February 2021", ""),
        ("Edited by Alannah Hill", ""),
        ("By One Two Three Four Five", ""),
        ("By Madonna", ""),
    ],
)
def test_byline(tmp_path: Path, line: str, author: str) -> None:
    write(tmp_path, "a.txt", f"Title\n\n{line}\n\nBody.\n")
    doc = load_corpus([tmp_path]).get("a.txt")
    assert doc is not None and doc.author == author


def test_byline_only_near_the_top(tmp_path: Path) -> None:
    write(tmp_path, "late.txt", "Title\n" + "x\n" * 60 + "By Jin Ju-dong\n")
    doc = load_corpus([tmp_path]).get("late.txt")
    assert doc is not None and doc.author == ""


# --------------------------------------------------------------------------
# Folders, files and failures


def test_walk_is_recursive_sorted_and_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", "B\n")
    write(tmp_path, "a/z.md", "# Z\n")
    write(tmp_path, "a/b/y.HTML", "<p>Y</p>")
    write(tmp_path, "c.htm", "<p>C</p>")
    write(tmp_path, ".hidden.txt", "H\n")
    write(tmp_path, ".git/x.txt", "G\n")
    write(tmp_path, "report.pdf", b"%PDF-1.4")
    write(tmp_path, "a/data.csv", "x,y\n")
    write(tmp_path, "README", "no extension\n")
    write(tmp_path, "manifest.toml", "")
    write(tmp_path, "a/manifest.toml", "")
    corpus = load_corpus([tmp_path])
    assert corpus.root == tmp_path
    assert [d.id for d in corpus] == ["a/b/y.HTML", "a/z.md", "b.txt", "c.htm"]
    assert corpus.skipped == ["README", "a/data.csv", "a/manifest.toml", "report.pdf"]
    assert corpus.problems == []
    assert {d.kind for d in corpus} == {"txt", "md", "html"}


def test_files_mode_uses_common_parent_as_root(tmp_path: Path) -> None:
    one = write(tmp_path, "x/one.txt", "One\n")
    two = write(tmp_path, "y/z/two.md", "# Two\n")
    pdf = write(tmp_path, "x/three.pdf", b"%PDF")
    corpus = load_corpus([str(two), one, pdf])
    assert corpus.root == tmp_path
    assert [d.id for d in corpus] == ["x/one.txt", "y/z/two.md"]
    assert corpus.skipped == ["x/three.pdf"]

    single = load_corpus([one])
    assert single.root == tmp_path / "x"
    assert [d.id for d in single] == ["one.txt"]


def test_a_named_file_that_cannot_be_a_document_is_a_problem(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", "Good\n")
    pdf = write(tmp_path, "report.pdf", b"%PDF")
    readme = write(tmp_path, "README", "Read me\n")
    corpus = load_corpus([good, pdf, readme])
    assert [d.id for d in corpus] == ["good.txt"]
    assert corpus.skipped == ["README", "report.pdf"]
    assert problem_for(corpus, str(pdf)).reason.startswith("unsupported file type '.pdf'; xref reads .txt")
    assert problem_for(corpus, str(readme)).reason.startswith("unsupported file type '(no extension)'")
    # Met in a folder walk, such files are passed over without a word.
    assert load_corpus([tmp_path]).problems == []


def test_missing_input_path_is_a_problem(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", "Good\n")
    corpus = load_corpus([good, tmp_path / "missing.txt"])
    assert [d.id for d in corpus] == ["good.txt"]
    assert any("missing.txt" in p.path and "no such" in p.reason for p in corpus.problems)


def test_named_paths_in_a_folder_we_may_not_search_are_problems(tmp_path: Path, lock_folder) -> None:
    good = write(tmp_path, "good.txt", "Good\n")
    inside = write(tmp_path, "locked/in.txt", "Inside\n")
    locked = inside.parent
    lock_folder(locked)
    corpus = load_corpus([inside, good])
    assert [d.id for d in corpus] == ["good.txt"]
    assert problem_for(corpus, str(inside)).reason == "permission denied"
    # Alone, each makes the locked folder the root: its manifest cannot be looked for either.
    alone = load_corpus([inside])
    assert [(p.path, p.reason) for p in alone.problems] == [(str(inside), "permission denied")]
    folder = load_corpus([locked])
    assert [(p.path, p.reason) for p in folder.problems] == [(str(locked), "cannot list folder: permission denied")]


def test_a_manifest_entry_for_a_file_we_may_not_reach_is_not_called_missing(tmp_path: Path, lock_folder) -> None:
    write(tmp_path, "manifest.toml", '[[document]]\nfile = "locked/in.txt"\ntitle = "In"\n')
    write(tmp_path, "good.txt", "Good\n")
    write(tmp_path, "locked/in.txt", "Inside\n")
    lock_folder(tmp_path / "locked")
    corpus = load_corpus([tmp_path])
    assert [d.id for d in corpus] == ["good.txt"]
    assert [(p.path, p.reason) for p in corpus.problems] == [("locked", "cannot list folder: permission denied")]


def test_a_named_symlink_loop_or_broken_link_says_so(tmp_path: Path) -> None:
    try:
        (tmp_path / "a").symlink_to(tmp_path / "b")
        (tmp_path / "b").symlink_to(tmp_path / "a")
        (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not supported here")
    corpus = load_corpus([tmp_path / "a", tmp_path / "gone.txt"])
    assert {(p.path, p.reason) for p in corpus.problems} == {
        (str(tmp_path / "a"), "too many levels of symbolic links"),
        (str(tmp_path / "gone.txt"), "broken symbolic link"),
    }


def test_progress_is_reported_after_each_file(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.bin.txt", "d.pdf"):
        write(tmp_path, name, "x\n" if name != "c.bin.txt" else b"\x00\x01")
    calls: list[tuple[int, int]] = []
    load_corpus([tmp_path], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_symlink_loop_is_reported_and_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "top.txt", "Top\n")
    write(tmp_path, "sub/inner.txt", "Inner\n")
    try:
        (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
        (tmp_path / "sub" / "self").symlink_to(tmp_path / "sub", target_is_directory=True)
        (tmp_path / "alias").symlink_to(tmp_path / "sub", target_is_directory=True)
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not supported here")
    corpus = load_corpus([tmp_path])
    assert [d.id for d in corpus] == ["sub/inner.txt", "top.txt"]
    loop = problem_for(corpus, "sub/loop")
    assert "loop" in loop.reason
    assert "loop" in problem_for(corpus, "sub/self").reason
    assert "same folder" in problem_for(corpus, "alias").reason


def test_symlinked_folder_without_loop_is_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, "far.txt", "Far\n")
    root = tmp_path / "root"
    write(root, "near.txt", "Near\n")
    try:
        (root / "linked").symlink_to(elsewhere, target_is_directory=True)
        (root / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not supported here")
    corpus = load_corpus([root])
    assert [d.id for d in corpus] == ["linked/far.txt", "near.txt"]
    assert problem_for(corpus, "dangling.txt").reason == "broken symbolic link"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file_chmod(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.txt", "Secret\n")
    write(tmp_path, "open.txt", "Open\n")
    secret.chmod(0)
    try:
        corpus = load_corpus([tmp_path])
    finally:
        secret.chmod(0o600)
    assert [d.id for d in corpus] == ["open.txt"]
    assert problem_for(corpus, "secret.txt").reason == "permission denied"


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory"), "no such file (removed while loading?)"),
        (OSError(errno.EIO, "Input/output error"), "input/output error"),
        (OSError(errno.EBUSY, "Device or resource busy"), "device or resource busy"),
    ],
)
def test_read_errors_become_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, reason: str
) -> None:
    bad = write(tmp_path, "bad.txt", "Bad\n")
    write(tmp_path, "good.txt", "Good\n")
    real_open = os.open

    def failing_open(path: str | os.PathLike[str], flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if os.fspath(path) == str(bad):
            raise error
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", failing_open)  # the loader's os.open: simulate the failure
    corpus = load_corpus([tmp_path])
    assert [d.id for d in corpus] == ["good.txt"]
    problem = problem_for(corpus, "bad.txt")
    assert problem.reason == reason and problem.severity == "error"


def test_directory_named_like_a_file(tmp_path: Path) -> None:
    (tmp_path / "x.txt").mkdir()
    with pytest.raises(LoadError) as info:
        load_document(tmp_path / "x.txt", tmp_path)
    assert info.value.reason == "is a directory"
    # In a walk it is just a folder: walked, not reported.
    write(tmp_path, "x.txt/inside.txt", "Inside\n")
    assert [d.id for d in load_corpus([tmp_path])] == ["x.txt/inside.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_reported_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    write(tmp_path, "good.txt", "Good\n")
    corpus = load_corpus([tmp_path])
    assert [d.id for d in corpus] == ["good.txt"]
    assert problem_for(corpus, "pipe.txt").reason == "not a regular file"


def test_load_document_errors(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="unsupported"):
        load_document(write(tmp_path, "a.pdf", b"%PDF"), tmp_path)
    with pytest.raises(LoadError, match="no such file"):
        load_document(tmp_path / "gone.txt", tmp_path)
    with pytest.raises(LoadError) as info:
        load_document(write(tmp_path, "e.txt", b""), tmp_path)
    assert info.value.severity == "warning"


# --------------------------------------------------------------------------
# Manifest


def test_manifest_overrides_format_metadata(tmp_path: Path) -> None:
    write(tmp_path, "page.html", PAGE)
    write(tmp_path, "sub/note.txt", "First line\n\nBy Some Body\n")
    write(
        tmp_path,
        "manifest.toml",
        """
[[document]]
file = "page.html"
title = "Manifest title"
date = 2024-01-18

[[document]]
file = "./sub/note.txt"
author = "Manifest Author"
url = "https://example.org/note"
""",
    )
    corpus = load_corpus([tmp_path])
    assert corpus.problems == []
    page = corpus.get("page.html")
    note = corpus.get("sub/note.txt")
    assert page is not None and note is not None
    assert page.title == "Manifest title"
    assert page.date == "2024-01-18"  # a TOML date literal works too
    assert page.author == "Jin Ju-dong"  # not in the manifest: the page's own meta
    assert note.author == "Manifest Author" and note.title == "First line"
    assert note.url == "https://example.org/note"


def test_broken_manifest_is_reported_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "A title\n")
    write(tmp_path, "b.txt", "B title\n")
    write(
        tmp_path,
        "manifest.toml",
        '[[document]]\nfile = "a.txt"\ntitle = "Fine"\n\n[[document]]\nfile = "b.txt"\ntitle = = "broken"\n',
    )
    corpus = load_corpus([tmp_path])
    assert [d.title for d in corpus] == ["A title", "B title"]  # manifest ignored, files still load
    problem = problem_for(corpus, "manifest.toml")
    assert str(problem).startswith("manifest.toml: line 7: ")
    assert problem.severity == "error"


def test_manifest_entry_for_missing_file_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "A\n")
    write(
        tmp_path,
        "manifest.toml",
        '[[document]]\nfile = "a.txt"\nauthor = "Kim Il-sung"\n\n[[document]]\nfile = "gone.txt"\ntitle = "Gone"\n'
        '\n[[document]]\nfile = "a.txt"\nauthr = "typo"\n',
    )
    corpus = load_corpus([tmp_path])
    doc = corpus.get("a.txt")
    assert doc is not None and doc.author == "Kim Il-sung"
    reasons = [p.reason for p in corpus.problems if p.path == "manifest.toml"]
    assert any("gone.txt" in r and "missing" in r for r in reasons)
    assert all(p.severity == "warning" for p in corpus.problems)


def test_manifest_date_that_is_no_day_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "A\n")
    write(tmp_path, "b.txt", "B\n")
    write(tmp_path, "manifest.toml", '[[document]]\nfile = "a.txt"\ndate = "2021-02-30"\n'
          '[[document]]\nfile = "b.txt"\ndate = "2020-02-29"\n')
    corpus = load_corpus([tmp_path])
    reasons = [p.reason for p in corpus.problems if p.path == "manifest.toml"]
    assert len(reasons) == 1 and "'2021-02-30' is not a day of the calendar" in reasons[0], reasons


def test_bylines_with_several_names_or_in_capitals(tmp_path: Path) -> None:
    write(tmp_path, "two.txt", "Title\n\nBy John Smith and Mary Jones\n\nText.\n")
    write(tmp_path, "caps.txt", "Title\n\nBY JOHN SMITH\n\nText.\n")
    write(tmp_path, "not.txt", "Title\n\nBy the way it rains\n\nText.\n")
    corpus = load_corpus([tmp_path])
    authors = {d.id: d.author for d in corpus}
    assert authors == {"two.txt": "John Smith and Mary Jones", "caps.txt": "John Smith", "not.txt": ""}


def test_manifest_applies_to_explicit_files(tmp_path: Path) -> None:
    one = write(tmp_path, "one.txt", "One\n")
    write(tmp_path, "other.txt", "Other\n")
    write(tmp_path, "manifest.toml", '[[document]]\nfile = "one.txt"\ntitle = "Manifest"\n'
          '[[document]]\nfile = "other.txt"\ntitle = "Other"\n')
    corpus = load_corpus([one])
    assert [d.title for d in corpus] == ["Manifest"]
    assert corpus.problems == []  # other.txt exists, it just was not asked for


def test_manifest_values_are_sanitised(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "A\n")
    write(tmp_path, "manifest.toml", '[[document]]\nfile = "a.txt"\ntitle = "Evil\\u001b]52;c;eA==\\u0007\\ntitle"\n')
    doc = load_corpus([tmp_path]).get("a.txt")
    assert doc is not None and doc.title == "Evil␛]52;c;eA==␇ title"


# --------------------------------------------------------------------------
# Robustness and layering


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), suffix=st.sampled_from(sorted(SUPPORTED)))
def test_loading_never_raises_on_arbitrary_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        doc = load_document(path, tmp_path)
    except LoadError:
        return
    assert sanitise(doc.text) == doc.text  # nothing unsafe left
    assert "\r" not in doc.text
    for start, end in doc.headings:
        assert 0 <= start <= end <= len(doc.text)


def test_corpus_module_does_not_import_textual() -> None:
    code = (
        "import sys; sys.modules['textual'] = None\n"
        "import xref.corpus, xref.sanitise\n"
        "c = xref.corpus.load_corpus()\n"
        "assert len(c) == 4 and not any(m.startswith('textual') for m in sys.modules if sys.modules[m])\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
