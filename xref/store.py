"""Compact storage of one document's mentions: parallel arrays, not objects.

Two to three million :class:`~xref.model.Mention` objects (a 100 MB corpus)
take over a gigabyte; the same facts as machine integers take about 25 MB.
A :class:`DocRecord` holds, for one document:

* ``starts``/``ends``/``ent``/``kind``: one entry per mention, in text order;
  ``ent`` and ``kind`` index the document's own small tables ``ents`` (entity
  ids, in order of first mention) and ``kinds`` (how matched);
* ``order``/``group``: mention numbers grouped by entity, so the mentions of
  entity ``ents[k]`` are ``order[group[k]:group[k + 1]]``, in text order;
* ``co_b``/``co_n``/``co_group``: paragraph co-occurrence, entity ``k`` shares
  ``co_n[j]`` paragraphs with ``ents[co_b[j]]`` for j in ``co_group[k]:co_group[k+1]``;
* ``discovered``/``surfaces``: entities the recogniser discovered here, and
  how often each spelling of a discovered entity occurs (to name it later).

:func:`pack` and :func:`unpack` turn a record into bytes and back (the index
cache stores them); :func:`unpack` checks every length, so damaged bytes raise
:class:`ValueError` instead of giving wrong offsets.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from array import array
from operator import attrgetter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from xref import _accel
from xref.model import Entity, Mention, TextLayout

__all__ = ["COOCCURRENCE_MAX", "DocRecord", "pack", "pack_container", "unpack", "unpack_container"]

#: A paragraph naming more entities than this is a list or a table, not prose.
COOCCURRENCE_MAX = 60

_START, _END, _ENTITY, _MATCH, _SCORE = (attrgetter(name) for name in ("start", "end", "entity", "match", "score"))


_MAGIC = b"XRD1"
_HEADER = struct.Struct("<4sII")  # magic, header length, crc32 of everything after this struct
_ARRAYS = ("starts", "ends", "ent", "kind", "order", "group", "co_b", "co_n", "co_group")


def _int_code(limit: int) -> str:
    """The smaller of the array type codes 'i' / 'q' that holds values up to ``limit``."""
    return "i" if limit < 2**31 else "q"


def _small_code(limit: int) -> str:
    """Likewise for non-negative numbers, 'H' / 'I'."""
    return "H" if limit < 2**16 else "I"


def _to_array(typecode: str, values: Any) -> array:
    """A numpy integer array as an :class:`array.array` of ``typecode`` (numpy
    reads the array module's type codes as the same C types)."""
    return array(typecode, values.astype(typecode, copy=False).tobytes())


def distinct_sorted(values: Any) -> tuple[Any, Any]:
    """The distinct values of a sorted numpy array, and where each run of equal
    values starts."""
    import numpy as np

    first = np.empty(len(values), bool)
    first[:1] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    runs = np.flatnonzero(first)
    return values[runs], runs


def _cooccurrence(ent: Any, at: Any, para_starts: list[int], n_ents: int) -> tuple[Any, Any, Any]:
    """Which entities share a paragraph, as rows: entity k's partners
    ``co_b[co_group[k]:co_group[k + 1]]`` (ascending) and the number of
    paragraphs shared with each, ``co_n``. ``ent``/``at``: each mention's
    entity number and start, in text order. A paragraph counts if it names
    2 to COOCCURRENCE_MAX distinct entities; a mention before the first
    paragraph counts as in the first."""
    import numpy as np

    co_group = np.zeros(n_ents + 1, np.int64)
    para = np.searchsorted(np.array(para_starts[1:], np.int64), at, side="right")
    # Distinct (paragraph, entity) pairs, by paragraph and then entity.
    present, _ = distinct_sorted(np.sort(para * n_ents + ent))
    para, who = np.divmod(present, n_ents)
    _, first = distinct_sorted(para)
    size = np.diff(first, append=len(present))  # distinct entities in each paragraph
    counted = np.where((size >= 2) & (size <= COOCCURRENCE_MAX), size, 0)
    if not counted.any():
        empty = np.zeros(0, np.int64)
        return empty, empty, co_group
    # Each entity pairs with the ones after it in its paragraph: the one at
    # place j of a paragraph of m has m - 1 - j partners (none if the
    # paragraph does not count).
    place = np.arange(len(present)) - np.repeat(first, size)
    partners = np.maximum(np.repeat(counted, size) - 1 - place, 0)
    left = np.repeat(np.arange(len(present)), partners)
    right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(partners) - partners, partners)
    a, b = who[left], who[right]
    # Both directions, sorted: row by row, partners ascending.
    pairs = np.concatenate((a * n_ents + b, b * n_ents + a))
    pairs.sort()
    pairs, runs = distinct_sorted(pairs)
    co_n = np.diff(runs, append=len(left) * 2)
    row, co_b = np.divmod(pairs, n_ents)
    np.cumsum(np.bincount(row, minlength=n_ents), out=co_group[1:])
    return co_b, co_n, co_group


