"""Score recognition against the hand-made gold mentions of the seeds.

Run ``python -m tests.scoring`` for the report; ``tests/test_recognition_seeds.py``
asserts the thresholds.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from xref.index import CorpusIndex

GOLD = Path(__file__).parent / "data" / "seeds_gold.jsonl"
SCORED_TYPES = {"person", "organisation", "place"}


@dataclass(frozen=True)
class Gold:
    doc: str
    start: int
    end: int
    text: str
    type: str
    group: str
    kind: str


def load_gold(path: Path = GOLD) -> list[Gold]:
    return [Gold(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Report:
    gold_full: int = 0
    found_full: int = 0
    gold_all: int = 0
    found_all: int = 0
    predicted_full: int = 0
    correct_full: int = 0
    linked: int = 0
    linked_ok: int = 0
    missed: list[Gold] = field(default_factory=list)
    spurious: list[tuple[str, int, int, str, str]] = field(default_factory=list)
    mislinked: list[tuple[Gold, str]] = field(default_factory=list)
    split_groups: dict[str, set[str]] = field(default_factory=dict)
    merged_entities: dict[str, set[str]] = field(default_factory=dict)

    @property
    def recall_full(self) -> float:
        return self.found_full / self.gold_full if self.gold_full else 1.0

    @property
    def recall_all(self) -> float:
        return self.found_all / self.gold_all if self.gold_all else 1.0

    @property
    def precision_full(self) -> float:
        return self.correct_full / self.predicted_full if self.predicted_full else 1.0

    @property
    def linking_accuracy(self) -> float:
        return self.linked_ok / self.linked if self.linked else 1.0

    def summary(self) -> str:
        lines = [
            f"full-name recall    {self.recall_full:.3f}  ({self.found_full}/{self.gold_full})",
            f"full-name precision {self.precision_full:.3f}  ({self.correct_full}/{self.predicted_full})",
            f"all-mention recall  {self.recall_all:.3f}  ({self.found_all}/{self.gold_all}, incl. surnames/titles)",
            f"linking accuracy    {self.linking_accuracy:.3f}  ({self.linked_ok}/{self.linked})",
        ]
        for g in self.missed:
            lines.append(f"  missed   {g.doc[:3]} {g.start:>5} {g.text!r} ({g.kind}, {g.group})")
        for doc, s, e, text, eid in self.spurious:
            lines.append(f"  spurious {doc[:3]} {s:>5} {text!r} -> {eid}")
        for g, eid in self.mislinked:
            lines.append(f"  mislinked {g.doc[:3]} {g.start:>5} {g.text!r} ({g.group}) -> {eid}")
        for group, ids in self.split_groups.items():
            lines.append(f"  split    {group}: {sorted(ids)}")
        for eid, groups in self.merged_entities.items():
            lines.append(f"  merged   {eid}: {sorted(groups)}")
        return "\n".join(lines)


def score(index: CorpusIndex, gold: list[Gold]) -> Report:
    r = Report()
    predicted = {}
    for doc_id, mentions in index.by_doc.items():
        for m in mentions:
            predicted[(doc_id, m.start, m.end)] = m
    gold_spans = {(g.doc, g.start, g.end) for g in gold}
    group_entities: dict[str, Counter[str]] = defaultdict(Counter)
    for g in gold:
        hit = predicted.get((g.doc, g.start, g.end))
        r.gold_all += 1
        if g.kind == "full":
            r.gold_full += 1
        if hit is None:
            r.missed.append(g)
            continue
        r.found_all += 1
        if g.kind == "full":
            r.found_full += 1
        group_entities[g.group][hit.entity] += 1
    # Linking: each gold group should map to one entity, and no entity to two groups.
    majority = {group: ids.most_common(1)[0][0] for group, ids in group_entities.items()}
    entity_groups: dict[str, set[str]] = defaultdict(set)
    for group, eid in majority.items():
        entity_groups[eid].add(group)
    for g in gold:
        hit = predicted.get((g.doc, g.start, g.end))
        if hit is None:
            continue
        r.linked += 1
        if hit.entity == majority[g.group] and len(entity_groups[hit.entity]) == 1:
            r.linked_ok += 1
        else:
            r.mislinked.append((g, hit.entity))
    r.split_groups = {g: set(ids) for g, ids in group_entities.items() if len(ids) > 1}
    r.merged_entities = {e: gs for e, gs in entity_groups.items() if len(gs) > 1}
    # Precision over full-name predictions of the scored types.
    for key, m in sorted(predicted.items()):
        if m.match == "coreference":
            continue
        if index.entity(m.entity).type not in SCORED_TYPES:
            continue
        r.predicted_full += 1
        if key in gold_spans:
            r.correct_full += 1
        else:
            r.spurious.append((key[0], key[1], key[2], m.surface, m.entity))
    return r


if __name__ == "__main__":
    import time

    from xref.engine import open_workspace

    t0 = time.perf_counter()
    ws = open_workspace()
    elapsed = time.perf_counter() - t0
    print(score(ws.index, load_gold()).summary())
    print(f"indexed {len(ws.corpus.documents)} seed documents in {elapsed * 1000:.0f} ms (load + KB + recognise)")
