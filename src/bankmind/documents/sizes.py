"""Byte counts as people read them in messages: `512 bytes`, `9.8 KB`, `2.5 MB`, `300 MB`."""

from __future__ import annotations

__all__ = ["format_size"]


def format_size(n: float) -> str:
    """Binary units (1 MB = 1,048,576 bytes); one decimal below 10 units unless the value is whole."""
    if n < 1024:
        return f"{n:,.0f} bytes"
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if n < scale * 1024 or unit == "GB":
            value = n / scale
            return f"{value:,.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")
