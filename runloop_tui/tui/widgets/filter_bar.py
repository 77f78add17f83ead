"""The filter bar: an Input with ghost completion, and a line listing invalid terms.

It only reports what was typed (FilterChanged / FilterDismissed / FilterSubmitted); the
screen debounces, compiles and applies the filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.reactive import Reactive
from textual.suggester import Suggester
from textual.widgets import Input, Static

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.errors import ApiError
from runloop_tui.query.completion import complete_term, needed_metadata_key
from runloop_tui.query.filter import FilterError
from runloop_tui.tui.formatting import display_text
from runloop_tui.tui.messages import FilterChanged, FilterDismissed, FilterSubmitted
from runloop_tui.tui.widgets.filter_history import FilterHistory, HistoryCursor

if TYPE_CHECKING:
    from textual.css.styles import RulesMap


class FilterSuggester(Suggester):
    """Completes field names, states, types, metadata keys and values.

    Metadata comes from the server; when a value list is missing, ``request_values(key)`` is
    called (the screen fetches it in a worker) and the next keystroke uses it.
    """

    def __init__(self, request_values: Callable[[str], None]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.metadata_keys: list[str] = []
        self.metadata_values: dict[str, list[str]] = {}
        self._request_values = request_values

    async def get_suggestion(self, value: str) -> str | None:
        key = needed_metadata_key(value)
        if key is not None and key not in self.metadata_values:
            self._request_values(key)
        try:
            return complete_term(value, self.metadata_keys, self.metadata_values)
        except Exception:  # completion must never break typing
            return None


class FilterInput(Input):
    """An Input whose growing text does not re-lay-out the whole screen on every key.

    Input keeps its virtual size at the text's width, a reactive that asks for a layout pass
    of the screen (measured: 3-5 ms before every echo frame, on each keystroke). This input
    has a fixed size, so scrolling along long text needs only the virtual size itself.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class FilterBar(Vertical):
    DEFAULT_CSS = """
    FilterBar { height: auto; border-left: outer $border-blurred; }
    FilterBar:focus-within { border-left: outer $border; }
    FilterBar.-invalid { border-left: outer $error; }
    FilterBar > Input, FilterBar > Input:focus {
        border: none; height: 1; padding: 0 1; background: $boost;
    }
    FilterBar.-invalid > Input, FilterBar.-invalid > Input:focus { background: $error 15%; }
    FilterBar > #filter-errors { display: none; color: $text-error; padding: 0 1; height: auto; }
    FilterBar.-invalid > #filter-errors { display: block; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Clear filter", id="filter.clear"),
        Binding("tab", "accept", "Complete / back to table", id="filter.complete"),
        Binding("up", "history_older", "Previous filter", show=False, id="filter.history_older"),
        Binding("down", "history_newer", "Next filter", show=False, id="filter.history_newer"),
    ]

    def __init__(
        self,
        client: Callable[[], ObjectsClient],
        *,
        history: FilterHistory | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._client = client
        self.suggester = FilterSuggester(self._request_values)
        self.history = history or FilterHistory(None)
        self._cursor = HistoryCursor(self.history)
        self._recalled: str | None = None  # the text ↑/↓ put in (its Changed arrives later)

    # --- completion data: metadata keys and values come from the server, cached ---
    @work(exclusive=True, group="metadata-keys", exit_on_error=False, description="metadata keys")
    async def load_metadata_keys(self) -> None:
        try:
            self.suggester.metadata_keys = sorted(await self._client().metadata_keys())
        except ApiError:
            return  # completion is a nicety; focusing the bar again retries

    def _request_values(self, key: str) -> None:
        self.suggester.metadata_values.setdefault(key, [])
        self._load_values(key)

    @work(group="metadata-values", exit_on_error=False, description="metadata values")
    async def _load_values(self, key: str) -> None:
        try:
            result = await self._client().metadata_values(key)
        except ApiError:
            self.suggester.metadata_values.pop(key, None)
            return
        self.suggester.metadata_values[key] = sorted(result.values)

    def on_descendant_focus(self) -> None:
        if not self.suggester.metadata_keys:
            self.load_metadata_keys()

    def compose(self) -> ComposeResult:
        yield FilterInput(
            placeholder=(
                "/ filter: word -word state:error type:tgz meta:key=value age>7d size>100MB expired"
            ),
            suggester=self.suggester,
            id="filter-input",
            select_on_focus=False,
        )
        yield Static("", id="filter-errors", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#filter-input", Input)

    @property
    def text(self) -> str:
        return self.input.value

    def set_text(self, text: str) -> None:
        self.input.value = text
        self.input.cursor_position = len(text)

    def show_errors(self, errors: Sequence[FilterError]) -> None:
        shown = self.has_class("-invalid")
        self.set_class(bool(errors), "-invalid")
        lines = [f"✗ {display_text(e.text)}" for e in errors[:3]]
        if len(errors) > 3:
            lines.append(f"… and {len(errors) - 3} more")
        text = "\n".join(lines)
        errors_line = self.query_one("#filter-errors", Static)
        if text != str(errors_line.content):  # an update means a layout pass: only on change
            # ...and only if the line's height changes: a layout repaints the whole screen,
            # and while a field term is typed (`type:t`, `type:te`) every key changes the text.
            content = Content(text)
            width, height = errors_line.content_size
            same_height = shown and bool(errors) and width > 0
            same_height = (
                same_height
                and content.get_height(cast("RulesMap", errors_line.styles), width) == height
            )
            errors_line.update(content, layout=not same_height)

    @property
    def error_text(self) -> str:
        if not self.has_class("-invalid"):
            return ""
        return str(self.query_one("#filter-errors", Static).content)

    @on(Input.Changed, "#filter-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self._recalled:
            self._cursor.reset()  # typing starts a new draft
        self.post_message(FilterChanged(event.value))

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._remember()
        self.post_message(FilterSubmitted())

    # --- history: ↑/↓ walk earlier filters; Enter or Tab back to the table records one ---
    def _remember(self) -> None:
        self.history.add(self.text)
        self._cursor.reset()

    def _recall(self, text: str | None) -> None:
        if text is None:
            self.app.bell()
            return
        self._recalled = text
        self.set_text(text)

    def action_history_older(self) -> None:
        self._recall(self._cursor.older(self.text))

    def action_history_newer(self) -> None:
        self._recall(self._cursor.newer())

    def action_accept(self) -> None:
        """Tab takes the ghost completion if there is one, else returns to the table."""
        field = self.input
        if field._suggestion and field.cursor_at_end:  # no public getter for the ghost text
            field.action_cursor_right()
        else:
            self._remember()
            self.post_message(FilterSubmitted())

    def action_dismiss(self) -> None:
        self.post_message(FilterDismissed())
