"""The cyclic garbage collector is paused from the process start to the first rows on screen.

Start-up only builds objects that live as long as the process (modules, classes, the CSS,
the widgets): the collector finds nothing to free there, yet its passes over them cost a
sixth of the CPU to the first rows (about 60 ms over ~160 passes, measured in bench figure 9).
Reference counting still frees everything as usual; only the search for cycles waits.
When the first row is on screen (the app hears the table's first ``RowHighlighted``), or
after ``SAFETY_SECONDS`` whatever happens, what start-up built is frozen out of the
collector's reach (``gc.freeze``) and collection resumes. The few cycles start-up leaves
as garbage are frozen with the rest rather than freed: once per process, about 660 objects
and 140 KB after the imports (measured; mostly the classes that ``dataclass(slots=True)``
replaces), against a 22-28 ms full collection on the path to the first rows.
"""

from __future__ import annotations

import gc

SAFETY_SECONDS = 3.0  # the app resumes collection by then even if no page ever arrives

_paused = False


def pause_collector() -> None:
    """Pause the cyclic collector, unless something else has already turned it off."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """Resume what ``pause_collector`` paused (idempotent; nothing if it paused nothing)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def collector_paused() -> bool:
    return _paused
