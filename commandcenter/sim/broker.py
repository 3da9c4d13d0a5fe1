"""A real MQTT broker for development, tests and the demo: Debian's `mosquitto` on a free loopback port.

The config is generated in a temporary directory: loopback only, persistence on (so a broker restart keeps
the sessions and the QoS 1 messages queued for them), no cap on queued or in-flight messages (a wall away for a
minute at 1,000 messages/s must find 60,000 waiting), and optionally TLS and a password file.
"""
from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .lifetime import die_with_parent

MOSQUITTO = "/usr/sbin/mosquitto"


class BrokerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_test_certificate(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A self-signed certificate for `host` (an IP): (cert, key). For tests and a TLS demo only."""
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host}"],
                   check=True, capture_output=True)
    return cert, key


class Broker:
    """`mosquitto` started on 127.0.0.1 (port 0: a free one), stopped by `stop()`; `restart()` keeps the port and
    the persisted sessions, `kill()` ends it without a word (SIGKILL)."""

    def __init__(self, port: int = 0, *, tls: tuple[Path, Path] | None = None,
                 users: dict[str, str] | None = None, directory: Path | None = None) -> None:
        if not Path(MOSQUITTO).exists() and shutil.which("mosquitto") is None:
            raise BrokerError("mosquitto is not installed (scripts/setup installs it: apt-get install mosquitto)")
        self._own_dir = directory is None
        self.dir = Path(directory or tempfile.mkdtemp(prefix="cc-mosquitto-"))
        self.port = port or free_port()
        self.tls = tls
        self.users = users or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._write_config()

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://127.0.0.1:{self.port}"

    def _write_config(self) -> None:
        # run as whoever started it (as root, mosquitto would switch to its own user and lose this directory)
        lines = [f"user {getpass.getuser()}", f"listener {self.port} 127.0.0.1", "persistence true",
                 f"persistence_location {self.dir}/",
                 "autosave_interval 1", "max_queued_messages 0", "max_queued_bytes 0", "max_inflight_messages 0",
                 "log_dest stderr", "log_type error", "log_type warning"]
        if self.users:
            pw = self.dir / "passwd"
            pw.write_text("")
            for user, password in self.users.items():
                subprocess.run(["mosquitto_passwd", "-b", str(pw), user, password], check=True, capture_output=True)
            lines += ["allow_anonymous false", f"password_file {pw}"]
        else:
            lines.append("allow_anonymous true")
        if self.tls:
            cert, key = self.tls
            lines += [f"certfile {cert}", f"keyfile {key}"]
        (self.dir / "mosquitto.conf").write_text("\n".join(lines) + "\n")

    def start(self, timeout: float = 10.0) -> Broker:
        with open(self.dir / "mosquitto.log", "ab") as log:
            self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.dir / "mosquitto.conf")], stdout=log,
                                         stderr=log, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BrokerError(f"mosquitto exited with {self.proc.returncode}: "
                                  f"{(self.dir / 'mosquitto.log').read_text(errors='replace')[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BrokerError(f"mosquitto did not listen on 127.0.0.1:{self.port} within {timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM: mosquitto saves its persistence file, then exits."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Broker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