def _from_bytes(typecode: str, data: bytes) -> array:
    numbers = array(typecode)
    numbers.frombytes(data)
    return numbers


def _surface_counts(
    ents: Sequence[str],
    entity_ids: Sequence[str],
    surface: Callable[[int], str],
    discovered: Mapping[str, Entity],
    known: Mapping[str, Entity],
) -> tuple[tuple[str, str, int], ...]:
    """(entity, spelling, count) of the discovered entities among ``ents``:
    how each is written in the document."""
    found = set()
    for eid in ents:
        entity = known.get(eid) or discovered.get(eid)
        if entity is not None and entity.discovered:
            found.add(eid)
    surface_counts: dict[str, dict[str, int]] = {}
    if found:
        for i, eid in enumerate(entity_ids):
            if eid in found:
                counts = surface_counts.get(eid)
                if counts is None:
                    counts = surface_counts[eid] = {}
                s = surface(i)
                counts[s] = counts.get(s, 0) + 1
    return tuple((eid, s, c) for eid, counts in surface_counts.items() for s, c in counts.items())


def _tables(
    starts: Sequence[int], entity_ids: Sequence[str], layout: TextLayout, big: int
) -> tuple[tuple[str, ...], array, array, array, array, array, array]:
    """record_tables of the compiled loops, with numpy: the distinct entities
    in first-mention order, each mention's entity number, the order and
    groups of mentions by entity, and the paragraph co-occurrence rows."""
    import numpy as np  # here, not at the top: the reader opening a cached corpus builds no record

    n = len(starts)
    ent_no = {eid: k for k, eid in enumerate(dict.fromkeys(entity_ids))}  # first-mention order
    n_ents = len(ent_no)
    # Whole-array operations: a paragraph can name dozens of entities, and a
    # Python step per pair of them was the largest part of building records
    # (150,000 pairs per 10 MB).
    ent = np.fromiter(map(ent_no.__getitem__, entity_ids), np.int64, n)
    at = np.array(starts, np.int64)
    # group[k + 1] - group[k] = mentions of entity k (each has at least one);
    # order: mention numbers by entity, in text order within each (stable sort).
    order = np.argsort(ent, kind="stable")
    group = np.zeros(n_ents + 1, np.int64)
    np.cumsum(np.bincount(ent, minlength=n_ents), out=group[1:])
    co_b, co_n, co_group = _cooccurrence(ent, at, layout.para_starts, n_ents)
    return (
        tuple(ent_no),
        _to_array(_small_code(n_ents), ent),
        _to_array(_int_code(big), order),
        _to_array(_int_code(big), group),
        _to_array(_small_code(n_ents), co_b),
        _to_array(_int_code(big), co_n),
        _to_array(_int_code(max(big, len(co_b))), co_group),
    )


