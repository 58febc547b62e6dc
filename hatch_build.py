"""Build hook: compile the optional C accelerator `xref._speedups`.

`xref/_speedups.c` is compiled with the C compiler and flags this Python was
built with (`$CC`, `$CFLAGS` and `$LDFLAGS` are honoured). A regular wheel
gets the module and a platform tag; an editable install gets it beside the C
source, where the import finds it. When it cannot be compiled the build goes
on without it and xref uses its pure-Python code; `XREF_NO_EXTENSION=1` skips
it on purpose.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("xref") / "_speedups.c"
SKIP_VARIABLE = "XREF_NO_EXTENSION"
COMPILE_TIMEOUT = 300  # seconds


class NotBuilt(Exception):
    """The accelerator cannot be compiled here; the message says why."""


def extension_filename() -> str:
    return "_speedups" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def compile_command(source: Path, target: Path) -> list[str]:
    if sys.platform == "win32":
        raise NotBuilt("compiling on Windows is not supported by this build")
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "") or ["cc"]
    if shutil.which(compiler[0]) is None:
        raise NotBuilt(f"no C compiler {compiler[0]!r} found")
    include = sysconfig.get_paths()["include"]
    if not (Path(include) / "Python.h").is_file():
        raise NotBuilt(f"no Python headers in {include} (on Debian: apt install python3-dev)")

    cflags = shlex.split(sysconfig.get_config_var("CFLAGS") or "")
    cflags += shlex.split(os.environ.get("CFLAGS", ""))
    if not any(flag.startswith("-O") for flag in cflags):
        cflags.append("-O2")
    cflags += shlex.split(sysconfig.get_config_var("CCSHARED") or "-fPIC")
    if sys.platform == "darwin":
        link = ["-bundle", "-undefined", "dynamic_lookup"]
    else:
        link = ["-shared", "-fPIC"]
    link += shlex.split(os.environ.get("LDFLAGS", ""))
    return [*compiler, *cflags, f"-I{include}", str(source), "-o", str(target), *link]


def compile_extension(source: Path, target: Path) -> None:
    command = compile_command(source, target)
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
    except OSError as exc:
        raise NotBuilt(f"{command[0]} could not be run: {exc}") from None
    except subprocess.TimeoutExpired:
        raise NotBuilt(f"{command[0]} took more than {COMPILE_TIMEOUT} s") from None
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        if output:
            print(output, file=sys.stderr)
        if proc.returncode != 0:
            raise NotBuilt(f"{command[0]} exited with status {proc.returncode}")
        raise NotBuilt(f"{command[0]} produced no module")


def warn_not_built(reason: str) -> None:
    print(
        f"WARNING: the C accelerator xref._speedups was not built ({reason}); "
        "xref will use its pure-Python code.",
        file=sys.stderr,
        flush=True,
    )


class SpeedupsBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        self._build_dir: str | None = None
        if self.target_name != "wheel":
            return  # the sdist ships the C source, not a compiled module
        source = Path(self.root) / SOURCE
        in_tree = source.with_name(extension_filename())
        editable = version == "editable"
        try:
            if os.environ.get(SKIP_VARIABLE, "") not in ("", "0"):
                raise NotBuilt(f"{SKIP_VARIABLE} is set")
            if not source.is_file():
                raise NotBuilt(f"{SOURCE} is missing")
            if editable:
                self._compile_in_tree(source, in_tree)
            else:
                self._build_dir = tempfile.mkdtemp(prefix="xref-speedups-")
                built = Path(self._build_dir) / in_tree.name
                compile_extension(source, built)
                build_data["force_include"][str(built)] = f"xref/{in_tree.name}"
                build_data["pure_python"] = False
                build_data["infer_tag"] = True
        except Exception as exc:  # the accelerator is optional: no error of its own stops the install
            self._remove_build_dir()
            if editable:
                # A module left from an earlier build would be imported instead.
                with contextlib.suppress(OSError):
                    in_tree.unlink(missing_ok=True)
            warn_not_built(str(exc) if isinstance(exc, NotBuilt) else f"{type(exc).__name__}: {exc}")

    @staticmethod
    def _compile_in_tree(source: Path, target: Path) -> None:
        """Compile beside the source and then rename, so a running xref that has the
        old module loaded keeps a whole file."""
        fd, partial = tempfile.mkstemp(prefix="_speedups.", suffix=".partial.so", dir=target.parent)
        os.close(fd)
        try:
            compile_extension(source, Path(partial))
            os.replace(partial, target)
        finally:
            Path(partial).unlink(missing_ok=True)

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        self._remove_build_dir()

    def _remove_build_dir(self) -> None:
        if getattr(self, "_build_dir", None):
            shutil.rmtree(self._build_dir, ignore_errors=True)
            self._build_dir = None

    def clean(self, versions: list[str]) -> None:
        (Path(self.root) / SOURCE).with_name(extension_filename()).unlink(missing_ok=True)
