"""The one connection factory for the DuckDB warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .settings import Settings, load_settings


def connect(path: str | Path, read_only: bool = False, settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    settings = settings or load_settings()
    config = {"memory_limit": settings.memory_limit}
    if settings.threads:
        config["threads"] = settings.threads
    if settings.temp_directory:
        config["temp_directory"] = settings.temp_directory
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    session(con)
    if not read_only:
        from .load import recover  # the loader's tables, made consistent before anyone writes

        recover(con)
    return con


def session(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # Timestamps in the contract are naive local time (Asia/Shanghai); keep DuckDB from shifting them.
    con.execute("set TimeZone = 'Asia/Shanghai'")
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Another connection to the same open warehouse, for work beside `con` in another thread."""
    return session(con.cursor())