class DocRecord:
    __slots__ = (
        "ents", "kinds", "starts", "ends", "ent", "kind", "scores", "order", "group",
        "co_b", "co_n", "co_group", "discovered", "surfaces", "lines", "paragraphs",
    )

    def __init__(
        self,
        *,
        ents: tuple[str, ...],
        kinds: tuple[str, ...],
        starts: array,
        ends: array,
        ent: array,
        kind: array,
        scores: dict[int, float],
        order: array,
        group: array,
        co_b: array,
        co_n: array,
        co_group: array,
        discovered: tuple[Entity, ...],
        surfaces: tuple[tuple[str, str, int], ...],
        lines: int,
        paragraphs: int,
    ) -> None:
        self.ents = ents
        self.kinds = kinds
        self.starts = starts
        self.ends = ends
        self.ent = ent
        self.kind = kind
        self.scores = scores
        self.order = order
        self.group = group
        self.co_b = co_b
        self.co_n = co_n
        self.co_group = co_group
        self.discovered = discovered
        self.surfaces = surfaces
        self.lines = lines
        self.paragraphs = paragraphs

    def __len__(self) -> int:
        return len(self.starts)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DocRecord):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    # -- building ------------------------------------------------------------------
    @classmethod
    def from_mentions(
        cls,
        mentions: list[Mention],
        discovered: Mapping[str, Entity],
        layout: TextLayout,
        known: Mapping[str, Entity] | None = None,
    ) -> DocRecord:
        """The record of one document's recognition result.

        ``known``: the knowledge base's entities, which win over ``discovered``
        when telling whether a mention's entity is a discovered one.
        """
        # Column-wise with map (C loops): this runs for every document indexed.
        return cls.from_columns(
            list(map(_START, mentions)),
            list(map(_END, mentions)),
            list(map(_ENTITY, mentions)),
            list(map(_MATCH, mentions)),
            list(map(_SCORE, mentions)),
            lambda i: mentions[i].surface,
            discovered,
            layout,
            known,
        )

    @classmethod
    def from_columns(
        cls,
        starts: list[int],
        ends: list[int],
        entity_ids: list[str],
        matches: Sequence[str],
        scores: Sequence[float | None],
        surface: Callable[[int], str],
        discovered: Mapping[str, Entity],
        layout: TextLayout,
        known: Mapping[str, Entity] | None = None,
    ) -> DocRecord:
        """The record of mentions given as parallel columns in text order
        (``surface(i)``: the text of mention ``i``); see :meth:`from_mentions`."""
        n = len(starts)
        big = max(ends[-1] if n else 0, n)
        kind_no = {match: k for k, match in enumerate(dict.fromkeys(matches))}
        # Scores are rare (fuzzy matches only): count the Nones in C first.
        scored = scores.count(None) != n
        scores_of = {i: float(score) for i, score in enumerate(scores) if score is not None} if scored else {}
        fast = _accel.speedups
        tables = None
        if fast is not None:  # the tables in one compiled pass
            tables = fast.record_tables(entity_ids, starts, layout.para_starts, COOCCURRENCE_MAX, big)
        if tables is not None:
            ents, small, wide, co_wide, *numbers = tables
            ent, order, group, co_b, co_n, co_group = (
                _from_bytes(code, data) for code, data in zip((small, wide, wide, small, wide, co_wide), numbers)
            )
        else:
            ents, ent, order, group, co_b, co_n, co_group = _tables(starts, entity_ids, layout, big)
        return cls(
            ents=ents,
            kinds=tuple(map(str, kind_no)),
            starts=array(_int_code(big), starts),
            ends=array(_int_code(big), ends),
            ent=ent,
            kind=array("B", map(kind_no.__getitem__, matches)),
            scores=scores_of,
            order=order,
            group=group,
            co_b=co_b,
            co_n=co_n,
            co_group=co_group,
            discovered=tuple(discovered.values()),
            surfaces=_surface_counts(ents, entity_ids, surface, discovered, known or {}),
            lines=layout.line_count,
            paragraphs=layout.paragraph_count,
        )

    # -- reading ---------------------------------------------------------------------
    def mention(self, doc_id: str, text: str, i: int) -> Mention:
        start, end = self.starts[i], self.ends[i]
        return Mention(
            doc_id, start, end, text[start:end], self.ents[self.ent[i]], self.kinds[self.kind[i]], self.scores.get(i)
        )

    def mentions(self, doc_id: str, text: str) -> list[Mention]:
        ents, kinds, scores = self.ents, self.kinds, self.scores
        return [
            Mention(doc_id, s, e, text[s:e], ents[k], kinds[c], scores.get(i))
            for i, (s, e, k, c) in enumerate(zip(self.starts, self.ends, self.ent, self.kind))
        ]

    def entity_mentions(self, k: int) -> array:
        """Mention numbers of local entity ``k``, in text order."""
        return self.order[self.group[k] : self.group[k + 1]]


