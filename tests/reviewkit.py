"""A sample year with its spot-check ledger reviewed: the generator makes no reviews, so the
dashboard's ledger tests load the made-up ones of bench.reviews into a copy of a Samples warehouse
and judge it again (made once a session, beside the sample it is a copy of)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from bench.reviews import write
from core.warehouse import connect

AS_OF = dt.date(2025, 12, 31)


def reviewed(samples, seed: int, scale: str = "XS") -> Path:
    """The snapshot of Samples' (seed, scale) year with every drawn case's review loaded (beside it:
    wh.duckdb), judged as of 2025-12-31 with the default profile hebei."""
    from orchestration import runner
    from orchestration.load import load_inbox
    from orchestration.publish import publish

    def make(root: Path) -> Path:
        snapshot = samples.published(seed, scale)
        out = root / "reviewed"
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(snapshot.with_name("wh.duckdb"), out / "wh.duckdb")
        write(snapshot, out / "inbox")
        con = connect(out / "wh.duckdb")
        try:
            batch = load_inbox(con, out / "inbox")
            assert all(f.rows_quarantined == 0 for f in batch.files), [f.__dict__ for f in batch.files]
            runner.build(con, AS_OF, "hebei")
            return publish(con, out / "wh.duckdb")
        finally:
            con.close()

    return samples.once("reviewed", scale, seed, make)
