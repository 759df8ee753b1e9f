"""A real IMAP server for the mailbox tests: Debian's dovecot-imapd, configured in a temporary
directory with one passwd-file user, listening on a free 127.0.0.1 port, started and stopped by the
test. Plain IMAP without TLS, on loopback only (the mailbox source's "plain" security).

Dovecot refuses to run its login and mail processes as root, so under root (CI) they run as the
package's own ``dovenull`` and ``dovecot`` users and the directory is made traversable for them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    def append(self, raw: bytes) -> None:
        """Deliver one message into the user's INBOX, as a mail server would."""
        import imaplib

        client = imaplib.IMAP4(self.host, self.port)
        try:
            client.login(self.user, self.password)
            client.append("INBOX", None, None, raw)
        finally:
            client.logout()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def available() -> bool:
    return Path(DOVECOT).exists()


@contextmanager
def running_dovecot(
    user: str = "webcare", password: str = "geheim-wachtwoord"
) -> Iterator[ImapServer]:
    root = Path(tempfile.mkdtemp(prefix="planner-dovecot-"))
    os.chmod(root, 0o755)
    port = _free_port()
    if os.geteuid() == 0:
        internal, login = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
        internal_user, login_user = internal.pw_name, login.pw_name
        uid, gid = internal.pw_uid, internal.pw_gid
    else:
        me = pwd.getpwuid(os.geteuid())
        internal_user = login_user = me.pw_name
        uid, gid = me.pw_uid, me.pw_gid
    (root / "mail").mkdir()
    (root / "run").mkdir()
    (root / "state").mkdir()
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n", encoding="utf-8")
    os.chmod(root / "passwd", 0o644)
    if os.geteuid() == 0:
        os.chown(root / "mail", uid, gid)
    config = root / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = {uid}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text(encoding="utf-8", errors="replace")
                raise RuntimeError(f"dovecot did not start:\n{log}")
            time.sleep(0.1)
        yield ImapServer("127.0.0.1", port, user, password)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        shutil.rmtree(root, ignore_errors=True)
