"""The ``xref`` command: the TUI with no subcommand, the engine for scripts otherwise.

    xref [PATH ...]                      open the reader (default: the bundled corpus)
    xref mentions [PATH ...]             one line per mention (JSON lines or a table)
    xref entities [PATH ...]             one line per entity
    xref show NAME [PATH ...]            an entity with every mention and its context
    xref cite DOC --para N [PATH ...]    a citation of a paragraph, line or quote
    xref search QUERY [PATH ...]         full-text search, best paragraphs first
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from xref import __version__
from xref.model import Problem
from xref.sanitise import UNSAFE_ABOVE_C0, sanitise_line
from xref.search import PER_DOCUMENT

SUBCOMMANDS = ("mentions", "entities", "show", "cite", "search")
_COMMAND_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")  # not a path: no "/", no ".", no digits


class UserError(Exception):
    """A mistake in the command line or its input: printed without a traceback.
    ``code``: the exit status (2 for a command line that cannot be carried out as given)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class OutputError(Exception):
    """The output could not be written (a full disk, a terminal gone): not the engine's fault."""


class _Output:
    """The output stream, with its write errors told apart from any other OSError."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        with _output_errors():
            return self._stream.write(text)

    def flush(self) -> None:
        with _output_errors():
            self._stream.flush()


@contextmanager
def _output_errors() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise  # the reader went away: handled on its own
    except OSError as exc:
        raise OutputError(_os_reason(exc)) from exc


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return reason[:1].lower() + reason[1:]


def _common(p: argparse.ArgumentParser) -> None:
    # default=[]: without one argparse counts a "*" positional as required in its error messages.
    p.add_argument("paths", nargs="*", default=[], metavar="PATH", help="folders or files (default: the bundled corpus)")
    p.add_argument("--kb", metavar="FILE", help="a knowledge-base file merged over the built-in one")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the index cache")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xref",
        description="Read a corpus and cross-reference the people, organisations and places in it.",
        epilog="Run 'xref' alone to open the reader on the bundled corpus, or 'xref FOLDER' for your own.",
    )
    parser.add_argument("--version", action="version", version=f"xref {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("mentions", help="list every mention")
    _common(p)
    p.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    p.add_argument("--entity", metavar="NAME", help="only mentions of this entity (any alias or spelling)")

    p = sub.add_parser("entities", help="list every entity that is mentioned")
    _common(p)
    p.add_argument("--format", choices=("jsonl", "table"), default="jsonl")

    p = sub.add_parser("show", help="an entity with all its mentions, grouped by document")
    p.add_argument("name", metavar="NAME")
    _common(p)
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("cite", help="print a citation of a paragraph, line or quote of a document")
    p.add_argument("doc", metavar="DOC", help="document id (path relative to the corpus root), the path of its file, or a unique part of the id")
    _common(p)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--para", type=int, metavar="N", help="paragraph number (1-based)")
    where.add_argument("--line", type=int, metavar="N", help="line number (1-based)")
    where.add_argument("--quote", metavar="TEXT", help="exact quote (white space may differ)")
    p.add_argument("--style", default="chicago", help="chicago, apa, mla, markdown, bibtex or csl-json")

    p = sub.add_parser(
        "search",
        help="full-text search of the corpus, best matching paragraphs first",
        description=f"Full-text search of the corpus: the best documents first, each with at most {PER_DOCUMENT} "
        "hits (its best paragraphs).",
    )
    p.add_argument("query", metavar="QUERY", help='words, "a phrase", AND / OR / NOT, prefix*')
    _common(p)
    p.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    p.add_argument("--limit", type=int, default=20, metavar="N",
                   help=f"at most N hits (default 20), at most {PER_DOCUMENT} per document")
    return parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _parse_intermixed(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``parser.parse_intermixed_args(argv)``, with "--" kept working.

    Intermixed parsing drops the "--" in its first pass, so in the second a
    value after it that starts with "-" (``xref show -- -x``) is taken for an
    option. What follows "--" goes in as stand-ins that cannot look like
    options (no argument holds a NUL), and is put back after.
    """
    if "--" not in argv:
        return parser.parse_intermixed_args(argv)
    cut = argv.index("--")
    stand_in = {f"\0{k}": value for k, value in enumerate(argv[cut + 1 :])}
    args = parser.parse_intermixed_args([*argv[:cut], "--", *stand_in])
    for key, value in vars(args).items():
        if isinstance(value, str):
            setattr(args, key, stand_in.get(value, value))
        elif isinstance(value, list):
            setattr(args, key, [stand_in.get(v, v) if isinstance(v, str) else v for v in value])
    return args


