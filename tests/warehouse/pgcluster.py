"""A throwaway PostgreSQL cluster on a Unix socket in a temporary directory.

Used by the warehouse tests (a session fixture) and ``benchmarks/bench_warehouse.py``.
``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres``
user (``runuser -u postgres --``) and so does its directory. Nothing listens on TCP.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import attrs

__all__ = ["Cluster", "binaries", "start"]


def binaries() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``psql`` (the newest Debian one), or None."""
    debian = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")),
        key=lambda b: int(b.parent.name) if b.parent.name.isdigit() else 0,
    )
    found = shutil.which("pg_ctl")
    candidates = [*reversed(debian), *([Path(found).resolve().parent] if found else [])]
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "psql")):
            return folder
    return None


@attrs.frozen
class Cluster:
    """A running cluster: ``uri`` for ADBC/libpq, ``socket_dir`` for ``psql -h``."""

    directory: Path
    bin: Path
    as_postgres: bool

    @property
    def socket_dir(self) -> str:
        return str(self.directory)

    @property
    def uri(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.directory}"

    def command(self, *args: str) -> list[str]:
        """``args`` run as the cluster's owner."""
        return ["runuser", "-u", "postgres", "--", *args] if self.as_postgres else list(args)

    def psql(self, sql: str) -> str:
        """Run ``sql`` through ``psql`` (no password: trust on the private socket)."""
        out = subprocess.run(
            [
                str(self.bin / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.socket_dir,
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()

    def stop(self) -> None:
        """Stop the server (immediately) and delete its directory; safe to call twice."""
        if (self.directory / "data" / "postmaster.pid").exists():
            subprocess.run(
                self.command(
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.directory / "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(self.directory, ignore_errors=True)


def start() -> Cluster:
    """Create and start a cluster; it is stopped at interpreter exit at the latest.

    Raises
    ------
    FileNotFoundError
        When no PostgreSQL binaries are installed.
    subprocess.CalledProcessError
        When ``initdb`` or ``pg_ctl start`` fails (its output in the exception).
    """
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("no PostgreSQL binaries (pg_ctl) on PATH or in /usr/lib/postgresql")
    as_postgres = os.geteuid() == 0
    directory = Path(tempfile.mkdtemp(prefix="tcpg-", dir="/tmp"))
    if as_postgres:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, bin_dir, as_postgres)
    atexit.register(cluster.stop)
    data = str(directory / "data")
    subprocess.run(
        cluster.command(
            str(bin_dir / "initdb"),
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ),
        check=True,
        capture_output=True,
        text=True,
    )
    options = f"-c listen_addresses='' -c unix_socket_directories='{directory}' -c fsync=off"
    subprocess.run(
        cluster.command(
            str(bin_dir / "pg_ctl"),
            "-D",
            data,
            "-o",
            options,
            "-w",
            "-l",
            str(directory / "server.log"),
            "start",
        ),
        check=True,
        capture_output=True,
        text=True,
    )
    return cluster
