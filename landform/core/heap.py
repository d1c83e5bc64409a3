"""The process's long-lived objects, kept out of the garbage collector's way once everything is loaded."""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_heap() -> None:
    """Exempt what importing and building the app made (a few hundred thousand objects) from collection.

    They live as long as the process, yet every full collection walked them all: a pause of about 0.1 s
    for every request in flight (the intake's p99) and, spread out, some 0.06 ms of CPU a request
    (docs/performance.md). The collection first frees what start-up left behind, so nothing unreachable
    is kept for good. Once per process: the first start counts (tests start many apps in one).
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
