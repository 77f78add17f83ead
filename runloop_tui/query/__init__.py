"""Pure query helpers: the filter-bar language, its completion, and human units."""

from runloop_tui.query.completion import FIELD_NAMES, complete_term, needed_metadata_key
from runloop_tui.query.filter import (
    FILTER_HELP,
    CompiledFilter,
    FilterError,
    ObjectIndex,
    ServerPushdown,
    compile_filter,
)

__all__ = [
    "FIELD_NAMES",
    "FILTER_HELP",
    "CompiledFilter",
    "FilterError",
    "ObjectIndex",
    "ServerPushdown",
    "compile_filter",
    "complete_term",
    "needed_metadata_key",
]
