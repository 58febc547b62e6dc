"""A citation copied in `xref` on the far side of a real SSH connection reaches
the clipboard of the terminal the user sits at.

The test runs its own ``sshd`` on 127.0.0.1 (a free port, a throwaway host key
and user key, everything in tmp_path), then, in an outer tmux that stands for
the user's terminal (``set -g set-clipboard on``), runs ``ssh -tt`` into the
server and starts ``xref`` there: directly, and inside a second tmux on the
server (the usual researcher's setup). ``y`` writes OSC 52 to the remote
terminal; it travels back through ssh (and the inner tmux) and the outer tmux
stores it, so ``tmux show-buffer`` on the outer tmux reads the citation.

.ci/run installs openssh-server and tmux; without sshd the test skips, saying so.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import NK_NEWS_TITLE, first_mention_citation, open_nk_news_and_cite
from tests.e2e.tmuxdriver import installed_xref, isolated_env, require_tmux

pytestmark = [pytest.mark.e2e, pytest.mark.ssh]

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd", "/usr/bin/sshd")


def find_sshd() -> str:
    for candidate in (shutil.which("sshd"), *SSHD_CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("sshd not installed (apt-get install openssh-server)")


def find_client(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (apt-get install openssh-client)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SshServer:
    port: int
    user: str
    key: Path
    log: Path


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[SshServer]:
    """A private sshd on 127.0.0.1 that lets the current user in with a throwaway key."""
    sshd_bin = find_sshd()
    keygen = find_client("ssh-keygen")
    find_client("ssh")
    base = tmp_path / "sshd"
    base.mkdir()
    host_key, user_key = base / "host_ed25519", base / "user_ed25519"
    for key in (host_key, user_key):
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=30)
    authorized = base / "authorized_keys"
    authorized.write_text(user_key.with_suffix(".pub").read_text(encoding="utf-8"), encoding="utf-8")
    authorized.chmod(0o600)
    user = pwd.getpwuid(os.getuid()).pw_name
    port = free_port()
    config = base / "sshd_config"
    lines = [
        "ListenAddress 127.0.0.1",
        f"Port {port}",
        f"HostKey {host_key}",
        f"AuthorizedKeysFile {authorized}",
        f"PidFile {base / 'sshd.pid'}",
        f"AllowUsers {user}",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "StrictModes no",
        "UsePAM no",
        "PrintMotd no",
        "PrintLastLog no",
        "X11Forwarding no",
        "LogLevel VERBOSE",
    ]
    if os.getuid() == 0:
        lines.append("PermitRootLogin prohibit-password")
        # sshd's privilege-separation folder; the packaged service creates it at boot.
        Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = base / "sshd.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [sshd_bin, "-D", "-e", "-f", str(config)], stdout=log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                pytest.fail(f"sshd exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"sshd did not listen on port {port}:\n{log.read_text(errors='replace')}")
                time.sleep(0.05)
        yield SshServer(port, user, user_key, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def ssh_command(server: SshServer, remote: str) -> list[str]:
    return [
        find_client("ssh"), "-tt", "-F", "/dev/null",
        "-i", str(server.key), "-p", str(server.port),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
        "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
        f"{server.user}@127.0.0.1", remote,
    ]


def remote_launcher(tmp_path: Path) -> Path:
    """A script the SSH session runs: xref in an isolated home, keeping TERM and the
    SSH_* variables sshd set (xref reads them to skip the server's clipboard)."""
    remote_home = tmp_path / "remote-home"
    env = isolated_env(remote_home)
    env.pop("TERM")
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    script = tmp_path / "run-xref.sh"
    script.write_text(
        "#!/bin/sh\n"
        f'exec env -i {exports} TERM="$TERM" SSH_CONNECTION="$SSH_CONNECTION" SSH_TTY="$SSH_TTY" '
        f"{shlex.quote(installed_xref())}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


@pytest.mark.parametrize("inner_tmux", [False, True], ids=["ssh", "ssh+tmux"])
def test_y_over_ssh_reaches_the_outer_terminal(tmux, sshd, tmp_path, seed_workspace, inner_tmux) -> None:
    launcher = remote_launcher(tmp_path)
    remote = shlex.quote(str(launcher))
    inner_socket = tmp_path / "inner-tmux.sock"
    if inner_tmux:
        inner_conf = tmp_path / "inner-tmux.conf"
        inner_conf.write_text(
            "set -g default-terminal 'tmux-256color'\n"
            "set -g escape-time 0\n"
            "set -g status off\n"
            "set -g set-clipboard on\n"
            # Pass OSC 52 on to the terminal outside, whatever TERM it reports.
            "set -as terminal-features ',*:clipboard'\n",
            encoding="utf-8",
        )
        # sshd passes no locale: -u and LANG tell tmux the terminal speaks UTF-8.
        remote = shlex.join([
            "env", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", require_tmux(), "-u", "-S", str(inner_socket),
            "-f", str(inner_conf), "new-session", "-s", "inner", str(launcher),
        ])
    local_home = tmp_path / "local-home"
    local_home.mkdir()
    tmux.start(ssh_command(sshd, remote), isolated_env(local_home))
    try:
        try:
            screen = open_nk_news_and_cite(tmux)
        except AssertionError as exc:  # say why the login failed, if it did
            raise AssertionError(f"{exc}\n--- sshd log ---\n{sshd.log.read_text(errors='replace')}") from None
        copied = tmux.wait_buffer(lambda text: text == first_mention_citation(seed_workspace))
        assert NK_NEWS_TITLE in copied
        # xref saw the SSH session: no attempt at the server's own clipboard.
        assert "Local clipboard: none over SSH" in screen, screen
        log = sshd.log.read_text(errors="replace")
        assert "Accepted publickey" in log, log
        tmux.send("q")
        tmux.wait_for(lambda s: "Cross-references" not in s)
    finally:
        if inner_tmux:
            subprocess.run([require_tmux(), "-S", str(inner_socket), "kill-server"],
                           capture_output=True, timeout=10, check=False)
