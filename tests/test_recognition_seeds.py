"""Recognition scored against hand-made gold mentions of the four seeds."""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.scoring import load_gold, score


@pytest.fixture(scope="module")
def report(seed_workspace):
    return score(seed_workspace.index, load_gold())


def test_gold_file_slices_the_seed_texts(seed_workspace):
    gold = load_gold()
    assert len(gold) > 300
    for g in gold:
        assert seed_workspace.index.document(g.doc).text[g.start : g.end] == g.text


def test_full_name_recall_at_least_95_percent(report):
    assert report.recall_full >= 0.95, report.summary()


def test_full_name_precision_at_least_95_percent(report):
    assert report.precision_full >= 0.95, report.summary()


def test_linking_accuracy_at_least_95_percent(report):
    assert report.linking_accuracy >= 0.95, report.summary()


def test_every_variant_of_a_cross_document_entity_links_to_one_id(seed_workspace):
    """A group named in two or more documents must have exactly one entity id."""
    gold = load_gold()
    docs_by_group: dict[str, set[str]] = defaultdict(set)
    ids_by_group: dict[str, set[str]] = defaultdict(set)
    index = seed_workspace.index
    for g in gold:
        docs_by_group[g.group].add(g.doc)
        m = index.mention_at(g.doc, g.start)
        if m is not None and (m.start, m.end) == (g.start, g.end):
            ids_by_group[g.group].add(m.entity)
    cross = [grp for grp, docs in docs_by_group.items() if len(docs) >= 2]
    assert len(cross) >= 10
    for grp in cross:
        assert len(ids_by_group[grp]) == 1, (grp, ids_by_group[grp])


@pytest.mark.parametrize(
    ("surface", "entity_id"),
    [
        ("Kim Jong-un", "kim-jong-un"),
        ("Kim Jong Un", "kim-jong-un"),
        ("Kim Jong-num", "kim-jong-nam"),
        ("Kim Jong-nam", "kim-jong-nam"),
        ("Kim Jong Il", "kim-jong-il"),
        ("Kim Jong-il", "kim-jong-il"),
        ("Chang Chinsŏng", "jang-jin-sung"),
        ("Jang Jinseong", "jang-jin-sung"),
        ("Jang Jin Sung", "jang-jin-sung"),
        ("장진성", "jang-jin-sung"),
        ("SSD", "state-security-department"),
        ("State Security Department", "state-security-department"),
        ("Ministry of State Security", "state-security-department"),
    ],
)
def test_seed_variants_resolve(seed_workspace, surface, entity_id):
    index = seed_workspace.index
    found = [m for ms in index.by_doc.values() for m in ms if m.surface == surface]
    assert found, f"{surface!r} not recognised anywhere in the seeds"
    assert {m.entity for m in found} == {entity_id}


def test_near_names_never_merge(seed_workspace):
    index = seed_workspace.index
    for a, b in [("kim-jong-un", "kim-jong-nam"), ("kim-jong-un", "kim-jong-il"), ("kim-jong-nam", "kim-jong-il")]:
        sa = {m.surface for m in index.mentions_of(a)}
        sb = {m.surface for m in index.mentions_of(b)}
        assert sa and sb
        assert not sa & sb
