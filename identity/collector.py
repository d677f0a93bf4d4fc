"""Fewer cyclic garbage collections while resolving: resolution builds many objects that live on."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Collect the youngest generation after this many allocations (CPython's default is 700).
_GC_YOUNG_THRESHOLD = 50_000


@contextmanager
def long_lived_objects() -> Iterator[Callable[[], None]]:
    """Collect less often inside this block; the function it gives marks what exists now as settled.

    Resolution allocates millions of objects that live on (profiles, keys, index lists) and almost no reference
    cycles; at the default thresholds the collector rescans them over and over: 35-40% of the CPU of
    `rapport resolve` on Febrl4. Calling the settle function between batches (a young collection, then
    `gc.freeze`) keeps the collector from scanning earlier batches again. Results do not depend on it; memory
    hardly does (little garbage is cyclic). Everything settled is handed back to the collector when the block
    ends.

    The collector's settings belong to the whole process: use this in one-off, single-threaded runs
    (`rapport ingest`, `rapport resolve`), never around work a server does for concurrent requests.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(_GC_YOUNG_THRESHOLD, *threshold[1:])
    try:
        yield _settle
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _settle() -> None:
    # Collect the young generations first: cyclic garbage frozen with the rest would never be freed (20-30 MB
    # at 30k people); they hold only what was made since the last call, so this costs little.
    gc.collect(1)
    gc.freeze()