def _report_problems(problems: Sequence[Problem], err: TextIO) -> None:
    for pr in problems:
        label = "warning" if pr.severity == "warning" else "error"
        print(f"xref: {label}: {sanitise_line(pr.path)}: {sanitise_line(pr.reason)}", file=err)


def _open(args: argparse.Namespace, err: TextIO):  # -> Workspace
    from xref.engine import open_workspace

    if args.kb:
        # Named on purpose: answering without it would not be what was asked. (A problem
        # in the default user file, not named, stays a problem line among the others.)
        from xref.kb import load_knowledge_base

        _, kb_problems = load_knowledge_base(Path(args.kb), use_default_user_file=False)
        if kb_problems:
            raise UserError(f"--kb {kb_problems[0].path}: {kb_problems[0].reason}", code=2)
    try:
        ws = open_workspace(args.paths, kb_path=args.kb, use_cache=False if args.no_cache else None)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    _report_problems(ws.problems, err)
    if not ws.corpus.documents:
        # Nothing to answer from: an empty output must not pass for "no mentions".
        why = "" if ws.problems else " (found no .txt, .md, .markdown, .html or .htm files)"
        raise UserError("no documents loaded" + why)
    return ws


def _table(rows: list[list[str]], out: TextIO) -> None:
    if not rows:
        return
    widths = [max(_cells(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write("  ".join(c + " " * (w - _cells(c)) for c, w in zip(r, widths)).rstrip() + "\n")


def _cells(text: str) -> int:
    """Terminal columns ``text`` takes: two for a wide or fullwidth character
    (Hangul, CJK), none for a combining mark or a Hangul vowel or final
    consonant that joins the syllable before it, one for the rest."""
    if text.isascii():
        return len(text)
    cells = 0
    for c in text:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me") or "\u1160" <= c <= "\u11ff":
            continue
        cells += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return cells


# json.dumps(ensure_ascii=False) escapes C0 controls but writes DEL, C1 and bidi
# controls raw (a terminal acts on them) and lone surrogates (from file names
# that are not UTF-8) that cannot be encoded at all. They can only occur inside
# JSON strings, where a \uXXXX escape is the same value: JSON stays exact.
_JSON_UNSAFE = re.compile(f"[{UNSAFE_ABOVE_C0}]")


def _jsonl(obj: object, out: TextIO) -> None:
    line = json.dumps(obj, ensure_ascii=False)
    if _JSON_UNSAFE.search(line):
        line = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
    out.write(line + "\n")


def cmd_mentions(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _check_name(args.entity)
    ws = _open(args, err)
    index = ws.index
    only = None
    if args.entity is not None:
        only = _entity(index, args.entity).id
    rows = [["DOC", "START", "END", "TEXT", "ENTITY", "TYPE", "MATCH"]]
    for doc in ws.corpus.documents:
        for m in index.doc_mentions(doc.id):
            if only and m.entity != only:
                continue
            e = index.entity(m.entity)
            if args.format == "jsonl":
                rec = m.to_json()
                rec["name"] = e.name
                rec["type"] = e.type
                _jsonl(rec, out)
            else:
                rows.append([sanitise_line(m.doc), str(m.start), str(m.end), sanitise_line(m.surface), sanitise_line(e.name),
                             e.type, m.match])
    if args.format == "table":
        _table(rows, out)
    return 0


def cmd_entities(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    ws = _open(args, err)
    index = ws.index
    rows = [["ID", "NAME", "TYPE", "MENTIONS", "DOCS", "DISCOVERED", "ALIASES"]]
    for e in index.mentioned_entities():
        n, k = len(index.mentions_of(e.id)), len(index.doc_counts(e.id))
        if args.format == "jsonl":
            _jsonl(
                {"id": e.id, "name": e.name, "type": e.type, "aliases": list(e.aliases), "hangul": e.hangul,
                 "discovered": e.discovered, "mentions": n, "documents": k},
                out,
            )
        else:
            rows.append([e.id, sanitise_line(e.name), e.type, str(n), str(k), "yes" if e.discovered else "",
                         _shortened(sanitise_line(", ".join(e.aliases)), _ALIASES_SHOWN)])
    if args.format == "table":
        _table(rows, out)
    return 0


_AMBIGUOUS_SHOWN = 8  # names listed when a name could be any of more entities
_ALIASES_SHOWN = 60  # characters of the aliases column in the entities table


def _shortened(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word, "…" saying there is more."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,") + "…"


def _check_name(name: str | None) -> None:
    """Before the corpus is opened: a name of white space names nothing."""
    if name is not None and not name.strip():
        raise UserError("the entity name is empty", code=2)


def _entity(index, name: str):  # -> Entity
    """The one entity ``name`` names, or a UserError: none does, or several could."""
    found = index.resolve_candidates(name)
    if not found:
        hints = ", ".join(e.name for e, _ in index.find_entities(name, limit=3))
        raise UserError(f"no entity matches {name!r}" + (f" (closest: {hints})" if hints else ""))
    if len(found) > 1:
        names = [e.name for e in found]
        shown = [f"{e.name} ({e.id})" if names.count(e.name) > 1 else e.name for e in found[:_AMBIGUOUS_SHOWN]]
        more = len(found) - len(shown)
        raise UserError(f"ambiguous: {name} could be {', '.join(shown)}" + (f" and {more} more" if more else ""))
    return found[0]


def cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _check_name(args.name)
    ws = _open(args, err)
    index = ws.index
    entity = _entity(index, args.name)
    mentions = index.mentions_of(entity.id)
    counts = index.doc_counts(entity.id)
    if args.format == "json":
        _jsonl(
            {"id": entity.id, "name": entity.name, "type": entity.type, "aliases": list(entity.aliases),
             "hangul": entity.hangul, "description": entity.description, "discovered": entity.discovered,
             "mentions": [
                 {**m.to_json(), "line": (s := index.snippet(m)).line, "paragraph": s.paragraph, "context": s.text}
                 for m in mentions
             ]},
            out,
        )
        return 0
    clean = sanitise_line
    out.write(f"{clean(entity.name)} ({entity.type}{', discovered' if entity.discovered else ''})\n")
    if entity.hangul:
        out.write(f"  Hangul: {clean(entity.hangul)}\n")
    if entity.aliases:
        out.write(f"  Also: {clean(', '.join(entity.aliases))}\n")
    if entity.description:
        out.write(f"  {clean(entity.description)}\n")
    out.write(f"  {_plural(len(mentions), 'mention')} in {_plural(len(counts), 'document')}\n")
    current = None
    for m in mentions:
        if m.doc != current:
            current = m.doc
            doc = index.document(m.doc)
            out.write(f"\n{clean(m.doc)} — {clean(doc.title)} ({counts[m.doc]})\n")
        s = index.snippet(m)
        # A snippet is one safe line already; sanitise_line would strip the spaces around the match.
        out.write(f"  line {s.line:>4}  {s.before}[{s.match}]{s.after}  ({m.match})\n")
    return 0


def cmd_cite(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from xref.cite import find_quote, format_citation, make_citation, parse_style

    try:
        style = parse_style(args.style)
    except ValueError as exc:
        raise UserError(str(exc), code=2) from None
    if args.quote is not None and not args.quote.strip():
        raise UserError("the quote is empty", code=2)
    ws = _open(args, err)
    doc = _find_doc(ws, args.doc)
    layout = doc.layout
    if args.para is not None:
        if not 1 <= args.para <= layout.paragraph_count:
            raise UserError(f"{doc.id}: paragraph {args.para} out of range (1-{layout.paragraph_count})")
        start, end = layout.paragraph_span(args.para)
    elif args.line is not None:
        if not 1 <= args.line <= layout.line_count:
            raise UserError(f"{doc.id}: line {args.line} out of range (1-{layout.line_count})")
        start, end = layout.line_span(args.line)
        if not doc.text[start:end].strip():
            raise UserError(f"{doc.id}: line {args.line} is blank")
    else:
        span = find_quote(doc, args.quote)
        if span is None:
            raise UserError(f"{doc.id}: the quote does not occur in the document text")
        start, end = span
    out.write(format_citation(make_citation(doc, start, end), style).rstrip("\n") + "\n")
    return 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _find_doc(ws, wanted: str):  # -> Document
    docs = ws.corpus.documents
    for d in docs:
        if d.id == wanted:
            return d
    # A path to the file (relative to here, as the shell completes it) names its document.
    try:
        inside = Path(wanted).expanduser().resolve().relative_to(Path(ws.corpus.root).resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        inside = None
    if inside is not None:
        for d in docs:
            if d.id == inside:
                return d
    matches = [d for d in docs if wanted in d.id or d.id.endswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UserError(f"no document {wanted!r} in the corpus ({len(docs)} documents)")
    raise UserError(f"{wanted!r} matches {len(matches)} documents: " + ", ".join(d.id for d in matches[:5]))


def cmd_search(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from xref.search import read_query

    if args.limit < 1:
        raise UserError("--limit must be at least 1", code=2)
    ws = _open(args, err)
    reading = read_query(args.query)  # what the search does with the query
    if reading.fallback:
        why = f"xref: note: not valid FTS5 syntax ({sanitise_line(reading.rejected or '')})"
        if reading.terms:
            print(f"{why}; searched as plain words: {sanitise_line(' '.join(reading.terms))}", file=err)
        else:
            print(f"{why}, and no words to search for", file=err)
    hits = ws.search(args.query, limit=args.limit)
    if not hits:
        print(f"xref: no matches for {args.query!r}", file=err)
        return 1
    rows = [["DOC", "LINE", "PARA", "SCORE", "SNIPPET"]]
    for hit in hits:
        doc = ws.index.document(hit.doc_id)
        line = doc.layout.line_of(hit.start)
        if args.format == "jsonl":
            _jsonl({**hit.to_json(), "line": line, "title": doc.title}, out)
        else:
            rows.append([sanitise_line(hit.doc_id), str(line), str(hit.paragraph), f"{hit.score:.3g}",
                         sanitise_line(hit.snippet)])
    if args.format == "table":
        _table(rows, out)
    return 0


COMMANDS = {"mentions": cmd_mentions, "entities": cmd_entities, "show": cmd_show, "cite": cmd_cite,
            "search": cmd_search}


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    err = err or sys.stderr
    if argv and argv[0] not in SUBCOMMANDS and _COMMAND_WORD.fullmatch(argv[0]) and _is_missing(argv[0]):
        # `xref mentionz`: a mistyped command, not a folder for the reader.
        close = difflib.get_close_matches(argv[0], SUBCOMMANDS, n=1)
        print(f"xref: no such command or folder: {argv[0]}" + (f" (did you mean {close[0]}?)" if close else ""),
              file=err)
        print(f"xref: the commands are {', '.join(SUBCOMMANDS)}; 'xref --help' tells more", file=err)
        return 2
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        return _run_tui(argv, err)
    parser = build_parser()
    if argv[0] in SUBCOMMANDS:
        # Intermixed: PATH may come after the options too (`xref cite DOC --para 1 FOLDER`),
        # and a mistake is shown with the subcommand's own usage.
        args = _parse_intermixed(_subparsers(parser)[argv[0]], argv[1:])
        args.command = argv[0]
    else:
        args = parser.parse_args(argv)  # -h or --version: prints and exits
    output = _Output(out)
    try:
        code = COMMANDS[args.command](args, output, err)  # type: ignore[arg-type]
        output.flush()  # an error writing the last lines shows here, not at exit
        return code
    except UserError as exc:
        # Messages quote file names and user input: never a control character to the terminal.
        print(f"xref: {sanitise_line(str(exc))}", file=err)
        return exc.code
    except BrokenPipeError:
        # `xref mentions | head`: the reader went away; not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OutputError as exc:
        # `xref mentions > /dev/full`: say so once; what is still buffered goes nowhere.
        print(f"xref: cannot write output: {exc}", file=err)
        if out is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130


def _is_missing(path: str) -> bool:
    from xref.corpus import is_missing

    return is_missing(path)


def terminal_problem(env: dict[str, str] | os._Environ[str], stdin: TextIO, stdout: TextIO) -> str | None:
    """Why the full-screen reader cannot run here, or None when it can."""
    term = env.get("TERM", "")
    if term in ("", "dumb", "unknown"):
        return f"TERM is {term!r}" if term else "TERM is not set"
    for name, stream in (("input", stdin), ("output", stdout)):
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        if not tty:
            return f"standard {name} is not a terminal"
    return None


def _run_tui(argv: list[str], err: TextIO) -> int:
    parser = argparse.ArgumentParser(prog="xref", add_help=True)
    _common(parser)
    args = parser.parse_args(argv)
    problem = terminal_problem(os.environ, sys.stdin, sys.stdout)
    if problem:
        print(f"xref: {problem}; the reader needs an interactive terminal. "
              f"The subcommands work anywhere: xref {{{','.join(SUBCOMMANDS)}}} --help", file=err)
        return 2
    if args.no_cache:
        os.environ["XREF_NO_CACHE"] = "1"  # read by open_workspace in the reader's loader
    try:
        from tui.app import run
    except ImportError as exc:  # pragma: no cover - textual is a dependency
        print(f"xref: the reader needs Textual ({exc}); the subcommands still work: {', '.join(SUBCOMMANDS)}", file=err)
        return 1
    return run(args.paths, kb_path=args.kb, err=err, use_cache=False if args.no_cache else None)


if __name__ == "__main__":
    sys.exit(main())