# -- bytes -----------------------------------------------------------------------------
#
# One container format for records and summaries: a struct header (magic,
# JSON length, CRC32 of the rest), the JSON, then the arrays' bytes in order.


def pack_container(magic: bytes, header: dict[str, Any], arrays: Sequence[array]) -> bytes:
    header = {**header, "bo": sys.byteorder, "a": [[a.typecode, len(a)] for a in arrays]}
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = b"".join([head, *(a.tobytes() for a in arrays)])
    return _HEADER.pack(magic, len(head), zlib.crc32(body)) + body


def unpack_container(magic: bytes, blob: bytes | memoryview) -> tuple[dict[str, Any], list[array]]:
    """(header, arrays) packed by :func:`pack_container`; ValueError when damaged."""
    view = memoryview(blob)
    try:
        found, head_len, crc = _HEADER.unpack_from(view)
        if found != magic:
            raise ValueError("wrong kind of data")
        start = _HEADER.size
        if zlib.crc32(view[start:]) != crc:
            raise ValueError("checksum mismatch")
        header = json.loads(bytes(view[start : start + head_len]).decode("utf-8"))
        if header.get("bo") != sys.byteorder:
            raise ValueError("written on a machine with another byte order")
        pos = start + head_len
        arrays: list[array] = []
        for code, length in header["a"]:
            a = array(code)
            end = pos + length * a.itemsize
            if end > len(view):
                raise ValueError("truncated")
            a.frombytes(view[pos:end])
            arrays.append(a)
            pos = end
        if pos != len(view):
            raise ValueError("trailing bytes")
        return header, arrays
    except ValueError as exc:  # json, array.frombytes, bad typecodes
        raise ValueError(f"damaged data: {exc}") from None
    except (struct.error, UnicodeDecodeError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"damaged data: {exc}") from None


def pack(record: DocRecord) -> bytes:
    header: dict[str, Any] = {
        "v": 1,
        "e": record.ents,
        "k": record.kinds,
        "s": [[i, s] for i, s in record.scores.items()],
        "d": [[e.id, e.name, e.type] for e in record.discovered],
        "f": record.surfaces,
        "l": [record.lines, record.paragraphs],
    }
    return pack_container(_MAGIC, header, [getattr(record, name) for name in _ARRAYS])


def unpack(blob: bytes | memoryview) -> DocRecord:
    """The record packed in ``blob``; ValueError if it is damaged or from another machine."""
    header, array_list = unpack_container(_MAGIC, blob)
    try:
        if header.get("v") != 1 or len(array_list) != len(_ARRAYS):
            raise ValueError("record from another version")
        arrays = dict(zip(_ARRAYS, array_list))
        ents = tuple(header["e"])
        kinds = tuple(header["k"])
        n = len(arrays["starts"])
        n_ents = len(ents)
        group = arrays["group"]
        if not (
            len(arrays["ends"]) == len(arrays["ent"]) == len(arrays["kind"]) == len(arrays["order"]) == n
            and len(group) == n_ents + 1 == len(arrays["co_group"])
            and len(arrays["co_b"]) == len(arrays["co_n"])
            and (n_ents == 0 or (group[0] == 0 and group[-1] == n))
        ):
            raise ValueError("inconsistent record")
        lines, paragraphs = header["l"]
        return DocRecord(
            ents=ents,
            kinds=kinds,
            scores={int(i): float(s) for i, s in header["s"]},
            discovered=tuple(Entity(e, name, t, discovered=True) for e, name, t in header["d"]),
            surfaces=tuple((e, s, int(c)) for e, s, c in header["f"]),
            lines=int(lines),
            paragraphs=int(paragraphs),
            **arrays,
        )
    except (TypeError, KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"damaged record: {exc}") from None


