"""Full-text search over the whole corpus with SQLite FTS5.

Two steps, so that a query naming the corpus's commonest words still answers
in milliseconds:

1. documents: one FTS5 row per document (the index cache's ``fts`` table, or
   an in-memory copy when the cache is off) ranked by bm25 -- a few thousand
   rows to score, where paragraphs would be hundreds of thousands;
2. paragraphs: the paragraphs of the best documents go into a scratch FTS5
   table in memory and are ranked by bm25 again; ``highlight()`` marks the
   matched words, which gives each hit's exact offsets in the document. A long
   paragraph goes in as overlapping pieces of a few thousand characters:
   ``highlight()`` takes time quadratic in the length of its row (it copies its
   whole output for every match), so one row of a 20 MB one-line file would take
   minutes.

How a query is read (:func:`read_query`):

* plain words (no quotes, operators, ``*``, parentheses or column filters;
  ``Kim Jong-un``, ``Wonsan?``, ``Office 39``): the words as an exact phrase
  first, then all of them anywhere -- documents, and paragraphs in a document,
  holding the phrase come first; a hyphenated word is a phrase of its parts;
* FTS5 syntax (``"a phrase"``, ``AND``/``OR``/``NOT``, ``pre*``, ``NEAR(a b)``)
  as written; an unclosed quote is closed, hyphenated words become phrases;
* anything FTS5 still rejects (``a:b``, ``x AND``) is searched as its plain
  words, each quoted: the one reading that is a fallback, so a search never
  raises for its query.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from xref.model import Document, word_window

__all__ = ["FTS_SCHEMA", "FTS_TOKENIZE", "OPERATORS", "Hit", "MemorySearcher", "Reading", "Searcher", "fts_query", "read_query"]

#: How FTS5 splits text into words, here and in the index cache's table.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"
#: Columns and tokenizer of the per-document table.
FTS_SCHEMA = f"fts5(text, tokenize = '{FTS_TOKENIZE}')"
SNIPPET_CONTEXT = 60  # characters of context each side of the first match
PER_DOCUMENT = 3  # hits shown per document at most
PIECE = 4000  # characters of a long paragraph per scratch row, about
OVERLAP = 200  # characters a piece shares with the one before: a phrase across a cut is still whole in one
_MARK_OPEN, _MARK_CLOSE = "\x01", "\x02"  # C0 controls never occur in sanitised text
_WORD = re.compile(r"[^\W_]+(?:\*)?", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching paragraph: where its first match is, and the text around it."""

    doc_id: str
    start: int  # offsets of the first matched words in the document text
    end: int
    snippet: str  # one line of context around the match
    score: float  # higher is better: minus the document's bm25 for the expression that found it
    # (plain words: the exact phrase, then all the words; scores compare within one of them)
    paragraph: int = 0  # 1-based paragraph number
    highlights: tuple[tuple[int, int], ...] = ()  # matched words, as offsets into ``snippet``

    def to_json(self) -> dict[str, object]:
        return {
            "doc": self.doc_id,
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            # Significant digits, not decimals: bm25 of common words is about 1e-6.
            "score": float(f"{self.score:.4g}"),
            "snippet": self.snippet,
            "highlights": [list(h) for h in self.highlights],
        }


@dataclass(frozen=True, slots=True)
class Reading:
    """How a query is searched."""

    expressions: tuple[str, ...]  # FTS5 expressions, best first (the exact phrase, then all the words); () = nothing
    terms: tuple[str, ...]  # the words and phrases a match holds, each a valid FTS5 expression
    fallback: bool = False  # FTS5 rejected the query: its plain words are searched instead
    rejected: str | None = None  # FTS5's complaint about the query as written, when ``fallback``


def read_query(query: str) -> Reading:
    """How :meth:`Searcher.search` searches ``query`` (see the module's docstring)."""
    if _plain(query):
        words = _PLAIN_WORD.findall(query)
        quoted = tuple(f'"{word}"' for word in words)
        if len(words) > 1:
            # The exact phrase first: "Office 39" before "Office 101 ... Room 39".
            return Reading((f'"{" ".join(words)}"', " ".join(quoted)), quoted)
        return Reading(quoted, quoted)
    balanced = query + '"' if query.count('"') % 2 else query  # an unclosed phrase, closed
    rejected = None
    for expression in dict.fromkeys((query, balanced, _hyphen_phrases(balanced))):
        error = _fts_error(expression)
        if error is None:
            return Reading((expression,), tuple(_terms(expression)))
        rejected = rejected or error
    plain = fts_query(query)
    return Reading((plain,) if plain else (), tuple(plain.split()), fallback=True, rejected=rejected)


