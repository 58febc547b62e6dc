"""The command line as scripts use it: JSON lines, tables, errors without tracebacks."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xref.cli import main

SEED_002 = "002_9616d0e211098658.txt"
ROOT = Path(__file__).resolve().parent.parent


def source_env() -> dict[str, str]:
    """Environment for a subprocess that must import this checkout's xref."""
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT)}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def mentions_jsonl():
    code, out, err = run("mentions")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_mentions_jsonl_fields_and_offsets(mentions_jsonl):
    from xref.corpus import bundled_corpus_path

    root = bundled_corpus_path()
    assert len(mentions_jsonl) > 400
    texts = {}
    for rec in mentions_jsonl:
        assert {"doc", "start", "end", "text", "entity", "name", "type", "match"} <= rec.keys()
        if rec["doc"] not in texts:
            texts[rec["doc"]] = (root / rec["doc"]).read_text(encoding="utf-8")
        assert texts[rec["doc"]][rec["start"] : rec["end"]] == rec["text"]
    assert {r["doc"] for r in mentions_jsonl} == {p.name for p in root.glob("*.txt")}


def test_mentions_filtered_by_any_spelling():
    code, out, _ = run("mentions", "--entity", "Kim Jong Un")
    assert code == 0
    recs = [json.loads(line) for line in out.splitlines()]
    assert recs and {r["entity"] for r in recs} == {"kim-jong-un"}
    assert {"Kim Jong-un", "Kim Jong Un"} <= {r["text"] for r in recs}


def test_mentions_table():
    code, out, _ = run("mentions", "--format", "table", "--entity", "SSD")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["DOC", "START", "END"]
    assert any("SSD" in line for line in lines[1:])


def test_tables_line_up_by_display_width():
    from xref.cli import _table

    out = io.StringIO()
    _table([["TEXT", "TYPE"], ["장진성", "person"], ["Ｓ", "fullwidth"], ["Chinso\u0306ng", "combining"],
            ["김정은 위원장", "x"], ["plain", "y"]], out)
    assert out.getvalue().splitlines() == [
        "TEXT           TYPE",
        "장진성         person",
        "Ｓ             fullwidth",
        "Chinso\u0306ng       combining",
        "김정은 위원장  x",
        "plain          y",
    ]


def test_mentions_table_with_hangul_lines_up():
    code, out, _ = run("mentions", "--format", "table")
    assert code == 0
    lines = out.splitlines()
    hangul = next(line for line in lines if "장진성" in line)
    # A Hangul syllable takes two columns: the ENTITY column starts where the header says.
    before = hangul[: hangul.index("Jang Jin-sung")]
    assert len(before) + sum(1 for c in before if "\uac00" <= c <= "\ud7a3") == lines[0].index("ENTITY")


def test_entities_counts_match_mentions(mentions_jsonl):
    code, out, _ = run("entities")
    assert code == 0
    ents = {e["id"]: e for e in map(json.loads, out.splitlines())}
    kju = ents["kim-jong-un"]
    assert kju["name"] == "Kim Jong-un" and kju["type"] == "person" and kju["discovered"] is False
    assert kju["mentions"] == sum(1 for m in mentions_jsonl if m["entity"] == "kim-jong-un")
    assert kju["documents"] == len({m["doc"] for m in mentions_jsonl if m["entity"] == "kim-jong-un"})
    assert not any(e["discovered"] for e in ents.values())  # the knowledge base covers the seeds


def test_entities_table_says_when_aliases_are_cut():
    code, out, _ = run("entities", "--format", "table")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("north-korea "))
    aliases = row.split("  ")[-1].strip()
    assert aliases.endswith("…") and len(aliases) <= 60
    assert aliases.startswith("DPRK, D.P.R.K.")
    short = next(line for line in out.splitlines() if line.startswith("kim-jong-un "))
    assert not short.rstrip().endswith("…")  # all of a short list


def test_entities_marks_discovered_names(tmp_path):
    (tmp_path / "a.txt").write_text("Officials said Ko Chol-man of the Ryongsong Bureau was purged.", encoding="utf-8")
    code, out, _ = run("entities", str(tmp_path))
    assert code == 0
    found = {(e["name"], e["type"], e["discovered"]) for e in map(json.loads, out.splitlines())}
    assert ("Ko Chol-man", "person", True) in found
    assert ("Ryongsong Bureau", "organisation", True) in found


