"""glibc's malloc arenas: a thread that finds every arena busy makes another (up to 8 per core)
and memory freed in an arena stays with it, so a threaded server's resident memory grows with
the threads that ever allocated; `limit_arenas` caps how many there are."""

from __future__ import annotations

import ctypes

M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


def limit_arenas(count: int) -> bool:
    """Cap glibc's malloc arenas at `count` for the rest of the process (call it before the
    threads start); False when `count` is 0 or the C library is not glibc (musl, macOS)."""
    if count <= 0:
        return False
    libc = ctypes.CDLL(None)  # the C library the interpreter is linked against
    if not hasattr(libc, "gnu_get_libc_version"):
        return False
    return bool(libc.mallopt(M_ARENA_MAX, count))
