"""Real `rapport` processes for scale tests: an API server and workers on one database, always cleaned up."""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

RAPPORT = str(Path(sys.executable).with_name("rapport"))
Partition = set[frozenset[tuple[str, str, str]]]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a `rapport` process on `database_url` (extra `RAPPORT_*` settings by keyword)."""
    env = {**os.environ, "RAPPORT_DATABASE_URL": database_url, "RAPPORT_LOG_LEVEL": "WARNING"}
    env.setdefault("RAPPORT_SECRET_KEY", Fernet.generate_key().decode())
    env.update({f"RAPPORT_{name.upper()}": value for name, value in settings.items()})
    return env


def run(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run one `rapport` command to completion; its stdout."""
    done = subprocess.run([RAPPORT, *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode in (0, 1), f"rapport {' '.join(args)} failed: {done.stderr[-2000:]}"
    return done.stdout


class Processes:
    """Started processes, each stopped (TERM, then KILL) when the block ends, whatever happened."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        """Start `rapport ARGS`, its output in `logs/NAME.log`."""
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen([RAPPORT, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.started.append(process)
        return process

    def api(self) -> str:
        """Start `rapport serve --no-worker` on a free loopback port; its base URL once it answers."""
        port = free_port()
        process = self.start(f"api-{port}", "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, self.tail(f"api-{port}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    return base
            time.sleep(0.1)
        raise AssertionError("the API did not answer within 30 s")

    def tail(self, name: str) -> str:
        """The end of a process's log."""
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop_all(self) -> None:
        """TERM every live process, then KILL what has not exited after 15 s."""
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@contextlib.contextmanager
def processes(env: dict[str, str], logs: Path) -> Iterator[Processes]:
    """Processes stopped at exit, even when the test fails."""
    started = Processes(env, logs)
    try:
        yield started
    finally:
        started.stop_all()


def partition_of(links_csv: str) -> Partition:
    """The records of each customer, as sets of `(record_type, source, external_id)`: ids do not matter."""
    groups: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for row in csv.DictReader(links_csv.splitlines()):
        groups[row["customer_id"]].add((row["record_type"], row["source"], row["external_id"]))
    return {frozenset(members) for members in groups.values()}


def export_partition(env: dict[str, str]) -> Partition:
    """`rapport export links` of the environment's database, as a partition."""
    return partition_of(run(env, "export", "links"))