def test_show_groups_by_document():
    code, out, _ = run("show", "Chang Chinsong")
    assert code == 0
    assert out.startswith("Jang Jin-sung (person)")
    assert "000_8bb9cf95c1906315.txt" in out
    assert "[Chang Chinsŏng]" in out


LOOKUPS = ["Jang", "Kim", "Kim Jong", "Jong-un", "Pyongyan", "Kim Jong Un", "SSD", "Bowibu", "Chang Chinsong",
           "kim-jong-un", "Kim Jung Un", "Workers Party", "Zzyzx Qwerty"]


@pytest.mark.parametrize("query", LOOKUPS)
def test_a_name_resolves_to_what_find_entities_ranks_first_whatever_the_limit(seed_workspace, query):
    index = seed_workspace.index
    ranked = index.find_entities(query, limit=1000)
    assert [e for e, _ in index.find_entities(query, limit=1)] == [e for e, _ in ranked[:1]]
    assert [e for e, _ in index.find_entities(query, limit=3)] == [e for e, _ in ranked[:3]]
    expected = ranked[0][0] if ranked and ranked[0][1] >= 80 else None
    assert index.resolve(query) == expected
    candidates = index.resolve_candidates(query)
    assert candidates[:1] == ([expected] if expected else [])
    assert all(score == ranked[0][1] for e, score in ranked if e in candidates)


@pytest.mark.parametrize(
    ("name", "could_be"),
    [
        ("Kim Jong", "Kim Jong-un, Kim Jong-nam, Kim Jong-chul, Kim Jong-suk"),
        ("Jang", "Jang Jin-sung, Jang Song-thaek, Hwang Jang-yop"),
    ],
)
def test_a_name_several_entities_tie_for_is_ambiguous(name, could_be):
    for argv in (["show", name], ["mentions", "--entity", name]):
        code, out, err = run(*argv)
        assert code == 1 and out == ""
        assert err == f"xref: ambiguous: {name} could be {could_be}\n"


def test_a_tie_goes_to_the_name_holding_the_querys_words(seed_workspace):
    # "Jong-un" scores the same against Kim Jong-un and the UN's alias "UN"; only
    # one of them is named by those words.
    index = seed_workspace.index
    assert [e.name for e in index.resolve_candidates("Jong-un")] == ["Kim Jong-un"]
    assert index.find_entities("Jong-un", limit=1)[0][0].name == "Kim Jong-un"
    code, out, err = run("show", "Jong-un")
    assert code == 0 and out.startswith("Kim Jong-un (person)"), err


def test_an_ambiguous_name_lists_the_first_few_and_counts_the_rest(seed_workspace):
    tied = seed_workspace.index.resolve_candidates("Kim")
    assert len(tied) > 8
    code, _, err = run("show", "Kim")
    assert code == 1
    assert err.startswith("xref: ambiguous: Kim could be Kim Jong-un, Kim Jong-il, ")
    assert err.endswith(f" and {len(tied) - 8} more\n")


@pytest.mark.parametrize(
    ("name", "entity"),
    [
        ("Kim Jong Un", "Kim Jong-un"), ("Kim Jong-nam", "Kim Jong-nam"), ("Kim Jong-il", "Kim Jong-il"),
        ("kim jong il", "Kim Jong-il"), ("Jang Song-thaek", "Jang Song-thaek"), ("Chang Chinsŏng", "Jang Jin-sung"),
        ("SSD", "Ministry of State Security"), ("Bowibu", "Ministry of State Security"), ("kim-jong-un", "Kim Jong-un"),
        ("Pyongyan", "Pyongyang"),  # not exact, but the one best match
    ],
)
def test_an_exact_name_alias_or_id_always_wins(name, entity):
    code, out, err = run("show", name)
    assert code == 0, err
    assert out.splitlines()[0].startswith(f"{entity} (")


def test_show_keeps_the_spaces_around_the_match():
    code, out, _ = run("show", "Kim Jong-un")
    assert code == 0
    assert "the half-brother of [Kim Jong-un], was imprisoned" in out
    assert "  line    1  Growing Anti-[Kim Jong-un] Sentiment in the North" in out


