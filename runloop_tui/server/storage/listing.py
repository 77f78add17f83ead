"""The list query, written once for SQLite and PostgreSQL.

A page is one statement: the filters, the keyset cursor (as a subquery, so there is no
separate lookup) and, when asked for, ``total_count`` as an uncorrelated scalar subquery
that the engine evaluates once. One statement is one snapshot on both engines, so the total
and the page always agree, with no BEGIN/COMMIT round trips around them.

An unfiltered total is read from ``object_counts`` (per account, visibility and state),
which triggers keep exact in the same transaction as every row change, minus (or plus) the
objects past their TTL that the reaper has not yet marked DELETED: those are counted through
the partial expiry index, and the reaper keeps them few. A filtered total (name, search,
content type) still counts the matching rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from runloop_tui.server.errors import InvalidArgument
from runloop_tui.server.records import DELETED, ListQuery

ORDER = " ORDER BY create_time_ms DESC, id DESC"
# Not yet reaped, already past the TTL: the partial index ix_objects_expiry holds these.
EXPIRING = "delete_after_time_ms IS NOT NULL AND state != 'DELETED'"


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the engines: parameter marks, booleans, substring matching."""

    mark: str  # the placeholder for a named parameter, with {} for the name
    true: str  # a true boolean literal for is_public
    contains: Callable[[str, str], str]  # (column, parameter mark) -> "column contains it"
    pattern: Callable[[str], str]  # what to bind for a `contains` parameter
    # The table to count not-yet-reaped expired rows in: SQLite must be told to use the
    # partial expiry index (it would rather walk the account's whole list index).
    expiring_rows: str = "objects"

    def p(self, name: str) -> str:
        return self.mark.format(name)


@dataclass(frozen=True, slots=True)
class ListStatement:
    sql: str
    params: dict[str, Any]
    counted: bool  # the last column of each row is the total


def _scope(d: Dialect, account: str | None) -> str:
    return f"is_public = {d.true}" if account is None else f"account = {d.p('account')}"


def filters(
    d: Dialect, account: str | None, query: ListQuery, now_ms: int
) -> tuple[list[str], dict[str, Any]]:
    """The WHERE terms (ANDed) and their parameters, without the cursor."""
    now = d.p("now")
    where = [_scope(d, account)]
    params: dict[str, Any] = {"account": account, "now": now_ms}
    expired = f"(delete_after_time_ms IS NOT NULL AND delete_after_time_ms <= {now})"
    if query.state is None:
        where.append(
            f"state != 'DELETED' AND (delete_after_time_ms IS NULL OR delete_after_time_ms > {now})"
        )
    elif query.state == DELETED:
        where.append(f"(state = 'DELETED' OR {expired})")
    else:
        where.append(f"state = {d.p('state')} AND NOT {expired}")
        params["state"] = query.state
    if query.name:
        where.append(d.contains("name_fold", d.p("name")))
        params["name"] = d.pattern(query.name.casefold())
    if query.content_type:
        where.append(f"content_type = {d.p('content_type')}")
        params["content_type"] = query.content_type
    if query.search:
        by_id = d.contains("id", d.p("search_id"))
        where.append(f"({by_id} OR {d.contains('name_fold', d.p('search'))})")
        params["search_id"] = d.pattern(query.search)
        params["search"] = d.pattern(query.search.casefold())
    return where, params


def count_sql(d: Dialect, account: str | None, query: ListQuery, where: list[str]) -> str:
    """A scalar expression for the query's exact total (see the module docstring)."""
    if query.name or query.content_type or query.search:
        return f"(SELECT count(*) FROM objects WHERE {' AND '.join(where)})"
    scope, now = _scope(d, account), d.p("now")
    due = f"{EXPIRING} AND delete_after_time_ms <= {now} AND {scope}"
    if query.state is None:
        counted, sign = "state != 'DELETED'", "-"
    elif query.state == DELETED:
        counted, sign = "state = 'DELETED'", "+"
    else:
        counted, sign = f"state = {d.p('state')}", "-"
        due += f" AND state = {d.p('state')}"
    return (
        f"(coalesce((SELECT sum(n) FROM object_counts WHERE {scope} AND {counted}), 0)"
        f" {sign} (SELECT count(*) FROM {d.expiring_rows} WHERE {due}))"
    )


