"""The PostgreSQL side of the list-page cache (storage/pagecache.py): the generations table,
the triggers that bump it, and the columns that tag a page with its generation and next TTL.

Migration 5 repeats migration 4's counter function before adding the bump: a migration that
has shipped is history and must not change, so the two do not share SQL fragments.
"""

from __future__ import annotations

from runloop_tui.server.storage import listing

# Bumps the generation of every scope a statement changed (below): PostgreSQL's clock
# in microseconds, and always more than before, so a restored backup never reuses one.
_BUMP = (
    "INSERT INTO list_generations AS g (scope, gen) SELECT scope,"
    " (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM ("
    "SELECT account AS scope FROM {changed} c UNION SELECT '' FROM {changed} c WHERE is_public"
    ") s ORDER BY 1 ON CONFLICT (scope) DO UPDATE SET gen = greatest(g.gen + 1, excluded.gen);"
)

_BOTH = (
    "(SELECT account, is_public FROM new_rows UNION ALL SELECT account, is_public FROM old_rows)"
)

# Migration 5 of storage/postgres.py: every change to `objects` bumps its scopes' generation
# (the account's; '' for public objects) in the same transaction, after the counters (the
# function replaces migration 4's, which it repeats) and in key order, so writers still take
# their row locks in one order. The expiry indexes find a scope's next TTL.
GENERATIONS_MIGRATION: tuple[str, ...] = (
    "CREATE TABLE list_generations (scope text PRIMARY KEY, gen bigint NOT NULL)",
    "CREATE INDEX ix_objects_account_expiry ON objects (account, delete_after_time_ms)"
    " WHERE delete_after_time_ms IS NOT NULL AND state <> 'DELETED'",
    "CREATE INDEX ix_objects_public_expiry ON objects (delete_after_time_ms)"
    " WHERE is_public AND delete_after_time_ms IS NOT NULL AND state <> 'DELETED'",
    f"""
CREATE OR REPLACE FUNCTION objects_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO object_counts SELECT account, is_public, state, count(*) FROM new_rows
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (account, is_public, state) DO UPDATE SET n = object_counts.n + excluded.n;
        {_BUMP.format(changed="new_rows")}
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO object_counts SELECT account, is_public, state, -count(*) FROM old_rows
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (account, is_public, state) DO UPDATE SET n = object_counts.n + excluded.n;
        {_BUMP.format(changed="old_rows")}
    ELSE
        INSERT INTO object_counts SELECT account, is_public, state, sum(d) FROM (
                SELECT account, is_public, state, 1 AS d FROM new_rows
                UNION ALL SELECT account, is_public, state, -1 FROM old_rows) c
            GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
            ON CONFLICT (account, is_public, state) DO UPDATE SET n = object_counts.n + excluded.n;
        {_BUMP.format(changed=_BOTH)}
    END IF;
    RETURN NULL;
END $$""",
)


def tagged_columns(columns: str, account: str | None) -> str:
    """``columns``, then the scope's generation and its next TTL, from the page's own
    snapshot (the statement binds ``scope`` to ``scope_of(account)``)."""
    return (
        f"{columns}, (SELECT gen FROM list_generations WHERE scope = %(scope)s),"
        f" {listing.next_expiry(listing.POSTGRES, account)}"
    )