@pytest.mark.parametrize("argv", [["show", "   "], ["show", ""], ["mentions", "--entity", " "], ["mentions", "--entity", ""]])
def test_an_empty_name_is_called_empty(argv):
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert err == "xref: the entity name is empty\n"


def test_readme_synopsis_matches_the_parsers():
    from xref.cli import SUBCOMMANDS, _subparsers, build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parsers = _subparsers(build_parser())
    for command in SUBCOMMANDS:
        line = next(line for line in readme.splitlines() if line.startswith(f"xref {command} "))
        for action in parsers[command]._actions:
            if action.dest in ("help", "kb", "no_cache"):
                continue
            shown = action.option_strings[0] if action.option_strings else action.metavar
            assert shown in line, (command, shown)
    assert "`score`" in readme


def test_show_unknown_name_is_a_clear_error():
    code, out, err = run("show", "Zzyzx Qwerty")
    assert code == 1 and out == ""
    assert err.startswith("xref: no entity matches 'Zzyzx Qwerty'")


def test_missing_path_is_a_clear_error(tmp_path):
    code, _, err = run("entities", str(tmp_path / "nope"))
    assert code == 1
    assert "no such file or folder" in err and "Traceback" not in err


def test_named_paths_in_a_folder_we_may_not_search_are_reported_and_the_rest_loads(tmp_path, lock_folder):
    (tmp_path / "good.txt").write_text("Kim Jong-un visited Pyongyang.", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "in.txt").write_text("Kim Jong-il", encoding="utf-8")
    lock_folder(locked)
    code, out, err = run("mentions", "--no-cache", str(locked), str(locked / "in.txt"), str(tmp_path / "good.txt"))
    assert code == 0 and "Traceback" not in err
    assert f"xref: error: {locked / 'in.txt'}: permission denied" in err.splitlines()
    assert {json.loads(line)["doc"] for line in out.splitlines()} == {"good.txt"}
    code, _, err = run("mentions", "--no-cache", str(locked))
    assert err.splitlines()[0] == f"xref: error: {locked}: cannot list folder: permission denied"


