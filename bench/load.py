"""A small HTTP/1.1 load generator: N keep-alive connections on asyncio streams, bounded in time and count.

Lean on purpose: on a two-core machine the client shares the CPU with the servers it measures, so
it must cost as little as possible, and the same for both sides of a comparison.

Closed loop by default (each connection sends its next request when the answer arrives: the
server's capacity). With `rate`, requests are due at a fixed pace and latency counts from when a
request was due, not when it could be sent, so a slow server cannot hide its queue.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, other: LoadResult) -> None:
        self.seconds += other.seconds
        self.latencies += other.latencies
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency at percentile p (0-100), in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000


def request_bytes(method: str, path: str, body: bytes = b"", content_type: str = "application/json") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
    if body or method == "POST":
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("server closed the connection")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _sep, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    body = b""
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


async def _client(
    host: str,
    port: int,
    make_request: Callable[[int], bytes | None],
    counter: list[int],
    until: float,
    result: LoadResult,
    keep: Callable[[bytes], None] | None,
    pace: tuple[float, float] | None,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            counter[0] += 1
            request = make_request(counter[0])
            if request is None:
                return
            started = time.perf_counter()
            if pace is not None:
                first, rate = pace
                started = first + counter[0] / rate
                if started >= until:
                    return
                await asyncio.sleep(max(0.0, started - time.perf_counter()))
            writer.write(request)
            try:
                status, body = await _read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server dropped the connection: count it as an error (599) and connect again.
                result.statuses[599] = result.statuses.get(599, 0) + 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if keep is not None:
                keep(body)
    finally:
        writer.close()


async def _run(
    host: str,
    port: int,
    make_request: Callable[[int], bytes | None],
    concurrency: int,
    seconds: float,
    keep: Callable[[bytes], None] | None,
    rate: float | None,
) -> LoadResult:
    result = LoadResult(seconds=0.0)
    counter = [0]
    started = time.perf_counter()
    until = started + seconds
    pace = (started, rate) if rate else None
    await asyncio.gather(
        *(_client(host, port, make_request, counter, until, result, keep, pace) for _ in range(concurrency))
    )
    result.seconds = time.perf_counter() - started
    return result


def run_load(
    port: int,
    make_request: Callable[[int], bytes | None],
    *,
    concurrency: int = 32,
    seconds: float = 5.0,
    keep: Callable[[bytes], None] | None = None,
    rate: float | None = None,
    host: str = "127.0.0.1",
) -> LoadResult:
    """Send requests from `concurrency` connections until `seconds` pass or `make_request` returns None."""
    return asyncio.run(_run(host, port, make_request, concurrency, seconds, keep, rate))
