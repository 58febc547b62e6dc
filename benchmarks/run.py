#!/usr/bin/env python3
"""Measure xref against the scale targets (issue 5) and write benchmarks/RESULTS.md.

    python benchmarks/run.py                    # 10 MB and 100 MB corpora, ~10 minutes
    python benchmarks/run.py --big              # also index 1 GB (if the disk has room)
    python benchmarks/run.py --quick            # a tiny corpus, one run each: proves the harness works

Corpora are made by ``benchmarks/make_corpus.py`` under ``--work`` (default
``/tmp/xref-bench``) and kept for the next run. Every figure is the median of
several runs; opening is measured in fresh processes (``--child`` modes of
this script) so caches, imports and memory are what a user gets:

* cold index: an empty cache folder, from process start to a ready workspace;
  compared with ``rg -o -w -F -f ALIASES`` over the same files (the names the
  recogniser looks for), run in the same session;
* warm open and after touching one file: the real reader (``tui.app.XrefApp``)
  run headless, from process start until the screen has been painted with the
  workspace loaded; the same for a minimal Textual app as the baseline;
* side panel: what a cursor move asks of the index (the mention, its entity,
  counts, the page of mentions around it with snippets, co-occurring names),
  and, separately, the reader's own panel driven by key presses;
* search: two-word queries drawn from the corpus, ``Workspace.search``;
* memory: peak RSS (VmHWM) of a reader that opened the corpus, moved to the
  most-mentioned entity and searched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

SIZES = {"10 MB": "10MB", "100 MB": "100MB"}
BIG = ("1 GB", "1GB")
QUICK = ("300 KB", "300KB")
SCREEN = (120, 40)


# ============================================================================ children
#
# Each child prints one JSON line on stdout; the parent reads it.


def _vm(field: str) -> int:
    """A /proc/self/status figure in kB (0 where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children_peak_kb() -> int:
    import resource

    return int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def child_open(root: str, cache: str, use_cache: bool) -> dict[str, Any]:
    """Engine only: open a workspace and read the first document."""
    t0 = time.perf_counter()
    from xref.engine import open_workspace

    ws = open_workspace([root], use_cache=use_cache, cache_dir=cache if use_cache else None)
    first = ws.corpus.documents[0]
    _ = first.text, list(ws.index.doc_mentions(first.id))
    seconds = time.perf_counter() - t0
    import resource

    cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    rss_kb = _vm("VmHWM")
    print(json.dumps({"ready": True}), flush=True)  # the parent's clock stops here
    # Then the full-text index, which the reader builds in the background once
    # the corpus is open (and a warm cache already holds).
    t1 = time.perf_counter()
    ws.prepare_search()
    search_seconds = time.perf_counter() - t1
    return {"seconds": seconds, "stats": vars(ws.stats), "rss_kb": rss_kb,
            "children_rss_kb": _children_peak_kb(), "cpu_seconds": cpu, "search_seconds": search_seconds}


def _tui_app_class():
    import inspect

    from tui.app import XrefApp

    # Textual finds CSS_PATH relative to the file of the class: this subclass lives here.
    css = XrefApp.CSS_PATH
    base = Path(inspect.getfile(XrefApp)).parent
    if isinstance(css, (str, Path)):
        css = str(base / css)
    elif css:
        css = [str(base / c) for c in css]

    class BenchApp(XrefApp):
        """Exits once the loaded workspace has been painted; prints when."""

        CSS_PATH = css

        _done = False

        def _workspace_ready(self, workspace: Any) -> None:
            super()._workspace_ready(workspace)
            # The whole corpus is in (not a partial one) and the panes are built:
            # painted at the next refresh.
            if not self._done and self.workspace is workspace and not self.loading_state:
                self._done = True
                self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            print(json.dumps({"painted": True, "rss_kb": _vm("VmHWM")}), flush=True)
            self.exit()

    return BenchApp


def child_tui_open(root: str) -> None:
    app = _tui_app_class()([root] if root else [])
    app.run(headless=True, size=SCREEN)


def child_minimal() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            print(json.dumps({"painted": True}), flush=True)
            self.exit()

    Minimal().run(headless=True, size=SCREEN)


def _panel_update(index: Any, m: Any) -> None:
    """What the side panel asks of the index when the cursor lands on mention ``m``."""
    index.entity(m.entity)
    index.mention_count(m.entity)
    index.doc_counts(m.entity)
    position = index.mentions_of(m.entity).index(m)
    for row in index.mention_slice(m.entity, max(0, position - 20), position + 20):
        index.snippet(row, width=100)
    index.cooccurring(m.entity, limit=8)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _queries(ws: Any, count: int, rnd: random.Random) -> list[str]:
    """Two-word queries: pairs of adjacent words from random places in the corpus,
    half of them the names the corpus is about."""
    import re

    words = re.compile(r"[A-Za-z]{4,}")
    queries: list[str] = []
    docs = ws.corpus.documents
    while len(queries) < count // 2:
        text = rnd.choice(docs).text
        start = rnd.randrange(max(1, len(text) - 200))
        found = words.findall(text, start, start + 200)
        if len(found) >= 2:
            i = rnd.randrange(len(found) - 1)
            queries.append(f"{found[i]} {found[i + 1]}")
    top = [e for e in ws.index.mentioned_entities() if len(e.name.split()) >= 2][:count]
    for entity in top[: count - len(queries)]:
        queries.append(" ".join(entity.name.split()[:2]))
    return queries


def child_engine_ops(root: str, cache: str, samples: int) -> dict[str, Any]:
    """Side-panel updates and searches on a warm workspace, in one process."""
    from xref.engine import open_workspace

    ws = open_workspace([root], cache_dir=cache)
    index = ws.index
    rnd = random.Random(5)
    docs = [d for d in ws.corpus.documents if index.doc_mention_count(d.id) > 0]
    moves: list[Any] = []
    while len(moves) < samples and docs:
        doc = rnd.choice(docs)
        n = index.doc_mention_count(doc.id)
        start = rnd.randrange(n)
        mentions = index.doc_mentions(doc.id)
        moves.extend(mentions[start : start + 10])
    moves = moves[:samples]
    top = index.mentioned_entities()[0]
    top_moves = [index.mention_slice(top.id, i, i + 1)[0]
                 for i in sorted(rnd.sample(range(index.mention_count(top.id)), min(100, index.mention_count(top.id))))]
    rnd.shuffle(top_moves)
    timings: list[float] = []
    for m in moves:
        t = time.perf_counter()
        index.mention_at(m.doc, m.start)
        _panel_update(index, m)
        timings.append(time.perf_counter() - t)
    top_timings: list[float] = []
    for m in top_moves:
        t = time.perf_counter()
        index.mention_at(m.doc, m.start)
        _panel_update(index, m)
        top_timings.append(time.perf_counter() - t)
    steps: list[float] = []
    for m in top_moves[:50]:
        t = time.perf_counter()
        index.step_entity(m, True)
        steps.append(time.perf_counter() - t)
    queries = _queries(ws, 40, rnd)
    search_times: list[float] = []
    hits_found = 0
    ws.search("warm up")
    for q in queries:
        t = time.perf_counter()
        hits = ws.search(q, 20)
        search_times.append(time.perf_counter() - t)
        hits_found += len(hits)
    return {
        "panel_p95": _p95(timings), "panel_median": statistics.median(timings),
        "top_entity": top.name, "top_mentions": index.mention_count(top.id),
        "top_panel_p95": _p95(top_timings), "top_panel_median": statistics.median(top_timings),
        "step_entity_p95": _p95(steps),
        "search_p95": _p95(search_times), "search_median": statistics.median(search_times),
        "queries": queries, "hits": hits_found, "rss_kb": _vm("VmHWM"),
    }


def child_tui_ops(root: str, moves: int, timeout: float) -> dict[str, Any]:
    """The reader's own side panel, driven by the n key, and memory after a search.

    Two clocks per key press. *Painted*: from the reader's n action starting
    to the panel's lines having been rendered for the compositor with the new
    mention marked -- the app's own work, including the wait for its next
    frame. *Round trip*: Pilot's ``press`` until the panel shows the new
    mention; Pilot waits for the whole app to be idle (twice), which costs
    tens of milliseconds even for a key nothing handles, also measured.
    """
    import asyncio

    from tui.panel import MentionPanel
    from tui.reader import Reader

    app_class = _tui_app_class()

    class OpsApp(app_class):  # type: ignore[misc, valid-type]
        def _painted(self) -> None:  # keep running: the pilot drives it
            self.painted = True

    clock: dict[str, Any] = {"start": None, "painted": None, "want": None}
    action = Reader.action_next_mention
    render_lines = MentionPanel.render_lines

    def timed_action(self: Any) -> None:
        clock["start"], clock["painted"] = time.perf_counter(), None
        action(self)
        clock["want"] = self.current_mention

    def timed_render_lines(self: Any, crop: Any) -> Any:
        lines = render_lines(self, crop)
        if clock["start"] is not None and clock["painted"] is None and clock["want"] is not None \
                and self.current_mention == clock["want"]:
            clock["painted"] = time.perf_counter()
        return lines

    Reader.action_next_mention = timed_action  # type: ignore[method-assign]
    MentionPanel.render_lines = timed_render_lines  # type: ignore[method-assign]

    async def drive() -> dict[str, Any]:
        app = OpsApp([root])
        app.painted = False
        out: dict[str, Any] = {}
        async with app.run_test(size=SCREEN) as pilot:
            deadline = time.perf_counter() + 120
            while not app.painted and time.perf_counter() < deadline:
                await pilot.pause(0.01)
            await pilot.pause(1.0)  # let start-up work settle before timing keys
            index = app.index
            reader = app.reader
            # From the top of the document with the most names (wherever the last
            # run left the reader), so every n press has a next name to go to.
            busiest = max(index.documents, key=index.doc_mention_count)
            app.jump_to(busiest, 0)
            reader.focus()
            await pilot.pause(0.2)
            painted: list[float] = []
            round_trips: list[float] = []
            idle: list[float] = []

            for _ in range(moves):
                t = time.perf_counter()
                await pilot.press("n")
                while time.perf_counter() - t < timeout:
                    if clock["painted"] is not None and app.panel.current_mention == reader.current_mention:
                        break
                    await pilot.pause(0)
                else:
                    out["timed_out"] = True
                    break
                round_trips.append(time.perf_counter() - t)
                painted.append(clock["painted"] - clock["start"])
            for _ in range(10):
                t = time.perf_counter()
                await pilot.press("f19")  # bound to nothing: what Pilot itself costs
                idle.append(time.perf_counter() - t)
            top = index.mentioned_entities()[0]
            first = index.mention_slice(top.id, 0, 1)[0]
            clock["start"], clock["painted"], clock["want"] = time.perf_counter(), None, first
            app.jump_to(first.doc, first.start)
            top_time = None
            while time.perf_counter() - clock["start"] < timeout:
                await pilot.pause(0)
                if clock["painted"] is not None:
                    top_time = clock["painted"] - clock["start"]
                    break
            if hasattr(app.workspace, "search"):
                app.workspace.search("kim jong")
            out.update({
                "panel_p95": _p95(painted) if painted else None,
                "panel_median": statistics.median(painted) if painted else None,
                "pilot_p95": _p95(round_trips) if round_trips else None,
                "pilot_median": statistics.median(round_trips) if round_trips else None,
                "pilot_idle_median": statistics.median(idle),
                "top_panel": top_time, "rss_kb": _vm("VmHWM"),
            })
        return out

    return asyncio.run(drive())


def run_child(mode: str, params: list[str]) -> int:
    if mode == "open":
        print(json.dumps(child_open(params[0], params[1], params[2] == "1")), flush=True)
    elif mode == "tui-open":
        child_tui_open(params[0])
    elif mode == "minimal":
        child_minimal()
    elif mode == "engine-ops":
        print(json.dumps(child_engine_ops(params[0], params[1], int(params[2]))), flush=True)
    elif mode == "tui-ops":
        print(json.dumps(child_tui_ops(params[0], int(params[1]), float(params[2]))), flush=True)
    else:
        raise SystemExit(f"unknown child mode {mode}")
    return 0


# ============================================================================ parent


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.work)
        self.work.mkdir(parents=True, exist_ok=True)
        self.config = Path(tempfile.mkdtemp(prefix="xref-bench-config-"))  # no user knowledge base
        self.log = args.verbose

    def say(self, *parts: object) -> None:
        print("bench:", *parts, file=sys.stderr, flush=True)

    def env(self, cache: Path | None) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env["XDG_CONFIG_HOME"] = str(self.config)
        env["XDG_STATE_HOME"] = str(self.config / "state")
        env.pop("XREF_NO_CACHE", None)
        # Installed packages come with bytecode; a sandbox that forbids writing it
        # would make every process compile xref and Textual from source.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(self.work / "pycache")
        if cache is not None:
            env["XREF_CACHE_DIR"] = str(cache)
        else:
            env["XREF_NO_CACHE"] = "1"
        env.setdefault("TERM", "xterm-256color")
        return env

    def child(self, mode: str, *params: str, cache: Path | None, timeout: float = 3600) -> tuple[dict[str, Any], float]:
        """(the child's JSON, wall seconds from start to that line)."""
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, *params]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env(cache),
                                cwd=str(self.work))
        assert proc.stdout is not None
        line = ""
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            line = proc.stdout.readline()
            if not line or line.lstrip().startswith("{"):
                break
        wall = time.perf_counter() - t0
        # A child may go on after its first line (the open goes on to the search
        # index); its last JSON line is the result.
        for later in proc.stdout:
            if later.lstrip().startswith("{"):
                line = later
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        if not line.strip().startswith("{"):
            raise RuntimeError(f"child {mode} failed (exit {proc.returncode}): {err[-3000:]}")
        return json.loads(line), wall

    # -- corpora -----------------------------------------------------------------------------
    def corpus(self, label: str, size: str) -> Path:
        out = self.work / f"corpus-{size}"
        marker = out / ".xref-bench"
        if not marker.exists():
            if out.exists():
                shutil.rmtree(out)
            self.say(f"generating the {label} corpus in {out}")
            subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(out), "--size", size], check=True,
                           stdout=subprocess.DEVNULL)
            marker.write_text(size)
        return out

    @staticmethod
    def corpus_bytes(root: Path) -> int:
        return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))

    def aliases_file(self) -> Path:
        from xref.kb import load_knowledge_base

        kb, _ = load_knowledge_base(use_default_user_file=False)
        names = sorted({n for e in kb.entities.values() for n in e.all_names if n.strip()})
        path = self.work / "aliases.txt"
        path.write_text("\n".join(names) + "\n", encoding="utf-8")
        return path

    # -- measurements ----------------------------------------------------------------------------
    def ripgrep(self, root: Path, runs: int) -> float | None:
        if shutil.which("rg") is None:
            return None
        aliases = self.aliases_file()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(["rg", "-o", "-w", "-F", "-f", str(aliases), str(root)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    def cold(self, root: Path, runs: int) -> dict[str, Any]:
        walls, peaks, child_peaks, cores, cpus, searches = [], [], [], [], [], []
        stats: dict[str, Any] = {}
        for run in range(runs):
            cache = self.work / f"cache-cold-{root.name}"
            shutil.rmtree(cache, ignore_errors=True)
            out, wall = self.child("open", str(root), str(cache), "1", cache=cache)
            walls.append(wall)
            searches.append(out["search_seconds"])
            peaks.append(out["rss_kb"])
            child_peaks.append(out["children_rss_kb"])
            cores.append(out["cpu_seconds"] / out["seconds"])
            cpus.append(out["cpu_seconds"])
            stats = out["stats"]
            self.say(f"  cold index run {run + 1}: {wall:.2f} s")
        return {"seconds": statistics.median(walls), "runs": walls, "rss_kb": max(peaks),
                "children_rss_kb": max(child_peaks), "stats": stats, "cores_busy": statistics.median(cores),
                "cpu_seconds": statistics.median(cpus), "search_seconds": statistics.median(searches)}

    def nocache(self, root: Path) -> float:
        _, wall = self.child("open", str(root), "", "0", cache=None)
        self.say(f"  open without cache: {wall:.2f} s")
        return wall

    def warm_cache(self, root: Path) -> Path:
        cache = self.work / f"cache-warm-{root.name}"
        if not cache.exists():
            self.child("open", str(root), str(cache), "1", cache=cache)
        self.child("open", str(root), str(cache), "1", cache=cache)  # settle (stamps, summary)
        return cache

    def tui_available(self) -> bool:
        try:
            self.child("tui-open", str(ROOT / "seeds"), cache=self.work / "cache-probe", timeout=120)
            return True
        except Exception as exc:  # noqa: BLE001 - report and fall back to the engine
            self.say(f"the reader cannot be run headless ({str(exc)[-300:]}); measuring the engine only")
            return False

    def first_paint(self, root: Path, cache: Path, runs: int, *, tui: bool, before: Any = None) -> dict[str, Any]:
        walls, rss = [], []
        for _ in range(runs):
            if before is not None:
                before()
            if tui:
                out, wall = self.child("tui-open", str(root), cache=cache, timeout=600)
            else:
                out, wall = self.child("open", str(root), str(cache), "1", cache=cache)
            walls.append(wall)
            rss.append(out.get("rss_kb", 0))
        return {"seconds": statistics.median(walls), "runs": walls, "rss_kb": max(rss)}

    def minimal(self, runs: int) -> float:
        walls = []
        for _ in range(runs):
            _, wall = self.child("minimal", cache=None, timeout=120)
            walls.append(wall)
        return statistics.median(walls)

    # -- the whole run ---------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        args = self.args
        quick = args.quick
        sizes = dict([QUICK]) if quick else dict(SIZES)
        if args.big and not quick:
            free = shutil.disk_usage(self.work).free
            if free > 4_000_000_000:
                sizes[BIG[0]] = BIG[1]
            else:
                self.say(f"skipping 1 GB: only {free / 1e9:.1f} GB free in {self.work}")
        runs = 1 if quick else args.runs
        accelerator = prepare_accelerator()
        self.say("C accelerator:", accelerator)
        tui = self.tui_available()  # also fills the bytecode cache
        self.child("minimal", cache=None, timeout=120)
        results: dict[str, Any] = {
            "sizes": {}, "tui": tui, "quick": quick, "load_before": os.getloadavg(), "accelerator": accelerator,
        }
        for label, size in sizes.items():
            saved = self.work / f"results-{size}.json"
            if size == BIG[1] and args.reuse_big and saved.exists():
                results["sizes"][label] = json.loads(saved.read_text())
                self.say(f"{label}: using the figures measured {results['sizes'][label].get('date')}")
                continue
            root = self.corpus(label, size)
            nbytes = self.corpus_bytes(root)
            big = size == BIG[1]
            self.say(f"{label}: {nbytes / 1e6:.1f} MB in {sum(1 for _ in root.rglob('*.*'))} files")
            r: dict[str, Any] = {"bytes": nbytes}
            r["rg"] = self.ripgrep(root, 1 if quick else 3)
            r["cold"] = self.cold(root, 1 if (quick or big) else min(runs, 3))
            r["cold_mb_s"] = nbytes / 1e6 / r["cold"]["seconds"]
            if not quick and not big:
                r["nocache"] = self.nocache(root)
            if big:
                r["date"] = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
                saved.write_text(json.dumps(r))
                results["sizes"][label] = r
                continue
            cache = self.warm_cache(root)
            r["warm_engine"] = self.first_paint(root, cache, max(runs, 3) if not quick else 1, tui=False)
            r["warm"] = self.first_paint(root, cache, max(runs, 5) if not quick else 1, tui=tui)
            files = sorted(p for p in root.rglob("*.txt"))
            rnd = random.Random(3)

            def touch() -> None:
                path = rnd.choice(files)
                os.utime(path, None)

            r["touch"] = self.first_paint(root, cache, max(runs, 5) if not quick else 1, tui=tui, before=touch)
            edited = files[len(files) // 2]
            original = edited.read_bytes()

            def edit() -> None:
                edited.write_bytes(original + b"\nKim Yo-jong spoke in Pyongyang on Tuesday.\n")

            try:
                r["edit"] = self.first_paint(root, cache, 1, tui=tui, before=edit)
            finally:
                edited.write_bytes(original)
            self.child("open", str(root), str(cache), "1", cache=cache)  # back to the original text
            ops, _ = self.child("engine-ops", str(root), str(cache), "60" if quick else "300", cache=cache)
            r["ops"] = ops
            if tui and not quick:
                try:
                    tui_ops, _ = self.child("tui-ops", str(root), "40", "10", cache=cache, timeout=900)
                    r["tui_ops"] = tui_ops
                except Exception as exc:  # noqa: BLE001
                    r["tui_ops"] = {"error": str(exc)[-300:]}
            r["rss_kb"] = max(r["warm"]["rss_kb"], ops["rss_kb"], (r.get("tui_ops") or {}).get("rss_kb") or 0)
            results["sizes"][label] = r
            self.say(f"  warm {r['warm']['seconds']:.2f} s, touch {r['touch']['seconds']:.2f} s, "
                     f"panel p95 {ops['panel_p95'] * 1000:.1f} ms, search p95 {ops['search_p95'] * 1000:.1f} ms")
        # The four seeds against a minimal Textual app.
        seeds_cache = self.work / "cache-seeds"
        self.child("open", str(ROOT / "seeds"), str(seeds_cache), "1", cache=seeds_cache)
        n = 1 if quick else 15  # the two differ by a tenth of a second; a run varies by as much
        # In turns, so that the machine getting busier or quieter (writing back
        # the big corpora's caches, say) weighs on both alike.
        xref_runs, minimal_runs = [], []
        for _ in range(n):
            xref_runs.append(self.first_paint(ROOT / "seeds", seeds_cache, 1, tui=tui)["seconds"])
            minimal_runs.append(self.minimal(1))
        results["seeds"] = {
            "xref": statistics.median(xref_runs),
            "minimal": statistics.median(minimal_runs),
            "paired_ratio": statistics.median(x / m for x, m in zip(xref_runs, minimal_runs)),
            "xref_runs": xref_runs,
            "minimal_runs": minimal_runs,
        }
        shutil.rmtree(self.config, ignore_errors=True)
        results["load_after"] = os.getloadavg()
        return results


# ============================================================================ report


def prepare_accelerator() -> str:
    """Builds the C accelerator beside its source when it is missing or older
    than the source (the children import xref from the working tree, where an
    install may have left none), with the build hook's own function; says
    which code the run measures."""
    if os.environ.get("XREF_PURE_PYTHON"):
        return "off (XREF_PURE_PYTHON is set): the pure-Python loops"
    sys.path.insert(0, str(ROOT))
    try:
        import hatch_build

        source = ROOT / "xref" / "_speedups.c"
        target = source.with_name(hatch_build.extension_filename())
        if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
            hatch_build.SpeedupsBuildHook._compile_in_tree(source, target)  # built aside, then renamed
        return f"compiled (xref/{target.name})"
    except Exception as exc:  # noqa: BLE001 - no compiler, no hatchling: measure the Python code, and say so
        return f"not built ({exc}): the pure-Python loops"
    finally:
        sys.path.remove(str(ROOT))


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        import textual

        textual_version = textual.__version__
    except Exception:  # noqa: BLE001
        textual_version = "not installed"
    rg = subprocess.run(["rg", "--version"], capture_output=True, text=True).stdout.split("\n")[0] if shutil.which("rg") else "not installed"
    return {
        "CPU": cpu, "Cores": str(os.cpu_count()), "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(), "SQLite": sqlite3.sqlite_version, "Textual": textual_version,
        "ripgrep": rg, "Date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


def _ms(x: float | None) -> str:
    return "—" if x is None else f"{x * 1000:.0f} ms" if x < 10 else f"{x:.1f} s"


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f} s"


def write_report(results: dict[str, Any], out: Path, args: argparse.Namespace) -> None:
    sizes = results["sizes"]
    labels = list(sizes)
    main_label = "100 MB" if "100 MB" in sizes else labels[-1]
    tui = results["tui"]

    def cell(label: str, fn: Any) -> str:
        try:
            return fn(sizes[label])
        except (KeyError, TypeError):
            return "—"

    def met(value: float | None, target: float) -> str:
        if value is None:
            return "—"
        return "yes" if value <= target else "**no**"

    main = sizes[main_label]
    rows: list[tuple[str, str, list[str], str]] = []
    rows.append(("Cold index, first open (no cache yet)", "≥ 25 MB/s (100 MB ≤ 4 s)",
                 [cell(lb, lambda r: f"{_s(r['cold']['seconds'])} ({r['cold_mb_s']:.1f} MB/s)") for lb in labels],
                 "yes" if main["cold_mb_s"] >= 25 else "**no**"))
    cores = os.cpu_count() or 1
    rows.append(("Cold index: CPU time of all processes (÷ cores: the best case on idle cores)", "report",
                 [cell(lb, lambda r: f"{r['cold']['cpu_seconds']:.1f} CPU s → {r['cold']['cpu_seconds'] / cores:.1f} s "
                       f"({r['bytes'] / 1e6 / (r['cold']['cpu_seconds'] / cores):.1f} MB/s)") for lb in labels], "—"))
    rows.append(("Cold index: cores we got (CPU seconds ÷ wall seconds)", f"{cores} cores",
                 [cell(lb, lambda r: f"{r['cold']['cores_busy']:.2f}") for lb in labels], "—"))
    rows.append(("Cold index ÷ `rg -o -w -F -f ALIASES`", "report",
                 [cell(lb, lambda r: f"{r['cold']['seconds'] / r['rg']:.1f}× (rg {_s(r['rg'])})") for lb in labels], "—"))
    rows.append(("Then the full-text search index (the reader builds it in the background once open)", "report",
                 [cell(lb, lambda r: _s(r["cold"]["search_seconds"])) for lb in labels], "—"))
    rows.append(("Open with `--no-cache`", "report", [cell(lb, lambda r: _s(r["nocache"])) for lb in labels], "—"))
    what = "first painted screen (reader, headless)" if tui else "ready workspace (engine only; reader not runnable)"
    rows.append((f"Warm open to {what}", "≤ 1.0 s", [cell(lb, lambda r: _s(r["warm"]["seconds"])) for lb in labels],
                 met(main.get("warm", {}).get("seconds"), 1.0)))
    rows.append(("Warm open, engine only (process start to ready workspace)", "report",
                 [cell(lb, lambda r: _s(r["warm_engine"]["seconds"])) for lb in labels], "—"))
    rows.append(("Warm open after touching one file", "≤ 1.2 s",
                 [cell(lb, lambda r: _s(r["touch"]["seconds"])) for lb in labels],
                 met(main.get("touch", {}).get("seconds"), 1.2)))
    rows.append(("Warm open after editing one file (re-indexes it)", "report",
                 [cell(lb, lambda r: _s(r["edit"]["seconds"])) for lb in labels], "—"))
    rows.append(("Side-panel update (index side), p95 of cursor moves", "≤ 30 ms",
                 [cell(lb, lambda r: f"{_ms(r['ops']['panel_p95'])} (median {_ms(r['ops']['panel_median'])})") for lb in labels],
                 met(main.get("ops", {}).get("panel_p95"), 0.030)))
    rows.append(("… on the most-mentioned entity, p95", "≤ 30 ms",
                 [cell(lb, lambda r: f"{_ms(r['ops']['top_panel_p95'])} ({r['ops']['top_entity']}, "
                       f"{r['ops']['top_mentions']:,} mentions)") for lb in labels],
                 met(main.get("ops", {}).get("top_panel_p95"), 0.030)))
    if tui:
        def tui_cell(r: dict[str, Any]) -> str:
            t = r.get("tui_ops") or {}
            if not t:  # a size measured for indexing alone
                return "—"
            if "error" in t:
                return "failed"
            text = f"{_ms(t.get('panel_p95'))} (median {_ms(t.get('panel_median'))})"
            text += "; timed out" if t.get("timed_out") else ""
            return text + f"; jump to top entity {_ms(t.get('top_panel'))}"

        def pilot_cell(r: dict[str, Any]) -> str:
            t = r.get("tui_ops") or {}
            if "error" in t or t.get("pilot_p95") is None:
                return "—"
            return (f"{_ms(t.get('pilot_p95'))} (median {_ms(t.get('pilot_median'))}; "
                    f"a key bound to nothing: {_ms(t.get('pilot_idle_median'))})")

        rows.append(("Side panel in the reader (n action to panel lines rendered), p95", "≤ 30 ms",
                     [cell(lb, tui_cell) for lb in labels],
                     met((main.get("tui_ops") or {}).get("panel_p95"), 0.030) if main.get("tui_ops") else "—"))
        rows.append(("… the same key through Pilot's press (waits until the app is idle), p95", "report",
                     [cell(lb, pilot_cell) for lb in labels], "—"))
    rows.append(("Corpus search, two-word queries, p95", "≤ 100 ms",
                 [cell(lb, lambda r: f"{_ms(r['ops']['search_p95'])} (median {_ms(r['ops']['search_median'])})") for lb in labels],
                 met(main.get("ops", {}).get("search_p95"), 0.100)))
    rows.append(("Peak RSS with the corpus open (reader + panel + search)", "≤ 600 MB",
                 [cell(lb, lambda r: f"{r['rss_kb'] / 1024:.0f} MB") for lb in labels],
                 "yes" if main.get("rss_kb", 1e12) / 1024 <= 600 else "**no**"))
    rows.append(("Peak RSS while cold indexing (main / largest worker)", "report",
                 [cell(lb, lambda r: f"{r['cold']['rss_kb'] / 1024:.0f} / {r['cold']['children_rss_kb'] / 1024:.0f} MB") for lb in labels],
                 "—"))
    seeds = results["seeds"]
    ratio = seeds["xref"] / seeds["minimal"]
    info = machine()
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py" + (" --quick" if results["quick"] else "") + "`; do not edit by hand.",
        "Every figure is the median of several runs (process start to result, in fresh processes) unless it says p95.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        f"- Load average (1, 5, 15 min) before / after the run: {_load(results.get('load_before'))} / "
        f"{_load(results.get('load_after'))} (other work on the machine makes figures noisier)",
        "- Child processes use a bytecode cache (as an installed xref does); xref from the working tree.",
        f"- C accelerator (xref/_speedups.c): {results.get('accelerator', 'not recorded')}",
        "",
        "## Figures",
        "",
        "| Figure | Target | " + " | ".join(labels) + " | Met? |",
        "|---|---|" + "---|" * len(labels) + "---|",
        *[f"| {name} | {target} | " + " | ".join(cells) + f" | {ok} |" for name, target, cells, ok in rows],
        "",
        "## The four seeds",
        "",
        "| Figure | Target | Value | Met? |",
        "|---|---|---|---|",
        f"| First painted screen, xref (warm cache) | | {_s(seeds['xref'])} | |",
        f"| First painted screen, minimal Textual app | | {_s(seeds['minimal'])} | |",
        f"| Ratio of the medians | ≤ 1.5× | {ratio:.2f}× | {'yes' if ratio <= 1.5 else '**no**'} |",
        *([f"| Median of the ratios of runs taken in turns | | {seeds['paired_ratio']:.2f}× | |",
           f"| Runs, xref / minimal (s) | | {' '.join(f'{x:.2f}' for x in seeds['xref_runs'])} / "
           f"{' '.join(f'{m:.2f}' for m in seeds['minimal_runs'])} | |"] if "paired_ratio" in seeds else []),
        "",
        "## Details",
        "",
        "```json",
        json.dumps(_details(results), indent=1, default=str)[:20000],
        "```",
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")


def _load(value: Any) -> str:
    return ", ".join(f"{x:.2f}" for x in value) if value else "?"


def _details(results: dict[str, Any]) -> dict[str, Any]:
    slim: dict[str, Any] = {"seeds": results["seeds"], "tui": results["tui"], "sizes": {}}
    for label, r in results["sizes"].items():
        d = dict(r)
        if "ops" in d:
            d["ops"] = {k: v for k, v in d["ops"].items() if k != "queries"} | {"queries": d["ops"]["queries"][:10]}
        slim["sizes"][label] = d
    return slim


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "xref-bench"),
                        help="where corpora and caches live (kept between runs)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (cold index: at most 3)")
    parser.add_argument("--big", action="store_true", help="also index a 1 GB corpus (indexing only)")
    parser.add_argument("--reuse-big", action="store_true",
                        help="with --big: take the 1 GB figures from the last run instead of measuring again")
    parser.add_argument("--quick", action="store_true", help="one tiny corpus, one run each (tests use this)")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args.child[0], args.child[1:])
    results = Bench(args).run()
    out = Path(args.out)
    write_report(results, out, args)
    print(f"bench: wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
