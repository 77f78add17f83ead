"""Settings and profiles.

STUB written by the lead to fix the interface; the foundation work fills in loading.
Precedence, lowest first: defaults, config.toml, environment, flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from runloop_tui.api.client import DEFAULT_BASE_URL


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app needs to start, already validated."""

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)
    profile: str | None = None
    # None: run against the embedded local store (no key, or --local / --demo).
    local_data_dir: Path | None = None
    demo: bool = False
    read_only: bool = False
    # None: adaptive (a few seconds for small accounts, slower for large ones).
    refresh_seconds: float | None = None
    download_dir: Path = field(default_factory=Path.cwd)
    # A theme colour name or variable for a production profile, e.g. "error".
    accent: str | None = None
    max_retries: int = 5
    timeout_seconds: float = 30.0
    # Key remapping: binding id -> keys, from the [keys] table.
    keymap: dict[str, str] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        return self.local_data_dir is not None