def test_a_named_symlink_loop_is_called_one(tmp_path):
    try:
        (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
        (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not supported here")
    _, _, err = run("mentions", "--no-cache", str(tmp_path / "a.txt"))
    assert err.splitlines()[0] == f"xref: error: {tmp_path / 'a.txt'}: too many levels of symbolic links"


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_unreadable_folders_under_real_permissions(tmp_path):
    """What a user who is not root sees (as root, without the capabilities that pass permission checks)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root and no setpriv to drop the permission-override capabilities")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    locked = tmp_path / "perm" / "locked"
    locked.mkdir(parents=True)
    (locked / "in.txt").write_text("Kim Jong-il", encoding="utf-8")
    (tmp_path / "perm" / "good.txt").write_text("Kim Jong-un", encoding="utf-8")
    locked.chmod(0)
    try:
        for named, shown, reason in ((locked, "locked", "cannot list folder: permission denied"),
                                     (locked / "in.txt", locked / "in.txt", "permission denied")):
            proc = subprocess.run(
                [*prefix, sys.executable, "-m", "xref.cli", "mentions", "--no-cache", str(named),
                 str(tmp_path / "perm" / "good.txt")],
                capture_output=True, text=True, cwd=tmp_path, timeout=60, env=source_env(),
            )
            assert "Traceback" not in proc.stderr
            assert proc.stderr.splitlines()[0] == f"xref: error: {shown}: {reason}"
            assert proc.returncode == 0 and '"doc": "good.txt"' in proc.stdout
    finally:
        locked.chmod(0o700)


def test_a_kb_file_named_that_cannot_be_used_stops_the_command(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("garbage [[[\n", encoding="utf-8")
    for kb, reason in ((tmp_path / "nope.toml", "knowledge-base file not found"), (bad, "line 1: invalid TOML: ")):
        code, out, err = run("mentions", "--kb", str(kb))
        assert code == 2 and out == ""
        assert err.startswith(f"xref: --kb {kb}: {reason}") and len(err.splitlines()) == 1


def test_a_broken_default_kb_file_is_a_problem_line_and_the_command_goes_on(tmp_path, monkeypatch):
    import xref.kb

    bad = tmp_path / "kb.toml"
    bad.write_text("garbage [[[\n", encoding="utf-8")
    monkeypatch.setattr(xref.kb, "default_user_kb_path", lambda: bad)
    code, out, err = run("mentions", "--no-cache", "--entity", "SSD")
    assert code == 0 and out
    assert err.startswith(f"xref: error: {bad}: line 1: invalid TOML: ")


def test_problem_files_go_to_stderr_and_the_rest_loads(tmp_path):
    (tmp_path / "good.txt").write_text("Kim Jong-un visited Pyongyang.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    code, out, err = run("mentions", str(tmp_path))
    assert code == 0
    assert "bad.txt" in err
    docs = {json.loads(line)["doc"] for line in out.splitlines()}
    assert docs == {"good.txt"}


def test_a_named_file_that_is_no_document_says_why(tmp_path):
    pdf = tmp_path / "some.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    code, out, err = run("mentions", "--no-cache", str(pdf))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"xref: error: {pdf}: unsupported file type '.pdf'; xref reads .txt, .md, .markdown, .html and .htm files",
        "xref: no documents loaded",
    ]
    if os.name == "posix":
        code, out, err = run("mentions", "--no-cache", os.devnull)
        assert code == 1 and out == ""
        assert err.splitlines() == [f"xref: error: {os.devnull}: not a regular file", "xref: no documents loaded"]


def test_nothing_loaded_is_an_error_not_an_empty_answer(tmp_path):
    (tmp_path / "empty").mkdir()
    code, out, err = run("entities", "--no-cache", "--format", "table", str(tmp_path / "empty"))
    assert code == 1 and out == ""
    assert err == "xref: no documents loaded (found no .txt, .md, .markdown, .html or .htm files)\n"
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    code, out, err = run("mentions", "--no-cache", str(tmp_path / "binary.txt"))
    assert code == 1 and out == ""
    assert err.splitlines() == ["xref: error: binary.txt: binary file, not text", "xref: no documents loaded"]


def test_cite_paragraph_and_quote():
    code, out, _ = run("cite", SEED_002, "--para", "11", "--style", "apa")
    assert code == 0 and "Jin, J.-D." in out and "(para. 11)" in out
    code, out, _ = run("cite", "002", "--quote", "every time I see Kim Jong Un,\n roundworms spring to mind")
    assert code == 0 and "roundworms spring to mind" in out


def test_paths_may_come_after_the_options(tmp_path):
    from xref.corpus import bundled_corpus_path

    seeds = str(bundled_corpus_path())
    code, out, _ = run("cite", "002", "--para", "11", seeds)
    assert code == 0 and "Jin Ju-dong" in out
    code, out, _ = run("search", "Kim", "--limit", "1", "--format", "jsonl", seeds)
    assert code == 0 and len(out.splitlines()) == 1
    code, out, _ = run("show", "SSD", "--format", "json", seeds)
    assert code == 0 and json.loads(out)["id"] == "state-security-department"
    code, out, _ = run("mentions", "--entity", "SSD", seeds, "--format", "table")
    assert code == 0 and out.startswith("DOC")
    code, _, err = run("show", "--format", "json", "--", "-x", seeds)  # after "--", never an option
    assert code == 1 and err.startswith("xref: no entity matches '-x'")


@pytest.mark.parametrize(
    ("argv", "usage", "error"),
    [
        (["search"], "usage: xref search ", "xref search: error: the following arguments are required: QUERY\n"),
        (["cite", "002"], "usage: xref cite ", "xref cite: error: one of the arguments --para --line --quote is required\n"),
        (["mentions", "--format", "x"], "usage: xref mentions ", "argument --format: invalid choice: 'x'"),
    ],
)
def test_usage_errors_show_the_subcommands_usage(capsys, argv, usage, error):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage) and error in err


def test_cite_quote_not_in_document_fails():
    code, _, err = run("cite", SEED_002, "--quote", "words that are not there")
    assert code == 1 and "does not occur" in err


def test_error_messages_quoting_a_file_name_carry_no_control_characters(tmp_path):
    (tmp_path / "a\x1b]0;pwned\x07.txt").write_text("Kim Jong Un spoke.\n", encoding="utf-8")
    code, _, err = run("cite", "a", str(tmp_path), "--para", "9", "--no-cache")
    assert code == 1 and "paragraph 9 out of range" in err
    assert "\x1b" not in err and "\x07" not in err
    assert "pwned" in err  # the name is shown, with its controls made visible


def test_cite_bad_style_lists_the_valid_ones():
    code, _, err = run("cite", SEED_002, "--para", "1", "--style", "harvard")
    assert code == 2 and "chicago" in err  # a command line that cannot be carried out: 2, as argparse's


def test_usage_mistakes_exit_2_and_a_document_may_be_named_by_its_path(tmp_path, monkeypatch):
    code, _, err = run("cite", SEED_002, "--quote", "   ")
    assert code == 2 and "the quote is empty" in err
    code, _, err = run("search", "Kim", "--limit", "0")
    assert code == 2 and "--limit" in err
    for folder, words in (("sub", "Kim Jong Un spoke in Pyongyang."), ("other", "Jang Jin-sung wrote poems.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "doc.txt").write_text(f"Title\n\n{words}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "sub")
    code, _, err = run("cite", "doc", "..", "--para", "2", "--no-cache")
    assert code == 1 and "matches 2 documents" in err
    code, out, err = run("cite", "doc.txt", "..", "--para", "2", "--no-cache")  # the file's path, from here
    assert code == 0 and "Kim Jong Un spoke in Pyongyang." in out, err


def test_cli_in_a_subprocess_prints_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "xref.cli", "cite", "nope.txt", "--line", "1"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, env=source_env(),
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("xref: no document 'nope.txt'")


def test_json_output_stays_valid_with_hostile_text(tmp_path):
    # No NUL: a file with one is binary, not loaded, and would leave nothing to check.
    nasty = 'Kim Jong-un said "\x1b]52;c;SGVsbG8=\x07" [bold]x[/] \u202e to Pyongyang.'
    (tmp_path / "n.txt").write_text(nasty, encoding="utf-8")
    code, out, _ = run("mentions", str(tmp_path))
    assert code == 0 and len(out.splitlines()) == 2
    for line in out.splitlines():
        rec = json.loads(line)
        assert "\x1b" not in rec["text"] and "\x07" not in rec["text"]
    assert "\x1b" not in out and "\x07" not in out


class FullDisk(io.StringIO):
    def write(self, text):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("argv", [["mentions"], ["show", "SSD"], ["cite", SEED_002, "--para", "1"]])
def test_output_that_cannot_be_written_is_one_line_and_an_error(argv):
    err = io.StringIO()
    assert main(argv, out=FullDisk(), err=err) == 1
    assert err.getvalue() == "xref: cannot write output: no space left on device\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("argv", [["mentions"], ["cite", SEED_002, "--para", "1"]])  # more, and less, than a buffer
@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_output_to_a_full_disk_prints_no_traceback(tmp_path, argv, unbuffered):
    env = {k: v for k, v in source_env().items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "xref.cli", *argv], stdout=full, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
            timeout=60, env=env,
        )
    assert proc.returncode == 1
    assert proc.stderr == "xref: cannot write output: no space left on device\n"


def test_bundled_corpus_found_from_any_directory(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "xref.cli", "entities", "--format", "table"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
        env=source_env(),
    )
    assert proc.returncode == 0, proc.stderr
    assert "kim-jong-un" in proc.stdout


@pytest.mark.parametrize(("word", "hint"), [("mentionz", " (did you mean mentions?)"), ("serch", " (did you mean search?)"),
                                            ("frobnicate", "")])
def test_a_mistyped_command_is_not_taken_for_a_folder(tmp_path, monkeypatch, word, hint):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(word)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"xref: no such command or folder: {word}{hint}",
        "xref: the commands are mentions, entities, show, cite, search; 'xref --help' tells more",
    ]


def test_a_folder_named_like_a_command_word_still_opens_the_reader(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    opened = []
    monkeypatch.setattr("xref.cli._run_tui", lambda argv, err: opened.append(argv) or 0)
    assert run("corpus") == (0, "", "")
    assert opened == [["corpus"]]


@pytest.mark.parametrize("term", ["dumb", ""])
def test_reader_without_a_usable_terminal_says_so(tmp_path, term):

    env = {**source_env(), "TERM": term}
    proc = subprocess.run(
        [sys.executable, "-m", "xref.cli"], capture_output=True, text=True, cwd=tmp_path, timeout=60, env=env,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "needs an interactive terminal" in proc.stderr