def list_statement(
    d: Dialect, columns: str, account: str | None, query: ListQuery, now_ms: int
) -> ListStatement:
    """One statement for the page (limit + 1 rows, to tell has_more) and maybe the total."""
    where, params = filters(d, account, query, now_ms)
    total = count_sql(d, account, query, where) if query.include_total_count else None
    if query.starting_after is not None:
        after = d.p("after")
        cursor_time = f"(SELECT create_time_ms FROM objects WHERE id = {after} AND {where[0]})"
        where.append(f"(create_time_ms, id) < ({cursor_time}, {after})")
        params["after"] = query.starting_after
    params["fetch"] = max(query.limit, 0) + 1
    select = columns if total is None else f"{columns}, {total}"
    sql = f"SELECT {select} FROM objects WHERE {' AND '.join(where)}{ORDER} LIMIT {d.p('fetch')}"
    return ListStatement(sql, params, total is not None)


def next_expiry(d: Dialect, account: str | None) -> str:
    """A scalar: the earliest TTL still to come in the scope (NULL: none), the moment a
    cached page of it stops being true even without a write (storage/pagecache.py)."""
    return (
        f"(SELECT min(delete_after_time_ms) FROM objects WHERE {_scope(d, account)}"
        f" AND {EXPIRING} AND delete_after_time_ms > {d.p('now')})"
    )


def total_statement(d: Dialect, account: str | None, query: ListQuery, now_ms: int) -> str:
    """The total alone, for a page that came back empty (so carried no total column)."""
    where, _ = filters(d, account, query, now_ms)
    return f"SELECT {count_sql(d, account, query, where)}"


def cursor_statement(d: Dialect, account: str | None) -> str:
    """Whether ``starting_after`` names an object in scope (asked only for an empty page)."""
    return f"SELECT 1 FROM objects WHERE id = {d.p('after')} AND {_scope(d, account)}"


def like_contains(text: str) -> str:
    """A LIKE pattern for "contains ``text``" (LIKE, unlike strpos, can use a trigram index)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


SQLITE = Dialect(
    mark=":{}",
    true="1",
    contains=lambda column, p: f"instr({column}, {p}) > 0",
    pattern=str,
    expiring_rows="objects INDEXED BY ix_objects_expiry",
)
POSTGRES = Dialect(
    mark="%({})s",
    true="true",
    contains=lambda column, p: f"{column} LIKE {p}",
    pattern=like_contains,
)


def no_cursor(object_id: str) -> InvalidArgument:
    return InvalidArgument(f"starting_after: no object {object_id} to continue after")


def take(
    rows: Sequence[Sequence[Any]], statement: ListStatement, query: ListQuery
) -> tuple[list[Sequence[Any]], bool, int | None, bool]:
    """The page's rows (without the total column), has_more, the total, and whether the total
    is still to be read (the page came back empty, so no row carried it: ``total_statement``)."""
    total = None
    if statement.counted and rows:
        total = int(rows[0][-1])
        rows = [row[:-1] for row in rows]
    needs_total = statement.counted and not rows
    return list(rows[: query.limit]), len(rows) > query.limit, total, needs_total


# SQLite builds each object's view as JSON text itself (json_object, in C): a page is then
# a join. The same fields, order and effective state as ObjectRecord.view()/json().
SQLITE_VIEW = (
    "json_object('id', id, 'name', name, 'state', CASE WHEN state != 'DELETED'"
    " AND delete_after_time_ms <= :now THEN 'DELETED' ELSE state END,"
    " 'size_bytes', size_bytes, 'content_type', content_type, 'create_time_ms', create_time_ms,"
    " 'delete_after_time_ms', delete_after_time_ms, 'metadata', json(metadata))"
)
