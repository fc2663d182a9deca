"""Masking of personal data on the way out (rules.md R-SEC): the one place it happens.

Stored data is never altered; dashboards and workbooks pass what they show through here, and an
unmasked export is only made on an explicit switch, which is logged.
"""

from __future__ import annotations

import getpass
import logging

import pandas as pd

log = logging.getLogger("recwatch.privacy")

# Columns that carry personal data, wherever they appear in a published table.
PERSONAL_COLUMNS = ("party_name", "party_label")


def mask(name: str | None) -> str | None:
    """张三丰 → 张**: keep the first character, hide the rest (cele 第二十五条, zhuhui 第二十六条)."""
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return name
    text = str(name).strip()
    return text[:1] + "*" * max(len(text) - 1, 1) if text else text


def mask_frame(frame: pd.DataFrame, unmask: bool = False, purpose: str = "") -> pd.DataFrame:
    """A copy of `frame` with personal columns masked, unless `unmask`, which is logged."""
    if unmask:
        log.warning("personal data shown unmasked by %s for %s", getpass.getuser(), purpose or "an export")
        return frame
    out = frame.copy()
    for col in PERSONAL_COLUMNS:
        if col in out.columns:
            out[col] = out[col].map(mask)
    return out
