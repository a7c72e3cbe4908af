"""`assistant serve` caps glibc's malloc arenas; 0 (or another C library) leaves them alone."""

from __future__ import annotations

import ctypes

from assistant.web.allocator import limit_arenas


def test_arenas_are_capped_on_glibc_and_left_alone_at_zero() -> None:
    assert limit_arenas(0) is False
    on_glibc = hasattr(ctypes.CDLL(None), "gnu_get_libc_version")
    assert limit_arenas(16) is on_glibc
