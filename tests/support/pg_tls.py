"""A throwaway PostgreSQL server that accepts TLS only, with a CA and a server certificate made for the test.

Needs Debian's PostgreSQL server binaries and openssl; as root it runs the server as the `postgres` user (the
server refuses root). `tls_server()` yields a `TlsServer`, or raises `Unavailable` naming what is missing."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "s3cret-for-the-test"


class Unavailable(Exception):
    """This machine cannot run the TLS server (what is missing is the message)."""


@dataclass(frozen=True)
class TlsServer:
    port: int
    ca: Path            # the CA certificate clients verify the server with (sslrootcert)
    other_ca: Path      # a CA that did not sign the server's certificate
    password: str = PASSWORD

    def url(self, host: str = "localhost", **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"postgresql+psycopg://postgres@{host}:{self.port}/postgres" + (f"?{query}" if query else "")


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found or not shutil.which("openssl"):
        raise Unavailable("PostgreSQL server binaries or openssl are not installed")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], as_postgres: bool, **kw) -> None:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120, **kw)


def _certificates(d: Path) -> None:
    def ssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60, cwd=d)

    for ca in ("ca", "other"):
        ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN=test {ca} CA",
            "-keyout", f"{ca}.key", "-out", f"{ca}.crt")
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
        "-out", "server.csr")
    (d / "san.ext").write_text("subjectAltName=DNS:localhost\n", encoding="utf-8")
    ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "san.ext", "-out", "server.crt")


@contextmanager
def tls_server() -> Iterator[TlsServer]:
    pg = _pg_bin()
    as_postgres = os.geteuid() == 0
    if as_postgres and not shutil.which("runuser"):
        raise Unavailable("running as root without runuser to start the server as postgres")
    root = Path(tempfile.mkdtemp(prefix="cc-pg-tls-"))
    data, certs = root / "data", root / "certs"
    certs.mkdir()
    port = _free_port()
    started = False
    try:
        _certificates(certs)
        (root / "pw").write_text(PASSWORD + "\n", encoding="utf-8")
        os.chmod(certs / "server.key", 0o600)
        if as_postgres:
            shutil.chown(root, "postgres", "postgres")
            for p in [certs, *certs.iterdir(), root / "pw"]:
                shutil.chown(p, "postgres", "postgres")
        _run([str(pg / "initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
              f"--pwfile={root / 'pw'}"], as_postgres)
        (data / "pg_hba.conf").write_text(
            "hostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n"
            "host all all 0.0.0.0/0 reject\nhost all all ::/0 reject\n", encoding="utf-8")
        _run([str(pg / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "server.log"), "-o",
              f"-h localhost -p {port} -k {root} -c ssl=on -c ssl_cert_file={certs / 'server.crt'} "
              f"-c ssl_key_file={certs / 'server.key'} -c fsync=off", "start"], as_postgres)
        started = True
        yield TlsServer(port=port, ca=certs / "ca.crt", other_ca=certs / "other.crt")
    except subprocess.CalledProcessError as exc:
        raise Unavailable(f"{exc.cmd[0]} failed: {exc.stderr.decode(errors='replace')[-500:]}") from exc
    finally:
        if started:
            _run([str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], as_postgres)
        shutil.rmtree(root, ignore_errors=True)