# -- corpus summary ------------------------------------------------------------------------

_SUMMARY_MAGIC = b"XRS1"
COOCCURRING_KEPT = 64  # partners per entity kept in a summary


class Summary:
    """What an index needs when it opens, without any document's mention arrays.

    ``entity_ids``: entities with mentions, in order of first mention in the
    corpus. Entity number ``k``'s postings are ``[offsets[k], offsets[k+1])``
    of ``docs`` (document numbers, ascending), ``locals`` (its number in that
    document's entity table) and ``counts`` (its mentions there).
    ``named``: (id, name, type) of discovered entities, named by their
    commonest spelling. ``cooccur``: for entity k, its partners (entity
    numbers) and shared-paragraph counts, best first, at most
    :data:`COOCCURRING_KEPT`, in ``[co_offsets[k], co_offsets[k+1])`` -- or
    None when not computed.
    """

    __slots__ = ("entity_ids", "offsets", "docs", "locals", "counts", "doc_mentions", "doc_lines", "named",
                 "co_offsets", "co_partner", "co_count")

    def __init__(
        self,
        entity_ids: list[str],
        offsets: array,
        docs: array,
        locals: array,  # noqa: A002
        counts: array,
        doc_mentions: array,
        doc_lines: array,
        named: list[tuple[str, str, str]],
        co_offsets: array | None = None,
        co_partner: array | None = None,
        co_count: array | None = None,
    ) -> None:
        self.entity_ids = entity_ids
        self.offsets = offsets
        self.docs = docs
        self.locals = locals
        self.counts = counts
        self.doc_mentions = doc_mentions
        self.doc_lines = doc_lines
        self.named = named
        self.co_offsets = co_offsets
        self.co_partner = co_partner
        self.co_count = co_count

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Summary):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]


def pack_summary(summary: Summary) -> bytes:
    arrays = [summary.offsets, summary.docs, summary.locals, summary.counts, summary.doc_mentions, summary.doc_lines]
    has_co = summary.co_offsets is not None
    if has_co:
        arrays += [summary.co_offsets, summary.co_partner, summary.co_count]  # type: ignore[list-item]
    header = {"v": 1, "e": summary.entity_ids, "n": summary.named, "co": has_co}
    return pack_container(_SUMMARY_MAGIC, header, arrays)


def unpack_summary(blob: bytes | memoryview, documents: int) -> Summary:
    """The summary in ``blob`` for a corpus of ``documents`` documents; ValueError when damaged."""
    header, arrays = unpack_container(_SUMMARY_MAGIC, blob)
    try:
        has_co = bool(header["co"])
        if header.get("v") != 1 or len(arrays) != (9 if has_co else 6):
            raise ValueError("summary from another version")
        offsets, docs, locals_, counts, doc_mentions, doc_lines = arrays[:6]
        entity_ids = list(header["e"])
        if not (
            len(offsets) == len(entity_ids) + 1
            and offsets[0] == 0
            and offsets[-1] == len(docs) == len(locals_) == len(counts)
            and len(doc_mentions) == len(doc_lines) == documents
        ):
            raise ValueError("inconsistent summary")
        summary = Summary(entity_ids, offsets, docs, locals_, counts, doc_mentions, doc_lines,
                          [(e, n, t) for e, n, t in header["n"]])
        if has_co:
            co_offsets, co_partner, co_count = arrays[6:]
            if not (len(co_offsets) == len(entity_ids) + 1 and co_offsets[-1] == len(co_partner) == len(co_count)):
                raise ValueError("inconsistent summary")
            summary.co_offsets, summary.co_partner, summary.co_count = co_offsets, co_partner, co_count
        return summary
    except (TypeError, KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"damaged summary: {exc}") from None
