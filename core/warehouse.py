"""The one connection factory for the DuckDB warehouse."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from . import i18n
from .settings import Settings, load_settings


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse for writing (one run at a time): said in both languages."""

    def __init__(self, path: str | Path, holder: str):
        self.zh = i18n.text("warehouse_busy", "zh", path=path, holder=holder)
        self.en = i18n.text("warehouse_busy", "en", path=path, holder=holder)
        super().__init__(f"{self.zh}\n{self.en}")


def connect(path: str | Path, read_only: bool = False, settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    settings = settings or load_settings()
    config = {"memory_limit": settings.memory_limit}
    if settings.threads:
        config["threads"] = settings.threads
    if settings.temp_directory:
        config["temp_directory"] = settings.temp_directory
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        if "Could not set lock" not in str(exc):
            raise
        found = re.search(r"\(PID (\d+)\)", str(exc))
        raise WarehouseBusy(path, f"PID {found.group(1)}" if found else "?") from None
    return session(con)


def session(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # Timestamps in the contract are naive local time (Asia/Shanghai); keep DuckDB from shifting them.
    con.execute("set TimeZone = 'Asia/Shanghai'")
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Another connection to the same open warehouse, for work beside `con` in another thread."""
    return session(con.cursor())


BYTES = {"": 1, "b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
         "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def memory_limit_bytes(settings: Settings | None = None) -> int | None:
    """The configured memory limit in bytes; None for a limit not written as a number and a unit
    DuckDB reads (8GB, 512MiB), which is then left to DuckDB."""
    found = re.fullmatch(r"\s*([\d.]+)\s*([a-z]*)\s*", (settings or load_settings()).memory_limit.lower())
    return int(float(found.group(1)) * BYTES[found.group(2)]) if found and found.group(2) in BYTES else None


@contextlib.contextmanager
def memory_share(con: duckdb.DuckDBPyConnection, share: float, settings: Settings | None = None) -> Iterator[None]:
    """DuckDB's memory limit at `share` of the configured one inside the block, for work that holds
    memory of its own beside DuckDB's (which DuckDB does not count)."""
    settings = settings or load_settings()
    limit = memory_limit_bytes(settings)
    if limit is None:
        yield
        return
    con.execute(f"set memory_limit = '{int(limit * share)}B'")
    try:
        yield
    finally:
        con.execute(f"set memory_limit = '{settings.memory_limit}'")
