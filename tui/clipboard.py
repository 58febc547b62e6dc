"""Putting text on the clipboard of the machine the user sits at.

Two routes, as the design guide asks:

* **OSC 52**, always: ``App.copy_to_clipboard`` writes one escape sequence to
  the terminal (and sets ``app.clipboard``). It travels over SSH to the user's
  own terminal emulator, and tmux keeps it as a paste buffer (and passes it on)
  with ``set -g set-clipboard on``. Nothing comes back, so whether the
  terminal honoured it cannot be known: the report says it was *sent*.
* **pyperclip**, only where this machine plausibly has a clipboard of its own
  (a desktop session: DISPLAY / WAYLAND_DISPLAY, macOS, Windows, WSL). On a
  headless server it would fail or, worse, put the text on a clipboard nobody
  sees. Every failure (missing module, no xclip/xsel/wl-copy, a hung helper)
  is caught and described; none hides the OSC 52 copy or stops the app.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from tui.style import clean

# Terminals cap OSC 52 payloads differently (some drop anything over ~100 kB of
# base64); past this the report warns that the terminal may ignore the copy.
OSC52_SOFT_LIMIT = 100_000
# pyperclip runs a helper (xclip, pbcopy ...); one that hangs must not freeze the UI.
LOCAL_TIMEOUT = 2.0


class _CanCopy(Protocol):
    def copy_to_clipboard(self, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """How a copy went: ``terminal`` (OSC 52 sent), ``local`` (pyperclip succeeded)."""

    chars: int
    terminal: bool
    terminal_note: str = ""  # why the OSC 52 copy may not arrive ("" when nothing to say)
    local: bool = False
    local_note: str = ""  # why the local clipboard was not used or failed

    def lines(self) -> list[str]:
        """["Terminal clipboard: sent (OSC 52)", "Local clipboard: none over SSH"]."""
        if self.terminal:
            terminal = "Terminal clipboard: sent (OSC 52)"
            if self.terminal_note:
                terminal += f"; {self.terminal_note}"
        else:
            terminal = f"Terminal clipboard: {self.terminal_note or 'failed'}"
        local = "Local clipboard: copied" if self.local else f"Local clipboard: {self.local_note}"
        return [terminal, local]

    def describe(self) -> str:
        """The same on one line, joined by " · "."""
        return " · ".join(self.lines())


def local_clipboard_unavailable(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """None when this machine plausibly has its own clipboard, else why not (short)."""
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if env.get("XREF_NO_LOCAL_CLIPBOARD"):
        return "off (XREF_NO_LOCAL_CLIPBOARD)"
    if platform == "darwin" or platform.startswith(("win", "cygwin", "msys")):
        return None
    if env.get("WAYLAND_DISPLAY") or env.get("DISPLAY"):
        return None  # a desktop session here (or X forwarded over SSH: still the user's)
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return None  # pyperclip uses clip.exe
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"):
        return "none over SSH"
    return "none (no display)"


def _describe_failure(exc: BaseException) -> str:
    if isinstance(exc, ImportError):
        return "pyperclip is not installed"
    message = clean(str(exc))
    if "copy/paste mechanism" in message:
        # pyperclip's "could not find a copy/paste mechanism for your system"
        return "no copy tool (install xclip, xsel or wl-clipboard)"
    first = message.split(". ")[0]
    if len(first) > 60:
        first = first[:59] + "…"
    return f"failed ({type(exc).__name__}{': ' + first if first else ''})"


def _pyperclip_copy(text: str) -> None:
    import pyperclip

    pyperclip.copy(text)


def copy_locally(
    text: str, copy: Callable[[str], None] = _pyperclip_copy, timeout: float = LOCAL_TIMEOUT
) -> str | None:
    """Run ``copy(text)`` (pyperclip) in a helper thread: None on success, else why not."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            copy(text)
        except BaseException as exc:  # noqa: BLE001 - any failure is reported, none escapes
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, name="xref-local-clipboard", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        return f"timed out after {timeout:g} s"
    error = outcome[0]
    return None if error is None else _describe_failure(error)


def deliver(
    app: _CanCopy,
    text: str,
    *,
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    local_copy: Callable[[str], None] = _pyperclip_copy,
) -> DeliveryReport:
    """Copy ``text`` by OSC 52 (always) and pyperclip (where it can work); never raises."""
    terminal, terminal_note = True, ""
    try:
        app.copy_to_clipboard(text)  # sets app.clipboard first, then writes OSC 52
    except Exception as exc:  # noqa: BLE001 - e.g. the terminal went away
        terminal, terminal_note = False, f"failed ({type(exc).__name__})"
    else:
        if len(text.encode("utf-8")) * 4 // 3 > OSC52_SOFT_LIMIT:
            terminal_note = "large: some terminals ignore copies this big"
    unavailable = local_clipboard_unavailable(environ, platform)
    if unavailable is not None:
        return DeliveryReport(len(text), terminal, terminal_note, False, unavailable)
    failure = copy_locally(text, local_copy)
    return DeliveryReport(len(text), terminal, terminal_note, failure is None, failure or "")
