"""Start qingdan under gunicorn on a free loopback port, for benchmarks and the durability test.

The server is a real production process tree (a gunicorn master and its sync workers) with
production settings; only ``bench.settings`` adds the bare baseline view. It listens on
127.0.0.1 only and is stopped (or killed) by whoever started it.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running gunicorn: its process, port and log file."""

    process: subprocess.Popen
    port: int
    log: Path

    def kill(self) -> None:
        """Kill the master and its workers at once, without warning (SIGKILL to the process group)."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop gracefully; kill when it does not go within 10 seconds."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()


def start(env: Mapping[str, str], *, workers: int = 4, port: int | None = None, log: Path,
          settings_module: str = "bench.settings", ready_path: str = "/api/v1/openapi.json",
          timeout: float = 60.0) -> Server:
    """Start gunicorn with ``env`` added to ours and wait until it answers ``ready_path``."""
    port = port or free_port()
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **env}
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers), "--bind",
               f"127.0.0.1:{port}", "--graceful-timeout", "5", "--timeout", "60"]
    handle = log.open("ab")
    process = subprocess.Popen(command, env=full_env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,  # noqa: S603
                               start_new_session=True)  # its own process group: killed as one
    handle.close()
    server = Server(process=process, port=port, log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", ready_path)
            status = connection.getresponse().status
            connection.close()
            if status < 500:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; see {log}")


@contextmanager
def serve(env: Mapping[str, str], **options: object) -> Iterator[Server]:
    """Run a server for the duration of a ``with`` block."""
    server = start(env, **options)  # type: ignore[arg-type]  # options are start()'s keywords
    try:
        yield server
    finally:
        server.stop()
