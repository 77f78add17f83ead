"""Keys are handled one at a time, each after the app has finished with the one before.

Over SSH, and when pasting, several keys arrive in one read. Textual forwards each key to the
focused widget at once, so in a burst like ``/tmp`` all four keys were already on their way
to the table before ``/`` had moved the focus to the filter bar: the ``t`` opened a preview
and the filter stayed empty. Keys after a binding that opens a modal likewise acted on the
screen underneath, or on a modal that was not built yet (``qu`` crashed while quitting).

The gate holds each key until every message pump of the app is idle again: the key's own
handling, the focus change or the screen it pushed (composed and mounted), and whatever
those posted. Only then does the next key go out, to whatever is focused by then. While
the app is shutting down, keys are dropped.

An Esc that arrives in the same read as the next key is parsed by the terminal layer as one
Alt+key (that is how terminals send Alt). Over SSH that turned "Esc, then j" into an Alt+j
that nothing handled, so a dialog the user meant to close stayed open for the next key. The
app binds no Alt+letter, so such a key is taken apart again into Esc and the key, unless the
user's keymap binds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Container, Iterable, Mapping

from textual import events
from textual.message_pump import MessagePump

# A handler that never settles (a bug, or a very slow pass) must not hold keys forever:
# after this long the next key goes out anyway, in order.
MAX_SETTLE_SECONDS = 2.0


# Quiet polls in a row, a loop turn apart, before the app counts as idle: a handler that
# awaits another task (a mount, an event) leaves every queue empty for a turn or two.
QUIET_TURNS = 3


def _busy(pump: MessagePump) -> bool:
    # Textual's queues keep no count of messages in hand, so a pump counts as busy while
    # anything waits in its queue, it holds a peeked message or callbacks for after its
    # current one, or it has not finished mounting.
    return bool(
        pump._message_queue.qsize()
        or pump._pending_message is not None
        or pump._next_callbacks
        or not pump._is_mounted
    )


# In a text field Alt+b and Alt+f move by word (readline's keys, which Textual reads them as).
WORD_MOTIONS = {"alt+b": "ctrl+left", "alt+f": "ctrl+right"}


def split_escape(
    key: events.Key, bound: Container[str] = (), in_text: bool = False
) -> list[events.Key]:
    """``alt+j`` (Esc and ``j`` in one read) as the two keys Esc and ``j``.

    Only for a printable character (``terminal_input`` makes sure Esc before any of them
    reads as Alt) that no binding in ``bound`` claims; Alt with a named key
    (``alt+backspace``, ``alt+up``) is a real chord and stays whole. ``in_text``: a text
    field has the focus, where Alt+b and Alt+f are word motions.
    """
    name, character = key.key, key.character
    if in_text and name in WORD_MOTIONS and name not in bound:
        return [events.Key(WORD_MOTIONS[name], None)]
    if (
        not name.startswith("alt+")
        or name in bound
        or character is None
        or len(character) != 1
        or not character.isprintable()
    ):
        return [key]
    # The name the key has when typed alone: `J` for alt+shift+j, `slash` for alt+slash.
    plain = character if character.isalnum() else name.removeprefix("alt+")
    return [events.Key("escape", "\x1b"), events.Key(plain, character)]


def alt_chords(keymap: Mapping[str, str]) -> frozenset[str]:
    """The Alt chords a user's keymap binds (``{"app.help": "alt+h,f1"}``): kept whole."""
    return frozenset(
        chord.strip()
        for keys in keymap.values()
        for chord in keys.split(",")
        if chord.strip().startswith("alt+")
    )


class KeyGate:
    """Deliver keys in order, each once the app is idle after the one before.

    ``deliver`` does what Textual does with a key (priority bindings, then the focused
    widget); ``pumps`` lists the app's message pumps at the time of asking; ``alt_keys`` are
    the Alt chords a binding claims and ``in_text`` tells whether a text field has the focus
    (see ``split_escape``).
    """

    def __init__(
        self,
        deliver: Callable[[events.Key], Awaitable[None]],
        pumps: Callable[[], Iterable[MessagePump]],
        alt_keys: Container[str] = (),
        in_text: Callable[[], bool] = lambda: False,
    ) -> None:
        self._deliver = deliver
        self._pumps = pumps
        self._alt_keys = alt_keys
        self._in_text = in_text
        self._keys: deque[events.Key] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="key gate")

    def put(self, key: events.Key) -> None:
        if self.closed:
            return
        self._keys.append(key)
        self._wake.set()

    def close(self) -> None:
        """Drop the keys still waiting, and every key from now on."""
        self.closed = True
        self._keys.clear()
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._keys)

    async def _run(self) -> None:
        while not self.closed:
            if not self._keys:
                self._wake.clear()
                await self._wake.wait()
                continue
            # Taken apart as it goes out, when the focus it lands on is known.
            key, *rest = split_escape(self._keys.popleft(), self._alt_keys, self._in_text())
            self._keys.extendleft(rest)  # one key at most: the one after the Esc
            await self._deliver(key)
            # A lone key is delivered at once; what the gate delays is only the next one,
            # which may arrive while this one is still being handled.
            await self.settled()

    async def settled(self) -> None:
        """Return once no message pump has had work for a few loop turns (bounded)."""
        deadline = time.monotonic() + MAX_SETTLE_SECONDS
        quiet = turns = 0
        while quiet < QUIET_TURNS and time.monotonic() < deadline:
            # A few free turns; then a millisecond apart, so waiting on I/O burns no CPU.
            turns += 1
            await asyncio.sleep(0 if turns < 50 else 0.001)
            if any(_busy(pump) for pump in self._pumps()):
                quiet = 0
            else:
                quiet += 1

    async def aclose(self) -> None:
        self.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
