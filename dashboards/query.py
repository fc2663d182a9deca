"""Queries on the published read-only snapshot, never the warehouse: which snapshot a request reads,
the connection to it, parameter binding, the time limit and the result cache.

User input is passed as parameters, never formatted into the SQL text; results are small pandas
frames. The snapshot is replaced atomically by rename after each run, so the cached connection is
reopened whenever the file's identity (inode, mtime) changes.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from . import access, scope

_LOCK = threading.Lock()
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_CONNECTIONS: dict[str, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}


def current_snapshot() -> Path:
    """The snapshot of the app serving the current request (set by dashboards.app.create_app)."""
    import flask
    return Path(flask.current_app.config["RECWATCH_SNAPSHOT"])


def snapshot_version(snapshot: Path | str) -> str:
    """What identifies the snapshot now at the path: publishing swaps a new file in, with a new
    modification time (nanoseconds since the epoch, as text: a browser's numbers hold 53 bits, and
    a number this large came back from the page changed, so every page said the data had changed)."""
    return str(Path(snapshot).stat().st_mtime_ns)


def _opened(snapshot: Path | str) -> tuple[tuple[str, int, int], duckdb.DuckDBPyConnection]:
    """(identity of the file now at the path, a read-only connection to it)."""
    key = str(Path(snapshot).resolve())
    stat = Path(key).stat()
    ident = (stat.st_ino, stat.st_mtime_ns)
    with _LOCK:
        cached = _CONNECTIONS.get(key)
        if cached is not None and cached[0] == ident:
            return (key, *ident), cached[1]
        if cached is not None:
            # DuckDB caches an open database per path: close the old one first, or reopening the
            # path would hand back the replaced file's contents
            try:
                cached[1].close()
            except duckdb.Error:  # pragma: no cover - a cursor may still be using it
                pass
        con = duckdb.connect(key, read_only=True)
        _CONNECTIONS[key] = (ident, con)
        return (key, *ident), con


def _bind(sql: str, params: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The statement and the parameters it uses."""
    params = params or {}
    sql = scope.unbounded(sql, params)
    # DuckDB refuses named parameters the statement does not use, and the shared filters carry several
    used = set(_PARAM.findall(sql))
    return sql, {k: v for k, v in params.items() if k in used}


# A published snapshot never changes in place (a new one is renamed over it), so a result stays
# true for as long as the file's identity does: the language switch, a return to a page or the
# labels every page asks for are answered without querying again.
_RESULTS: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
RESULT_CACHE_SIZE = 256


def _query_timeout() -> float | None:
    """The server's query time limit (settings.dashboard_query_timeout); none outside a request."""
    import flask

    return flask.current_app.config.get("RECWATCH_QUERY_TIMEOUT") if flask.has_app_context() else None


def query(snapshot: Path | str, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one parameterised query on the snapshot (a cursor per query, so threads don't share one);
    the caller gets its own copy of the result."""
    ident, con = _opened(snapshot)
    sql, used = _bind(sql, params)
    key = (ident, sql, tuple(sorted(used.items())))
    with _LOCK:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            return _RESULTS[key].copy()
    cur, limit = con.cursor(), _query_timeout()
    # a query past the limit is interrupted, so a request cannot hold one of the server's threads for ever
    timer = threading.Timer(limit, cur.interrupt) if limit else None
    try:
        if timer:
            timer.start()
        frame = cur.execute(sql, used).df()
    except duckdb.InterruptException:
        raise access.TooSlow(limit) from None
    finally:
        if timer:
            timer.cancel()
        cur.close()
    with _LOCK:
        _RESULTS[key] = frame
        while len(_RESULTS) > RESULT_CACHE_SIZE:
            _RESULTS.popitem(last=False)
    return frame.copy()


def batches(snapshot: Path | str, sql: str, params: dict[str, Any] | None = None,
            batch_rows: int = 20_000) -> Iterator[pd.DataFrame]:
    """A query's result in frames of at most `batch_rows` rows, for results too large to hold at
    once (an export); neither cached nor held."""
    cur = _opened(snapshot)[1].cursor()
    try:
        sql, used = _bind(sql, params)
        for batch in cur.sql(sql, params=used).to_arrow_reader(batch_rows):
            yield batch.to_pandas()
    finally:
        cur.close()
