"""Load a folder of documents: read, decode, extract text and metadata.

Public API: :func:`load_corpus`, :func:`load_document`, :class:`Corpus`,
:class:`LoadError`, :data:`SUPPORTED`, :func:`bundled_corpus_path`.

Nothing in a bad input stops the rest from loading: every file that cannot be
read, decoded or parsed becomes a :class:`~xref.model.Problem` and the loader
moves on. ``Document.text`` is exactly what the reader shows (sanitised, LF
line ends), so offsets computed on it are the offsets on screen.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import errno
import os
import re
import stat
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Final, Protocol

from xref import _accel
from xref.model import Document, Problem, TextLayout
from xref.sanitise import sanitise, sanitise_line, utf8_needs_sanitising
from xref.tomltext import TomlSyntaxError, load_toml

if TYPE_CHECKING:  # the parsers are imported on the first file that needs them
    from bs4.element import Tag
    from lxml.html import HtmlElement

__all__ = [
    "MANIFEST_NAME",
    "META_FIELDS",
    "SUPPORTED",
    "Corpus",
    "LoadError",
    "bundled_corpus_path",
    "CorpusPlan",
    "is_missing",
    "LazyDocument",
    "TextSource",
    "load_corpus",
    "load_document",
    "plan_corpus",
    "read_file",
]

SUPPORTED: Final = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
MANIFEST_NAME: Final = "manifest.toml"
META_FIELDS: Final = ("title", "author", "date", "publisher", "url")

_SUPPORTED_LIST: Final = ".txt, .md, .markdown, .html and .htm files"
_KINDS: Final = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
_TITLE_MAX: Final = 200
_BYLINE_LINES: Final = 40
_SNIFF_BYTES: Final = 8192


class LoadError(Exception):
    """A file that cannot be loaded; ``reason`` is short and meant for people."""

    def __init__(self, reason: str, *, severity: str = "error") -> None:
        super().__init__(reason)
        self.reason = reason
        self.severity = severity


@dataclass
class Corpus:
    root: Path
    documents: list[Document]
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # ids of files with unsupported types
    _by_id: dict[str, Document] = field(default_factory=dict, init=False, repr=False, compare=False)

    def get(self, doc_id: str) -> Document | None:
        """The document with id ``doc_id``, or None."""
        doc = self._by_id.get(doc_id)
        if doc is None and len(self._by_id) != len(self.documents):
            # Built lazily, rebuilt if documents were added after the first look-up.
            self._by_id = {d.id: d for d in self.documents}
            doc = self._by_id.get(doc_id)
        return doc

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)


class TextSource(Protocol):
    """Where a :class:`LazyDocument` gets its text and layout, by the key it was given."""

    def text(self, key: int) -> str: ...

    def layout(self, key: int) -> TextLayout: ...


class LazyDocument(Document):
    """A :class:`Document` whose text is fetched on use instead of held.

    A 100 MB corpus need not sit in memory: the index cache (or a dict, when
    the cache is off) keeps the texts, with a small LRU of recent ones. ``text``
    and ``layout`` read like the fields they replace; everything else is plain
    data. Pickling or copying gives an ordinary :class:`Document`.
    """

    __slots__ = ("_source", "_key")

    def __init__(
        self,
        source: TextSource,
        key: int,
        *,
        id: str,  # noqa: A002 - the field's name
        path: Path,
        kind: str = "txt",
        title: str = "",
        author: str = "",
        date: str = "",
        publisher: str = "",
        url: str = "",
        headings: tuple[tuple[int, int], ...] = (),
    ) -> None:
        put = object.__setattr__  # Document is frozen
        put(self, "_source", source)
        put(self, "_key", key)
        put(self, "id", id)
        put(self, "path", path)
        put(self, "kind", kind)
        put(self, "title", title)
        put(self, "author", author)
        put(self, "date", date)
        put(self, "publisher", publisher)
        put(self, "url", url)
        put(self, "headings", headings)

    @property  # type: ignore[override]
    def text(self) -> str:
        return self._source.text(self._key)

    @property  # type: ignore[override]
    def layout(self) -> TextLayout:
        return self._source.layout(self._key)

    def __hash__(self) -> int:
        return hash((self.id, self.path))

    def __repr__(self) -> str:
        return f"LazyDocument(id={self.id!r}, path={str(self.path)!r}, kind={self.kind!r}, title={self.title!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (Document, (self.id, self.path, self.text, self.kind, self.title, self.author, self.date,
                           self.publisher, self.url, self.headings))


def bundled_corpus_path() -> Path:
    """The seed corpus shipped with xref.

    A wheel carries it as ``xref/_seeds`` (pyproject maps ``seeds/`` there); a
    source checkout or editable install has ``seeds/`` next to the package.
    """
    package = Path(__file__).resolve().parent
    candidates = (package / "_seeds", package.parent / "seeds")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


# --------------------------------------------------------------------------
# Corpus loading


def load_corpus(
    paths: Sequence[str | Path] = (),
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Corpus:
    """Load documents from folders and/or files; never raises for bad input.

    * no paths: the bundled seed corpus;
    * one folder: every supported file under it, recursively, in sorted
      order, hidden names (".x") skipped, symlinked folders followed once
      (a loop or a second way into the same folder is reported, not walked);
    * files (or several folders): those, with the root at their common
      parent folder.

    Document ids are paths relative to the root, "/"-separated. A
    ``manifest.toml`` at the root supplies metadata. ``progress(done, total)``
    is called after each file.
    """
    plan = plan_corpus(paths)
    problems = plan.problems
    documents: list[Document] = []
    total = len(plan.files)
    for done, (doc_id, path) in enumerate(plan.files, 1):
        try:
            documents.append(load_document(path, plan.root, plan.manifest.get(doc_id), problems=problems))
        except LoadError as err:
            problems.append(Problem(doc_id, err.reason, severity=err.severity))
        if progress is not None:
            progress(done, total)
    return Corpus(root=plan.root, documents=documents, problems=problems, skipped=plan.skipped)


@dataclass
class CorpusPlan:
    """What :func:`load_corpus` would read, found without reading any document.

    ``files`` are (id, path) in corpus order; ``problems`` so far come from the
    paths, the manifest and the folder walk (loading adds one per bad file).
    """

    root: Path
    files: list[tuple[str, Path]]
    manifest: dict[str, dict[str, str]]
    problems: list[Problem]
    skipped: list[str]
    whole_folder: bool  # one folder given: a file not in ``files`` is gone from the corpus


def plan_corpus(paths: Sequence[str | Path] = ()) -> CorpusPlan:
    """Resolve ``paths`` like :func:`load_corpus` (root, manifest, sorted file list) without loading."""
    inputs = [Path(os.path.abspath(p)) for p in paths] or [bundled_corpus_path()]
    problems: list[Problem] = []
    skipped: list[str] = []
    folders: list[Path] = []
    files: list[Path] = []
    not_documents: dict[Path, str] = {}  # files named that cannot be documents, and why
    for path in inputs:
        try:
            info = path.stat()  # follows symbolic links
        except OSError as err:  # missing, a broken or looping link, a folder on the way we may not search
            problems.append(Problem(str(path), _describe_input_error(err, path)))
            continue
        if stat.S_ISDIR(info.st_mode):
            folders.append(path)
            continue
        files.append(path)
        if path.suffix.lower() not in SUPPORTED:
            if not stat.S_ISREG(info.st_mode):
                not_documents[path] = "not a regular file"
            else:
                suffix = path.suffix or "(no extension)"
                not_documents[path] = f"unsupported file type {suffix!r}; xref reads {_SUPPORTED_LIST}"

    root = _common_root(folders, files, inputs)
    manifest_path = root / MANIFEST_NAME
    manifest: dict[str, dict[str, str]] = {}
    try:
        has_manifest = manifest_path.is_file()
    except PermissionError:
        # The root cannot be searched: the walk, or the named paths in it, report that.
        has_manifest = False
    except OSError as err:
        problems.append(Problem(MANIFEST_NAME, _describe_os_error(err, manifest_path) + "; manifest ignored"))
        has_manifest = False
    if has_manifest:
        manifest = _read_manifest(manifest_path, root, problems)

    candidates: dict[str, Path] = {}
    for folder in folders:
        for doc_id, path in _walk(folder, root, problems, skipped):
            candidates.setdefault(doc_id, path)
    for path in files:
        doc_id = _rel_id(path, root)
        if path.suffix.lower() in SUPPORTED:
            candidates.setdefault(doc_id, path)
        elif doc_id != MANIFEST_NAME:
            skipped.append(doc_id)
            # Named on purpose, unlike a file met in a folder: say why it is not read.
            problems.append(Problem(str(path), not_documents[path]))

    ordered = sorted(candidates.items(), key=lambda item: item[0].split("/"))
    skipped.sort(key=lambda doc_id: doc_id.split("/"))
    whole = len(folders) == 1 and not files and folders[0] == root
    return CorpusPlan(root, ordered, manifest, problems, skipped, whole)


def _common_root(folders: list[Path], files: list[Path], inputs: list[Path]) -> Path:
    if len(folders) == 1 and not files:
        return folders[0]
    bases = [*folders, *(f.parent for f in files)] or [p.parent for p in inputs]
    try:
        return Path(os.path.commonpath(bases))
    except ValueError:  # different drives on Windows: ids fall back to full paths
        return bases[0]


def _rel_id(path: Path, root: Path) -> str:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:
        return path.as_posix()
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


_Folder = tuple[Path, str, frozenset[tuple[int, int]]]  # path, id prefix ("a/b/"), ancestors


def _walk(
    top: Path, root: Path, problems: list[Problem], skipped: list[str]
) -> Iterator[tuple[str, Path]]:
    """Yield (id, path) of supported files under ``top``; list the others in ``skipped``.

    Real folders are walked first and symlinked folders after them, so a file
    reachable both ways gets its real path as id. Every folder entered is
    remembered by (st_dev, st_ino): reaching one again is either a loop (it
    is an ancestor) or a second way into the same folder; both are reported
    as warnings and not walked.
    """
    prefix = _rel_id(top, root)
    prefix = "" if prefix == "." else prefix + "/"
    # The folder named is reported by its path: as an id, the root would be only ".".
    top_name = prefix.rstrip("/") or str(top)
    try:
        top_stat = top.stat()
    except OSError as err:
        problems.append(Problem(top_name, _describe_os_error(err, top)))
        return
    top_key = (top_stat.st_dev, top_stat.st_ino)
    seen: dict[tuple[int, int], str] = {top_key: prefix.rstrip("/") or "."}
    folders: list[_Folder] = [(top, prefix, frozenset({top_key}))]
    links: list[_Folder] = []  # symlinked folders, entered once the real tree is done

    def enter(path: Path, entry_id: str, ancestors: frozenset[tuple[int, int]]) -> None:
        try:
            info = path.stat()
        except OSError as err:
            problems.append(Problem(entry_id, _describe_os_error(err, path)))
            return
        key = (info.st_dev, info.st_ino)
        if key in ancestors:
            problems.append(Problem(entry_id, f"symbolic link loop (back to {seen[key]!r}); not followed", "warning"))
        elif key in seen:
            problems.append(Problem(entry_id, f"same folder as {seen[key]!r}; not read twice", "warning"))
        else:
            seen[key] = entry_id
            folders.append((path, entry_id + "/", ancestors | {key}))

    while folders or links:
        if not folders:
            link_path, link_id, link_ancestors = links.pop(0)
            enter(link_path, link_id, link_ancestors)
            continue
        folder, rel, ancestors = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as err:
            reason = "cannot list folder: " + _describe_os_error(err, folder)
            problems.append(Problem(rel.rstrip("/") or top_name, reason))
            continue
        subfolders: list[tuple[Path, str]] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            entry_id = rel + name
            try:
                is_dir = entry.is_dir()  # follows symlinks
                is_link = is_dir and entry.is_symlink()
            except OSError:
                is_dir = is_link = False
            if is_link:
                links.append((Path(entry.path), entry_id, ancestors))
            elif is_dir:
                subfolders.append((Path(entry.path), entry_id))
            elif os.path.splitext(name)[1].lower() in SUPPORTED:
                yield entry_id, Path(entry.path)
            elif entry_id != MANIFEST_NAME:
                skipped.append(entry_id)
        for path, entry_id in reversed(subfolders):
            enter(path, entry_id, ancestors)


# --------------------------------------------------------------------------
# Manifest

_ISO_DATE: Final = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")


def _real_day(iso: str) -> bool:
    """Whether YYYY-MM-DD names a real day (not 2021-02-30)."""
    try:
        _dt.date.fromisoformat(iso)
    except ValueError:
        return False
    return True


def _read_manifest(path: Path, root: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """Manifest entries by document id; a broken manifest is reported and ignored."""
    name = _rel_id(path, root)

    def warn(reason: str, severity: str = "warning") -> None:
        problems.append(Problem(name, reason, severity))

    try:
        source = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        warn(_describe_os_error(err, path) + "; manifest ignored", "error")
        return {}
    except UnicodeDecodeError as err:
        warn(f"not valid UTF-8 (byte {err.start}); manifest ignored", "error")
        return {}
    try:
        data = load_toml(source)
    except TomlSyntaxError as err:
        where = f"line {err.line}: " if err.line is not None else ""
        warn(f"{where}{err.reason}; manifest ignored", "error")
        return {}

    for key in data:
        if key != "document":
            warn(f"unknown top-level key {key!r} ignored")
    documents = data.get("document", [])
    if not isinstance(documents, list):
        warn("'document' must be an array of tables ([[document]]); manifest ignored", "error")
        return {}

    entries: dict[str, dict[str, str]] = {}
    for number, entry in enumerate(documents, 1):
        where = f"[[document]] #{number}"
        if not isinstance(entry, dict):
            warn(f"{where} is not a table; ignored")
            continue
        file = entry.get("file")
        if not isinstance(file, str) or not file.strip():
            warn(f"{where} has no 'file'; ignored")
            continue
        doc_id = _manifest_id(file)
        if doc_id is None:
            warn(f"{where}: file {file!r} must be a relative path inside the corpus; ignored")
            continue
        where = f"{where} ({doc_id})"
        meta: dict[str, str] = {}
        for key, value in entry.items():
            if key == "file":
                continue
            if key not in META_FIELDS:
                warn(f"{where}: unknown field {key!r} ignored")
                continue
            if isinstance(value, _dt.datetime):
                value = value.date().isoformat()
            elif isinstance(value, _dt.date):
                value = value.isoformat()
            if not isinstance(value, str):
                warn(f"{where}: {key} must be a string; ignored")
                continue
            value = sanitise_line(value)
            if key == "date" and value and not _ISO_DATE.fullmatch(value):
                warn(f"{where}: date {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
            elif key == "date" and len(value) == 10 and not _real_day(value):
                warn(f"{where}: date {value!r} is not a day of the calendar")
            if value:
                meta[key] = value
        if doc_id in entries:
            warn(f"{where}: second entry for the same file ignored")
            continue
        entries[doc_id] = meta
        if is_missing(root / doc_id):
            warn(f"{where}: names a missing file")
    return entries


def _manifest_id(file: str) -> str | None:
    rel = PurePosixPath(file.strip().replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        return None
    return rel.as_posix()


# --------------------------------------------------------------------------
# One document


def load_document(
    path: Path,
    root: Path,
    meta: Mapping[str, str] | None = None,
    *,
    problems: list[Problem] | None = None,
    raw: bytes | None = None,
) -> Document:
    """Read one file into a :class:`Document`.

    ``meta`` (manifest fields) overrides what the file states. Raises
    :class:`LoadError` when the file cannot be loaded; caveats about a file
    that did load (e.g. decoded as Windows-1252) are appended to ``problems``
    when given. ``raw``: the file's bytes when the caller already read them
    (with :func:`read_file`), so a file is read once.
    """
    path = Path(path)
    doc_id = _rel_id(path, Path(root))
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        raise LoadError(f"unsupported file type {path.suffix or '(no extension)'!r}")
    if raw is None:
        raw = _read_bytes(path)
    if not raw:
        raise LoadError("empty file", severity="warning")
    text, encoding, warning = _decode(raw, kind)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = _composed(text)

    headings: tuple[tuple[int, int], ...] = ()
    own: dict[str, str] = {}
    layout: TextLayout | None = None
    if kind == "html":
        text, headings, own = _html_to_text(text)
        if SOFT_HYPHEN in text:  # from &shy;
            text, headings = _without_soft_hyphens(text, headings)
        if _NON_SPACE.search(text) is None:
            raise LoadError("no visible text", severity="warning")
    else:
        if _NON_SPACE.search(text) is None:
            raise LoadError("empty file (white space only)", severity="warning")
        # The raw bytes are quicker to scan than the text (see sanitise.py).
        if encoding not in ("utf-8", "cp1252") or utf8_needs_sanitising(raw, cr_allowed=True):
            text = sanitise(text)
        if kind == "md":
            text, own = _split_front_matter(text)
            if _NON_SPACE.search(text) is None:
                raise LoadError("no text besides its front matter", severity="warning")
            layout = TextLayout(text)
            headings, titled = _markdown_structure(text, layout)
            own = {**titled, **own}  # the front matter's title first, else the first heading

    given = {key: sanitise_line(value) for key, value in (meta or {}).items() if isinstance(value, str)}
    fields = {key: given.get(key, "") or own.get(key, "") for key in META_FIELDS}
    if not fields["author"]:
        fields["author"] = _byline(text)
    if not fields["title"]:
        fields["title"] = _first_line(text)
    if warning is not None and problems is not None:
        problems.append(Problem(doc_id, warning, "warning"))
    return Document(
        id=doc_id,
        path=path,
        text=text,
        kind=kind,
        title=fields["title"],
        author=fields["author"],
        date=fields["date"],
        publisher=fields["publisher"],
        url=fields["url"],
        headings=headings,
        _layout=layout,
    )


def read_file(path: Path) -> bytes:
    """The whole file, or :class:`LoadError` with a short reason (what :func:`load_document` reads)."""
    return _read_bytes(Path(path))


def _read_bytes(path: Path) -> bytes:
    """The whole file, or LoadError with a short reason. Never blocks on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise LoadError(_describe_os_error(err, path)) from err
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise LoadError("is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise LoadError("not a regular file")
        with open(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as err:
        raise LoadError(_describe_os_error(err, path)) from err
    finally:
        os.close(fd)


def is_missing(path: str | Path) -> bool:
    """Whether nothing at all is at ``path``, not even a broken symbolic link.

    False when something is there, and when that cannot be told (a folder on
    the way that we may not search): loading it then says why it cannot.
    """
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        pass
    return False


def _describe_input_error(err: OSError, path: Path) -> str:
    """Why a path named by the user cannot be used."""
    if isinstance(err, (FileNotFoundError, NotADirectoryError)) and not os.path.islink(path):
        return "no such file or folder"
    return _describe_os_error(err, path)


def _describe_os_error(err: OSError, path: Path) -> str:
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, IsADirectoryError):
        return "is a directory"
    if isinstance(err, FileNotFoundError):
        return "broken symbolic link" if os.path.islink(path) else "no such file (removed while loading?)"
    if err.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    if err.errno == errno.EIO:
        return "input/output error"
    reason = err.strerror or type(err).__name__
    return reason[:1].lower() + reason[1:]


# --------------------------------------------------------------------------
# Decoding

# C0 controls that do not occur in text files (TAB, LF, VT, FF, CR, ESC do).
_TEXT_BYTES: Final = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\n\x0b\x0c\r\x1b")
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_CHARSET: Final = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


SOFT_HYPHEN: Final = "\u00ad"


def _composed(text: str) -> str:
    """``text`` in Unicode's composed form (NFC), without soft hyphens.

    Text from some systems (macOS file names, PDF extractors) spells "ŏ" as
    "o" plus a combining breve, and Hangul as separate jamo; a scraped page
    hides soft hyphens inside words ("Pyong\u00adyang"). Both look the same on
    screen as the plain spelling, and both would hide a name from recognition
    and search. Offsets are into the text as returned."""
    fast = _accel.speedups
    if not (fast is not None and fast.nfc_quick(text)) and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if SOFT_HYPHEN in text:
        text = text.replace(SOFT_HYPHEN, "")
    return text


def _without_soft_hyphens(
    text: str, spans: tuple[tuple[int, int], ...]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``text`` without soft hyphens, and ``spans`` (offsets into it) moved to match."""
    gone = [m.start() for m in re.finditer(SOFT_HYPHEN, text)]  # found in C, not a Python step per character

    def moved(offset: int) -> int:
        return offset - bisect_left(gone, offset)

    return text.replace(SOFT_HYPHEN, ""), tuple((moved(s), moved(e)) for s, e in spans)


def _decode(raw: bytes, kind: str) -> tuple[str, str, str | None]:
    """(text, codec used, warning or None). Raises LoadError for binary data."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            body = memoryview(raw)[len(bom) :]
            try:
                return str(body, codec), codec, None
            except UnicodeDecodeError:
                return str(body, codec, "replace"), codec, f"not valid {codec.upper()}; bad bytes replaced"
    sample = raw[:_SNIFF_BYTES]
    if b"\x00" in sample or len(sample.translate(None, _TEXT_BYTES)) * 10 > len(sample) * 3:
        raise LoadError("binary file, not text")
    if raw.startswith(codecs.BOM_UTF8):
        body = memoryview(raw)[len(codecs.BOM_UTF8) :]
        try:
            return str(body, "utf-8"), "utf-8", None
        except UnicodeDecodeError:
            return str(body, "utf-8", "replace"), "utf-8", "not valid UTF-8 despite its byte-order mark; bad bytes replaced"
    try:
        return raw.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError:
        pass
    if kind == "html":
        declared = _declared_charset(raw)
        if declared is not None:
            try:
                text = raw.decode(declared, "replace")
            except (LookupError, ValueError):  # e.g. charset=base64: a codec, not a text encoding
                pass
            else:
                return text, declared, f"not valid UTF-8; decoded as {declared} (declared in the page)"
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: "replace" keeps this total.
    return raw.decode("cp1252", "replace"), "cp1252", "not valid UTF-8; decoded as Windows-1252"


def _declared_charset(raw: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(raw[:4096])
    if match is None:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return None if codec in ("utf-8", "utf-16", "utf-32") else codec


# --------------------------------------------------------------------------
# Titles and bylines shared by every kind

_NON_SPACE: Final = re.compile(r"\S")
_NAME_PUNCT: Final = frozenset("-'’.")


def _first_line(text: str) -> str:
    """First non-empty line, trimmed, at most _TITLE_MAX characters."""
    match = _NON_SPACE.search(text)
    if match is None:
        return ""
    start = match.start()
    end = text.find("\n", start, start + 4 * _TITLE_MAX)
    line = sanitise_line(text[start : end if end != -1 else start + 4 * _TITLE_MAX])
    if len(line) > _TITLE_MAX:
        line = line[: _TITLE_MAX - 1].rstrip() + "…"
    return line


def _byline(text: str) -> str:
    """NAME from a line "By NAME" (2-4 capitalised words) in the first lines."""
    start = 0
    for _ in range(_BYLINE_LINES):
        end = text.find("\n", start)
        stop = end if end != -1 else len(text)
        if stop - start < 80:  # a byline is short; do not copy a huge line to find out
            name = _byline_name(text[start:stop].strip())
            if name:
                return name
        if end == -1:
            break
        start = end + 1
    return ""


def _byline_name(line: str) -> str:
    """The name or names (joined by " and ") of a byline "By NAME", "By NAME and
    NAME", "By NAME, NAME & NAME"; a name in capitals is given in title case."""
    if line[:3] not in ("By ", "BY "):
        return ""
    names: list[str] = []
    for part in _BYLINE_SEPARATORS.split(line[3:].strip()):
        words = part.split()
        if not 2 <= len(words) <= 4:
            return ""
        for word in words:
            if not word[0].isupper() or not all(c.isalpha() or c in _NAME_PUNCT for c in word):
                return ""
        name = " ".join(words)
        names.append(name.title() if name.isupper() else name)
    return " and ".join(names)


_BYLINE_SEPARATORS: Final = re.compile(r"\s*,\s*(?:and\s+)?|\s+(?:and|&)\s+")


_ISO_PREFIX: Final = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?(?=$|[T ])")


def _iso_prefix(value: str) -> str:
    """"2024-01-17T09:30:00+09:00" -> "2024-01-17"; anything else unchanged."""
    value = sanitise_line(value)
    match = _ISO_PREFIX.match(value)
    return match.group() if match is not None else value


# --------------------------------------------------------------------------
# Markdown

_FRONT_MATTER: Final = re.compile(r"---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_MATTER_KEYS: Final = {"title": "title", "author": "author", "authors": "author", "date": "date",
                             "publisher": "publisher", "url": "url", "canonical_url": "url",
                             "site_name": "publisher"}


def _split_front_matter(text: str) -> tuple[str, dict[str, str]]:
    """Markdown source without its YAML front matter, and the fields the front
    matter gives. The front matter is the document's metadata, not its text:
    left in, it was quoted as the first paragraph and moved every ¶ number."""
    front = _FRONT_MATTER.match(text, 0, 64 * 1024) if text.startswith("---") else None
    if front is None:
        return text, {}
    return text[front.end():], _front_matter(front.group(1) or "")


def _markdown_structure(text: str, layout: TextLayout) -> tuple[tuple[tuple[int, int], ...], dict[str, str]]:
    """Heading line spans and the title (the first heading) of Markdown source."""
    own: dict[str, str] = {}
    headings: list[tuple[int, int]] = []
    first_heading: list[str] | None = None  # the first heading's text, while it is being read
    title = ""
    encoded = text.encode("utf-8", "surrogatepass")
    counted, lines = 0, 0  # newlines before byte ``counted`` of the text
    for event, span in _markdown_events(text):
        if isinstance(event, dict):
            if "Start" in event:
                start = event["Start"]
                if isinstance(start, dict) and "Heading" in start:
                    # Whole lines, like the heading's source: "> ## Quoted" and a
                    # setext heading's underline are part of it. Ranges are in bytes.
                    begin, end = span["start"], max(span["start"], span["end"] - 1)
                    lines += encoded.count(b"\n", counted, begin)
                    first_line = lines + 1
                    last_line = first_line + encoded.count(b"\n", begin, end)
                    counted = begin
                    headings.append((layout.line_span(first_line)[0],
                                     layout.line_span(min(last_line, layout.line_count))[1]))
                    if not title and first_heading is None:
                        first_heading = []
            elif "End" in event:
                if first_heading is not None and isinstance(event["End"], dict) and "Heading" in event["End"]:
                    title = sanitise_line("".join(first_heading))[:_TITLE_MAX]
                    first_heading = None
            elif first_heading is not None and ("Text" in event or "Code" in event):
                first_heading.append(event.get("Text") or event.get("Code") or "")
        elif first_heading is not None and event in ("SoftBreak", "HardBreak"):
            first_heading.append(" ")
    if title:
        own["title"] = title
    return tuple(headings), own


def _markdown_events(source: str) -> list[tuple[Any, dict[str, int]]]:
    """CommonMark parse events of ``source`` with their byte ranges, from
    pulldown-cmark (through pyromark); none if it cannot read the text."""
    import pyromark  # imported on first Markdown file only

    try:
        return list(pyromark.events_with_range(source))
    except (ValueError, TypeError, UnicodeError):
        return []


def _front_matter(block: str) -> dict[str, str]:
    """The citation fields of a YAML front-matter block. A list (``author: [A,
    B]`` or one "- name" per line) becomes "A; B". Front matter that is not
    YAML, or not a mapping, gives nothing."""
    import yaml  # on the first Markdown file with front matter only

    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    own: dict[str, str] = {}
    for key, value in data.items():
        field_name = _FRONT_MATTER_KEYS.get(str(key).strip().lower())
        if field_name is None or field_name in own:
            continue
        if isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value if isinstance(v, (str, int, float)) and str(v).strip())
        elif isinstance(value, (_dt.date, _dt.datetime)):
            value = value.isoformat()
        elif not isinstance(value, (str, int, float)):
            continue
        text = sanitise_line(str(value).strip())
        if text:
            own[field_name] = _iso_prefix(text) if field_name == "date" else text
    return own


# --------------------------------------------------------------------------
# HTML

# Never shown by a browser, or page chrome rather than the document.
_DROP_TAGS: Final = frozenset({
    "script", "style", "noscript", "template", "svg", "head", "title", "nav", "aside", "form",
    "iframe", "object", "embed", "canvas", "video", "audio", "button", "select", "textarea",
})
_CHROME_TAGS: Final = frozenset({"header", "footer"})  # kept inside <article>/<main>
_CHROME_ROLES: Final = frozenset({"navigation", "banner", "contentinfo", "search"})
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS: Final = frozenset({
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "header", "hgroup",
    "hr", "html", "legend", "li", "listing", "main", "menu", "ol", "p", "section", "summary",
    "table", "tbody", "tfoot", "thead", "tr", "ul", "xmp",
})
_CELLS: Final = frozenset({"td", "th"})
_CONTENT: Final = frozenset({"article", "main"})
_HIDDEN_STYLE: Final = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Runs of HTML's white space (not NBSP) other than a lone space, which would be
# replaced by itself: most gaps between words are one space, so far fewer matches.
_HTML_SPACE: Final = "\t\n\r\f"  # with the space: what HTML lays out as one space


def _collapse_html_space(text: str) -> str:
    """``text`` with each run of HTML white space one space, and none at the
    ends. ``str.replace`` runs at memory speed, where a regular expression
    stepped through every character of a page (a quarter of reading one)."""
    for c in _HTML_SPACE:
        if c in text:
            text = text.replace(c, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


def _html_to_text(source: str) -> tuple[str, tuple[tuple[int, int], ...], dict[str, str]]:
    """(visible text, heading spans, metadata) of an HTML page.

    libxml2 (through lxml) parses the page, in C, at tens of MB/s. It keeps
    elements at most 2,048 deep and drops what lies deeper, so a page nested
    deeper than that is read again, for its text, by BeautifulSoup over
    Python's own parser: several times slower, but without a limit.
    """
    parsed = _parse_html(source)
    if parsed is None:  # nothing but white space and comments
        return "", (), {}
    root, complete = parsed
    text, headings = _lxml_text(root) if complete else _soup_text(source)
    return sanitise(text), headings, _html_metadata(root)


def _parse_html(source: str) -> tuple[HtmlElement, bool] | None:
    """(root, whether the tree holds the whole page) from lxml; None for an empty page."""
    import lxml.etree
    import lxml.html  # imported on first HTML file only

    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        # Bytes, not str: lxml refuses a str that starts with an XML declaration.
        root = lxml.html.document_fromstring(source.encode("utf-8", "surrogatepass"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError):
        return None
    return root, not any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


def _lxml_text(root: HtmlElement) -> tuple[str, tuple[tuple[int, int], ...]]:
    extractor = _TextExtractor()
    body = root.find("body")
    _walk_lxml(extractor, root if body is None else body)
    return extractor.result()


def _soup_text(source: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(source, "html.parser")
    extractor = _TextExtractor()
    _walk_soup(extractor, soup.body or soup)
    return extractor.result()


def _walk_lxml(extractor: _TextExtractor, top: HtmlElement) -> None:
    """Feed ``extractor`` the elements and text of an lxml tree, in document order.

    Text before an element's first child is its ``text``; text after it, up to
    the next sibling, is its ``tail`` and belongs to the parent.
    """
    buffer = extractor.buffer
    if top.text:
        buffer.append(top.text)
    # Explicit stack: pages nest deeply enough to break Python's recursion limit.
    stack: list[tuple[HtmlElement, Iterator[HtmlElement]]] = [(top, iter(top))]
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            extractor.leave(element.tag)
            if stack and element.tail:
                buffer.append(element.tail)
            continue
        name = child.tag
        if not isinstance(name, str) or extractor.hidden(name, child.attrib):  # entities, or hidden
            if child.tail:
                buffer.append(child.tail)
            continue
        extractor.enter(name)
        if child.text:
            buffer.append(child.text)
        stack.append((child, iter(child)))


def _walk_soup(extractor: _TextExtractor, top: Tag) -> None:
    """Feed ``extractor`` the elements and text of a BeautifulSoup tree, in document order."""
    from bs4.element import NavigableString, PreformattedString, Tag

    stack: list[tuple[Tag, Iterator[object]]] = [(top, iter(list(top.contents)))]
    while stack:
        tag, children = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            extractor.leave(tag.name)
            continue
        if isinstance(node, Tag):
            if extractor.hidden(node.name, node.attrs):
                continue
            extractor.enter(node.name)
            stack.append((node, iter(list(node.contents))))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            extractor.buffer.append(str(node))


class _TextExtractor:
    """Turns a parsed page into paragraphs: one per block element, "\\n\\n" between."""

    def __init__(self) -> None:
        self.paragraphs: list[tuple[str, bool]] = []  # (text, is heading)
        self.buffer: list[str] = []
        self.prefix = ""  # list bullet waiting for its item's first paragraph
        self.heading_depth = 0
        self.pre_depth = 0
        self.content_depth = 0

    def hidden(self, name: str, attrs: Mapping[str, Any]) -> bool:
        if name in _DROP_TAGS:
            return True
        if name in _CHROME_TAGS and not self.content_depth:
            return True
        role = attrs.get("role")
        if isinstance(role, str) and _CHROME_ROLES.intersection(role.lower().split()):
            return True
        if "hidden" in attrs:
            return True
        style = attrs.get("style")
        return isinstance(style, str) and _HIDDEN_STYLE.search(style) is not None

    def enter(self, name: str) -> None:
        if name in _CONTENT:
            self.content_depth += 1
        if self.pre_depth:
            if name == "br":
                self.buffer.append("\n")
            elif name == "pre":
                self.pre_depth += 1
            return
        if name == "pre":
            self.flush()
            self.pre_depth = 1
        elif name in _HEADINGS:
            self.flush()
            self.heading_depth += 1
        elif name == "br":
            self.flush()
        elif name in _CELLS:
            self.buffer.append(" ")
        elif name in _BLOCKS:
            self.flush()
            if name == "li":
                self.prefix = "• "

    def leave(self, name: str) -> None:
        if name in _CONTENT:
            self.content_depth -= 1
        if self.pre_depth:
            if name == "pre":
                self.pre_depth -= 1
                if not self.pre_depth:
                    self.flush(preformatted=True)
            return
        if name in _HEADINGS:
            self.flush()
            self.heading_depth = max(0, self.heading_depth - 1)
        elif name in _BLOCKS:
            self.flush()

    def flush(self, *, preformatted: bool = False) -> None:
        if not self.buffer:
            return
        raw = "".join(self.buffer)
        self.buffer.clear()
        if preformatted:
            # HTML drops one newline right after <pre>; trailing blank lines are layout.
            text = raw[1:] if raw.startswith("\n") else raw
            text = text.rstrip()
            if text.strip() and self.prefix:
                text = self.prefix + text
        else:
            text = _collapse_html_space(raw)
            if text.strip():
                text = self.prefix + text
        if not text.strip():
            return
        self.prefix = ""
        self.paragraphs.append((text, self.heading_depth > 0))

    def result(self) -> tuple[str, tuple[tuple[int, int], ...]]:
        self.flush(preformatted=self.pre_depth > 0)
        headings: list[tuple[int, int]] = []
        offset = 0
        for text, is_heading in self.paragraphs:
            if is_heading:
                headings.append((offset, offset + len(text)))
            offset += len(text) + 2
        return "\n\n".join(text for text, _ in self.paragraphs), tuple(headings)


def _html_metadata(root: HtmlElement) -> dict[str, str]:
    metas: dict[str, str] = {}
    citation_authors: list[str] = []  # one tag per author (Google Scholar's tags)
    for meta in root.iter("meta"):
        content = meta.get("content")
        if not content or not content.strip():
            continue
        for attribute in ("name", "property", "itemprop"):
            key = (meta.get(attribute) or "").strip().lower()
            if key:
                metas.setdefault(key, content)
                if key == "citation_author":
                    citation_authors.append(sanitise_line(content))

    def first(*keys: str, skip_urls: bool = False) -> str:
        for key in keys:
            value = sanitise_line(metas.get(key, ""))
            if value and not (skip_urls and re.match(r"https?://", value)):
                return value
        return ""

    own: dict[str, str] = {}
    title = ""
    for tag in root.iter("title"):
        if not any(parent.tag == "svg" for parent in tag.iterancestors()):
            title = sanitise_line(tag.text_content())
            break
    # The page's own title tag often carries the site's name ("Kim visits factory
    # | NK News"): the tags that name the work alone come first.
    own["title"] = first("citation_title", "dc.title", "dcterms.title", "og:title", "twitter:title") or title
    own["author"] = "; ".join(a for a in citation_authors if a) or first(
        "author", "article:author", "dc.creator", "dcterms.creator", skip_urls=True
    )
    date = first("date", "article:published_time", "dc.date", "dcterms.date", "dc.date.issued",
                 "citation_publication_date")
    if not date:
        for time_tag in root.iter("time"):
            value = time_tag.get("datetime")
            if value and value.strip():
                date = value
                break
    own["date"] = _iso_prefix(date) if date else ""
    own["publisher"] = first("citation_publisher", "dc.publisher", "dcterms.publisher", "og:site_name",
                             "citation_journal_title")
    url = ""
    for link in root.iter("link"):
        href = link.get("href")
        if "canonical" in (link.get("rel") or "").lower().split() and href and href.strip():
            url = sanitise_line(href)
            break
    own["url"] = url or first("og:url")
    return {key: value for key, value in own.items() if value}
