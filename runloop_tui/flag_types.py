"""Argument types that more than one entry point's parser shares (no imports of its own, so
the server and web mode can both use them without pulling each other in)."""

from __future__ import annotations

import argparse


def port_number(text: str) -> int:
    """An argparse ``type``: a TCP port, 0 meaning any free one."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535 (0: any free port), got {value}")
    return value
