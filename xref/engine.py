"""One call from paths to a ready index: the entry point the TUI and CLI share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xref.corpus import Corpus, load_corpus
from xref.index import CorpusIndex, build_index
from xref.kb import KnowledgeBase, load_knowledge_base
from xref.model import Problem

Progress = Callable[[str, int, int], None]


@dataclass
class Workspace:
    """A loaded corpus, its knowledge base and index, and everything that went wrong."""

    corpus: Corpus
    kb: KnowledgeBase
    index: CorpusIndex
    problems: list[Problem] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.corpus.root


def open_workspace(
    paths: Sequence[str | Path] = (),
    *,
    kb_path: str | Path | None = None,
    use_user_kb: bool = True,
    progress: Progress | None = None,
) -> Workspace:
    """Load ``paths`` (default: the bundled corpus), recognise and index every document.

    Never raises for bad input files or a bad user knowledge base: those become
    ``problems``. Raises FileNotFoundError only when a named path does not exist.
    """
    for p in paths:
        if not Path(p).exists():
            raise FileNotFoundError(f"{p}: no such file or folder")
    kb, kb_problems = load_knowledge_base(
        Path(kb_path) if kb_path else None, use_default_user_file=use_user_kb
    )
    corpus = load_corpus(
        list(paths), progress=(lambda d, t: progress("load", d, t)) if progress else None
    )
    index = build_index(
        corpus, kb.entities.values(), progress=(lambda d, t: progress("index", d, t)) if progress else None
    )
    return Workspace(corpus, kb, index, [*kb_problems, *corpus.problems])
