"""Fewer malloc arenas, so a room's server stays inside a small container's memory.

glibc gives each thread that contends for the allocator an arena of its own, up to eight per core, and
freed memory in one arena cannot serve another: with a script thread per visitor and training threads,
the server's peak resident memory grows with the arenas rather than with the data. For a room of 30 with
5 training (`benchmarks.browser`, one run each) the peak was 724 MB with glibc's default, 714 MB with this
call, and 690 MB with MALLOC_ARENA_MAX=2 in the server's environment, which also covers the arenas made
before the app's first script run. `mallopt` sets the limit from inside the process for arenas made from
now on; elsewhere than glibc it does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_ARENA_MAX = -8  # mallopt's parameter number for the arena limit, from glibc's malloc.h
ARENAS = 2


@functools.cache
def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Ask glibc for at most `arenas` malloc arenas (once per process). Whether the C library took it."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = libc.mallopt if libc is not None else None
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows): nothing to set
        return False
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_ARENA_MAX, arenas) == 1
