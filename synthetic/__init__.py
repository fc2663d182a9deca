"""Synthetic inbox generator: realistic exports of all ten sources with known, planted violations
(the reviewers' returned spot-check ledgers, 案卷评查, among them).

    from synthetic import generate
    planted = generate(Path("inbox"), scale="S", seed=1, year=2025)

Writes `inbox/<source>/<file>` (CSV in UTF-8 / UTF-8-BOM / GB18030, XLSX, JSONL, Parquet) and
`inbox/_planted.json`, the ground truth, which is also returned.
"""

from .generate import PLANTED_FILE, generate
from .params import SCALES

__all__ = ["generate", "PLANTED_FILE", "SCALES"]
