"""The C accelerator (xref/_speedups.c) for a test run, compiled from the
source as it is now, by the build hook's own function.

The tests import xref from this tree, where a plain ``pip install .`` leaves
no compiled module (it goes into the installed wheel), and a module an
editable install built may be older than the source: so the run compiles its
own, once per version of the source, into the temporary folder."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import sysconfig
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "xref" / "_speedups.c"


def compiled() -> tuple[ModuleType | None, str]:
    """(the module, "") or (None, why it could not be built)."""
    if os.environ.get("XREF_PURE_PYTHON"):
        return None, "XREF_PURE_PYTHON is set"
    sys.path.insert(0, str(ROOT))
    try:
        import hatch_build
    except ImportError as err:  # hatchling is one of the test extras
        return None, f"the build hook cannot be imported: {err}"
    finally:
        sys.path.remove(str(ROOT))
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"xref-speedups-{digest}-{sys.implementation.cache_tag}"
    target = folder / ("_speedups" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
    if not target.is_file():
        folder.mkdir(exist_ok=True)
        # Built beside and renamed: test processes running at once never load half a file.
        fd, partial = tempfile.mkstemp(suffix=".so", dir=folder)
        os.close(fd)
        try:
            hatch_build.compile_extension(SOURCE, Path(partial))
            os.replace(partial, target)
        except hatch_build.NotBuilt as err:
            return None, str(err)
        finally:
            Path(partial).unlink(missing_ok=True)
    spec = importlib.util.spec_from_file_location("xref._speedups", target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["xref._speedups"] = module
    return module, ""