def fts_query(query: str) -> str:
    """``query`` as plain words: each quoted (a trailing ``*`` kept as a prefix search).

    The fallback for queries FTS5 cannot parse; "" when nothing searchable is left.
    Operators (``AND``, ``OR``, ``NOT``, ``NEAR``) were not meant as words: left out.
    """
    parts = []
    for word in _WORD.findall(query):
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if word and word not in OPERATORS:
            parts.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(parts)


#: FTS5's operator words (upper case only: "and" is a word to search for).
OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
# A word of a plain query: hyphens, apostrophes and dots inside it keep it one word.
_PLAIN_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")


def _plain(query: str) -> bool:
    """Whether ``query`` is only words and punctuation that means nothing to FTS5."""
    return not any(c in query for c in '"*():^+{}') and not any(
        word in OPERATORS for word in re.findall(r"\w+", query)
    )


def _fts_error(expression: str) -> str | None:
    """Why FTS5 rejects ``expression`` (None: it parses)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"CREATE VIRTUAL TABLE t USING {FTS_SCHEMA}")
        conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()
    except sqlite3.Error as exc:
        return str(exc).removeprefix("fts5: ")
    finally:
        conn.close()
    return None


def _hyphen_phrases(query: str) -> str:
    """Hyphenated and apostrophised words as phrases: ``Kim Jong-un`` -> ``Kim "Jong-un"``.

    FTS5 barewords cannot hold a hyphen; as a quoted phrase the word's parts
    must be adjacent, which is what the writer meant. Text already inside
    double quotes is left alone.
    """
    out: list[str] = []
    for i, chunk in enumerate(query.split('"')):
        if i % 2:
            out.append(chunk)
            continue
        out.append(re.sub(r"[^\W_]+(?:[-'’.][^\W_]+)+", lambda m: f'"{m.group()}"', chunk))
    return '"'.join(out)


# FTS5's tokens: a string (with "" inside), a bareword (ASCII letters, digits, _,
# anything not ASCII), either maybe a prefix (*), or one other character.
_TOKEN = re.compile(r'"(?:[^"]|"")*"?\*?|[0-9A-Za-z_\x1a\x80-\U0010ffff]+\*?|\S')


def _terms(expression: str) -> list[str]:
    """The words and phrases of a valid FTS5 expression that a match holds, each an
    FTS5 expression itself: not operators, column names, NEAR's distance, nor what
    NOT leaves out."""
    tokens = _TOKEN.findall(expression)
    terms: list[str] = []
    depth = 0  # parentheses open
    skip_to: int | None = None  # skipping NOT's operand in parentheses: until depth is back to this
    after_not = False
    in_braces = False
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token == "(":
            if after_not and skip_to is None:
                skip_to = depth
            after_not = False
            depth += 1
        elif token == ")":
            depth -= 1
            if skip_to == depth:
                skip_to = None
        elif token in "{}":
            in_braces = token == "{"  # {col1 col2}: column names
        elif token == "NOT":
            after_not = True
        elif token in OPERATORS or following == ":" or in_braces:
            pass  # AND, OR, NEAR, a column name
        elif token[0] == '"' or _WORD.search(token):
            if i and tokens[i - 1] == ",":
                continue  # NEAR's distance: NEAR(a b, 10)
            if skip_to is None and not after_not:
                terms.append(token if token[0] == '"' or token.endswith("*") else f'"{token}"')
            after_not = False
    return terms


class Searcher:
    """Ranked paragraph search over documents whose text is in an FTS5 table.

    Subclasses say where the table is (:meth:`_connect`) and how its rowids map
    to documents (``_doc_of``).
    """

    def __init__(self, documents: Sequence[Document]) -> None:
        self._documents = list(documents)
        self._lock = threading.RLock()

    # -- to provide -------------------------------------------------------------------
    def _connect(self) -> tuple[sqlite3.Connection, str]:
        """(connection, table name) of the per-document FTS table."""
        raise NotImplementedError

    def _doc_of(self, rowid: int) -> Document | None:
        raise NotImplementedError

    def prepare(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Make the per-document table ready now rather than on the first search.
        ``progress(done, total)``: how far, when it takes a while."""
        with self._lock:
            self._connect()

    @property
    def ready(self) -> bool:
        """Whether a search can start at once (no table to build first)."""
        return True

    # -- searching --------------------------------------------------------------------
    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Up to ``limit`` hits, best documents first, at most a few per document."""
        if limit <= 0 or not query.strip():
            return []
        reading = read_query(query)
        if not reading.expressions:
            return []
        with self._lock:
            conn, table = self._connect()
            ranked = self._rank_documents(conn, table, reading.expressions, limit)
        if not ranked:
            return []
        return self._paragraph_hits(ranked, reading, limit)

    def _rank_documents(
        self, conn: sqlite3.Connection, table: str, expressions: Sequence[str], limit: int
    ) -> list[tuple[Document, float]]:
        """The best documents: those matching the first expression (best first),
        then those only the next one matches, and so on."""
        wanted = max(limit, 10)
        sql = f"SELECT rowid, bm25({table}) FROM {table} WHERE {table} MATCH ? ORDER BY bm25({table}) LIMIT ?"
        ranked: dict[str, tuple[Document, float]] = {}  # by document id
        for expression in expressions:
            found: list[tuple[Document, float]] = []
            try:
                # The table may hold documents outside this corpus, and the earlier
                # expressions' documents come again: ask for more, then for all.
                for cap in (wanted * 2 + 10 + len(ranked), -1):
                    rows = conn.execute(sql, (expression, cap)).fetchall()
                    found = [(doc, -score) for rowid, score in rows
                             if (doc := self._doc_of(rowid)) is not None and doc.id not in ranked]
                    if len(ranked) + len(found) >= wanted or len(rows) < cap or cap < 0:
                        break
            except sqlite3.OperationalError:
                continue  # read_query checked the syntax; nothing else is expected, but never raise
            for doc, score in found[: wanted - len(ranked)]:
                ranked[doc.id] = (doc, score)
            if len(ranked) >= wanted:
                break
        return list(ranked.values())

    def _paragraph_hits(self, ranked: list[tuple[Document, float]], reading: Reading, limit: int) -> list[Hit]:
        """The best paragraphs of the ranked documents, a document at a time, until
        ``limit`` hits: the first few documents usually fill the list."""
        # A match holds one of the terms: only pieces of text holding one of their words can match.
        candidates = _candidate_finder(" ".join(reading.terms))
        any_word = " OR ".join(reading.terms)
        out: list[Hit] = []
        scratch = sqlite3.connect(":memory:")
        try:
            scratch.execute(f"CREATE VIRTUAL TABLE p USING {FTS_SCHEMA}")
            for doc, doc_score in ranked:
                text = doc.text
                layout = doc.layout
                starts, ends = layout.para_starts, layout.para_ends
                # (paragraph number, start, end) of each scratch row; rowid = index + 1
                rows = [(para, s, e) for para, (ps, pe) in enumerate(zip(starts, ends), 1)
                        for s, e in _pieces(text, ps, pe)]
                if candidates is not None:
                    # Only pieces holding one of the words can match; if none does
                    # (other spellings FTS5 folds together), all of them.
                    # (One search per piece, stopping at its first hit: a common
                    # word can occur thousands of times in a long document.)
                    rows = [row for row in rows if candidates.search(text, row[1], row[2])] or rows
                scratch.execute("DELETE FROM p")
                scratch.executemany(
                    "INSERT INTO p(rowid, text) VALUES (?, ?)",
                    ((i, text[s:e]) for i, (_, s, e) in enumerate(rows, 1)),
                )
                # The best paragraphs for each expression in turn: for plain words, those
                # holding the exact phrase, then those with all the words.
                best: dict[int, str] = {}  # rowid -> the expression it matched
                for expression in reading.expressions:
                    paragraphs = {rows[rowid - 1][0] for rowid in best}
                    for rowid in self._best_rows(scratch, expression, rows, PER_DOCUMENT - len(best), paragraphs):
                        best[rowid] = expression
                    if len(best) >= PER_DOCUMENT:
                        break
                # Words in different paragraphs match the document, not one paragraph:
                # then its best paragraph for any of the words.
                if not best and any_word:
                    best = dict.fromkeys(self._best_rows(scratch, any_word, rows, 1), any_word)
                marked: dict[int, str] = {}
                for expression in dict.fromkeys(best.values()):
                    rowids = [rowid for rowid, used in best.items() if used == expression]
                    marked.update(self._highlights(scratch, expression, rowids))
                for rowid in best:
                    para, start, end = rows[rowid - 1]
                    piece = text[start:end]
                    out.append(_make_hit(doc, doc_score, para, (starts[para - 1], ends[para - 1]), start, piece,
                                         marked.get(rowid, piece)))
                    if len(out) >= limit:
                        return out
        finally:
            scratch.close()
        return out

    @staticmethod
    def _best_rows(
        scratch: sqlite3.Connection,
        expression: str,
        rows: Sequence[tuple[int, int, int]],
        count: int = PER_DOCUMENT,
        skip: Collection[int] = (),
    ) -> list[int]:
        """Scratch rowids of the ``count`` best matching paragraphs (not those in
        ``skip``), best first: the best piece of each (``rows`` gives each rowid's
        paragraph)."""
        best: dict[int, int] = {}  # paragraph -> its best rowid
        if count <= 0:
            return []
        sql = "SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p), rowid"  # ties: the earlier place
        try:
            for (rowid,) in scratch.execute(sql, (expression,)):
                para = rows[rowid - 1][0]
                if para not in skip:
                    best.setdefault(para, rowid)
                    if len(best) >= count:
                        break
        except sqlite3.OperationalError:
            return []
        return list(best.values())

    @staticmethod
    def _highlights(scratch: sqlite3.Connection, expression: str, rowids: list[int]) -> dict[int, str]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        try:
            rows = scratch.execute(
                f"SELECT rowid, highlight(p, 0, ?, ?) FROM p WHERE p MATCH ? AND rowid IN ({marks})",
                (_MARK_OPEN, _MARK_CLOSE, expression, *rowids),
            ).fetchall()
        except sqlite3.OperationalError:
            return {}
        return dict(rows)


# Letters FTS5 (remove_diacritics 2) treats as their base letter, for the common
# romanisations: a query word "chinsong" must find "Chinsŏng".
_VOWELS = {
    "a": "aàáâãäåāăą", "e": "eèéêëēĕėęě", "i": "iìíîïĩīĭįı", "o": "oòóôõöøōŏő",
    "u": "uùúûüũūŭůűų", "y": "yýÿŷ", "c": "cçćĉċč", "n": "nñńņňŉ", "s": "sśŝşš",
}


def _candidate_finder(expression: str) -> re.Pattern[str] | None:
    """A regex finding every place one of the query's words could be (a superset of
    what FTS5 matches), or None when it would not narrow anything down."""
    words = {w.rstrip("*").casefold() for w in _WORD.findall(expression) if w.rstrip("*") not in OPERATORS}
    words.discard("")
    if not words or any(len(w) < 3 for w in words):
        return None
    parts = []
    for word in sorted(words, key=len, reverse=True):
        parts.append("".join(f"[{_VOWELS[c]}]" if c in _VOWELS else re.escape(c) for c in word))
    return re.compile("|".join(parts), re.IGNORECASE)


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as (start, end) pieces of about :data:`PIECE` characters at
    most, cut at white space, each sharing about :data:`OVERLAP` characters with the
    one before; a short paragraph is one piece."""
    pieces = []
    while end - start > PIECE:
        cut = _cut(text, start + PIECE // 2, start + PIECE)
        pieces.append((start, cut))
        # The next piece starts at the first word starting in the last OVERLAP
        # characters (after start: cut - OVERLAP is well past it).
        space = _SPACE.search(text, cut - OVERLAP, cut - 1)
        start = space.end() if space is not None else cut
    pieces.append((start, end))
    return pieces


def _cut(text: str, lo: int, hi: int) -> int:
    """A place in ``text[lo:hi]`` to cut between words: after its last white space,
    else after its last non-word character, else ``hi`` (a very long word)."""
    space = max(text.rfind(" ", lo, hi), text.rfind("\n", lo, hi), text.rfind("\t", lo, hi))
    if space != -1:
        return space + 1
    last = None
    for last in _NON_WORD.finditer(text, lo, hi):
        pass
    return last.end() if last is not None and last.end() > lo else hi


_NON_WORD = re.compile(r"[\W_]")
_SPACE = re.compile(r"\s+")


def _make_hit(
    doc: Document, score: float, para: int, bounds: tuple[int, int], piece_start: int, plain: str, marked: str
) -> Hit:
    """The hit for ``plain``, the paragraph ``para`` (whose offsets are ``bounds``)
    or the piece of it at ``piece_start``; ``marked`` is ``plain`` with matches marked."""
    spans: list[tuple[int, int]] = []
    pos = 0
    open_at = -1
    for ch in marked:
        if ch == _MARK_OPEN:
            open_at = pos
        elif ch == _MARK_CLOSE:
            if open_at >= 0:
                spans.append((open_at, pos))
            open_at = -1
        else:
            pos += 1
    if pos != len(plain):  # markers we did not put there: no highlights rather than wrong ones
        spans = []
    # Words of one phrase ("Kim" "Jong-un") are marked one by one: join those
    # separated by nothing but spaces or punctuation.
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s - merged[-1][1] <= 3 and not _WORD.search(plain, merged[-1][1], s):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    spans = merged
    first_start, first_end = spans[0] if spans else (0, 0)
    lo, hi = word_window(plain, first_start, first_end, SNIPPET_CONTEXT, 2 * SNIPPET_CONTEXT)
    # (The ends of a piece inside a paragraph are cuts too.)
    prefix = "…" if piece_start + lo > bounds[0] else ""
    suffix = "…" if piece_start + hi < bounds[1] else ""
    # Newlines and tabs become single spaces; the text keeps its length so offsets hold.
    window = plain[lo:hi].translate(_ONE_LINE)
    snippet = prefix + window + suffix
    shift = len(prefix) - lo
    highlights = tuple((s + shift, e + shift) for s, e in spans if s >= lo and e <= hi)
    return Hit(
        doc_id=doc.id,
        start=piece_start + first_start,
        end=piece_start + first_end,
        snippet=snippet,
        score=score,
        paragraph=para,
        highlights=highlights,
    )


_ONE_LINE = str.maketrans({"\n": " ", "\t": " ", "\r": " "})


class MemorySearcher(Searcher):
    """Search without the index cache: an in-memory FTS5 table, built on the first search."""

    def __init__(self, documents: Sequence[Document]) -> None:
        super().__init__(documents)
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> tuple[sqlite3.Connection, str]:
        if self._conn is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
            conn.execute(f"CREATE VIRTUAL TABLE fts USING {FTS_SCHEMA}")
            conn.executemany("INSERT INTO fts(rowid, text) VALUES (?, ?)",
                             ((i, doc.text) for i, doc in enumerate(self._documents)))
            conn.commit()
            self._conn = conn
        return self._conn, "fts"

    def _doc_of(self, rowid: int) -> Document | None:
        return self._documents[rowid] if 0 <= rowid < len(self._documents) else None

    @property
    def ready(self) -> bool:
        return self._conn is not None


class TableSearcher(Searcher):
    """Search an FTS table someone else keeps (the index cache), rowids mapped by ``keys``.

    ``prepare(progress)`` brings the table up to date before the first search;
    if it cannot (a read-only cache file), the search goes to a table in memory.
    """

    def __init__(
        self,
        documents: Sequence[Document],
        keys: Sequence[int],
        connect: Callable[[], sqlite3.Connection],
        lock: threading.RLock | None = None,
        table: str = "fts",
        prepare: Callable[[Callable[[int, int], None] | None], None] | None = None,
    ) -> None:
        super().__init__(documents)
        if lock is not None:
            self._lock = lock
        self._by_key = {key: doc for key, doc in zip(keys, self._documents)}
        self._connect_fn = connect
        self._table = table
        self._prepare_fn = prepare
        self._memory: MemorySearcher | None = None

    def prepare(self, progress: Callable[[int, int], None] | None = None) -> None:
        with self._lock:
            if self._prepare_fn is not None and self._memory is None:
                try:
                    self._prepare_fn(progress)
                except sqlite3.Error:
                    self._memory = MemorySearcher(self._documents)
                self._prepare_fn = None
            if self._memory is not None:
                self._memory.prepare()

    @property
    def ready(self) -> bool:
        return self._prepare_fn is None and (self._memory is None or self._memory.ready)

    def _connect(self) -> tuple[sqlite3.Connection, str]:
        self.prepare()
        if self._memory is not None:
            return self._memory._connect()
        return self._connect_fn(), self._table

    def _doc_of(self, rowid: int) -> Document | None:
        if self._memory is not None:
            return self._memory._doc_of(rowid)
        return self._by_key.get(rowid)
