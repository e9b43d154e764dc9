"""Gives the memory start-up freed back to the system (glibc only; elsewhere nothing).

Start-up allocates far more than the running bot keeps (the knowledge base's YAML, the
matcher's index being built, the migrations' check), and glibc's allocator keeps most of
what is freed in the middle of its heap: ``malloc_trim(0)`` returns those pages. About 5 MB
of resident memory at idle (docs/BENCHMARKS.md, section 3). It takes a few milliseconds
and is safe at any time; the bot calls it once, when start-up is done.
"""

from __future__ import annotations

import ctypes


def release_free_memory() -> bool:
    """True when glibc's ``malloc_trim`` ran (and gave back at least a page)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own symbols: libc's among them
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return bool(trim(0))
