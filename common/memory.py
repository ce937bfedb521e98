"""Hand the heap a prepared plan no longer needs back to the system.

Laying a book out parses its whole object graph in qpdf (C++). Once the plan is
made those objects are freed, but glibc keeps the pages for reuse: after
preparing the 1,611-page LaTeX3 sources (7 MB) the worker stayed at 366 MB
resident, and Cloud Run limits an instance on resident memory, so every later
copy in flight stood on top of a high-water mark nothing used. `malloc_trim(0)`
returns it: 50 MB. Measured with bench/stamp.py's books; see bench/README.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import cast


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # here: a command that never trims (stamp, trace) starts without ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return None
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None)  # glibc only; musl has none
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return cast(Callable[[int], int], trim)


def release_free_memory() -> bool:
    """Return freed heap pages to the system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
