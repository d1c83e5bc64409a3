"""Run Landform as a newcomer would: the `landform` command in subprocesses, on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

LANDFORM = str(Path(sys.executable).with_name("landform"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningLandform:
    base_url: str
    env: dict[str, str]
    demo: dict[str, Any] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def command(self, *args: str, timeout: float = 120) -> str:
        """Run `landform ARGS` with this instance's environment; its standard output."""
        done = subprocess.run(
            [LANDFORM, *args], env=self.env, capture_output=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"landform {' '.join(args)} failed:\n{done.stderr.decode()[-3000:]}")
        return done.stdout.decode()

    def start(self, *args: str, log: Path) -> subprocess.Popen[bytes]:
        """Start `landform ARGS` in the background (its own process group, so it can be killed whole)."""
        handle = log.open("ab")
        process = subprocess.Popen(
            [LANDFORM, *args], env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
        if process.poll() is None:
            os.killpg(process.pid, sig)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def environment(tmp: Path, port: int, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANDFORM_", "LITESTAR_"))}
    env.update(
        {
            "LANDFORM_HOST": "127.0.0.1",
            "LANDFORM_PORT": str(port),
            "LANDFORM_DATA_DIR": str(tmp / "var"),
            "LANDFORM_DATABASE_URL": f"sqlite:///{tmp / 'var' / 'landform.sqlite3'}",
            "LANDFORM_SECRET_KEY": "end-to-end-secret",
            "LANDFORM_FORM_MIN_SECONDS": "1",
            "LANDFORM_PROOF_OF_WORK_AFTER": "100000",  # every browser test submits from 127.0.0.1
            # The tests change rows behind the server's back (allowed origins, the cookie policy's
            # version), as another app server would: without this the server shows them within 10 s.
            "LANDFORM_CACHE_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def wait_until_healthy(
    base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"landform run exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"landform run did not become healthy:\n{log.read_text()[-3000:]}")


@contextmanager
def landform_server(tmp: Path, **overrides: str) -> Iterator[RunningLandform]:
    """What `make run` does: migrate, seed the demo, serve. Stops everything it started."""
    port = free_port()
    instance = RunningLandform(base_url=f"http://127.0.0.1:{port}", env=environment(tmp, port, **overrides))
    instance.command("db", "upgrade")
    instance.demo = json.loads(instance.command("demo").strip().splitlines()[-1])
    log = tmp / "server.log"
    server = instance.start("run", log=log)
    try:
        wait_until_healthy(instance.base_url, server, log)
        yield instance
    finally:
        for process in reversed(instance.processes):
            instance.stop(process)
