"""Masking of personal data on the way out (rules.md R-SEC): the one place it happens.

Stored data is never altered; dashboards and workbooks pass what they show through here, and an
unmasked export is only made on an explicit switch, which is logged.
"""

from __future__ import annotations

import getpass
import logging
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is the callers' (half a second to import, which a workbook does not need)
    import pandas as pd

log = logging.getLogger("recwatch.privacy")

# Columns that carry personal data, wherever they appear in a published table.
PERSONAL_COLUMNS = ("party_name", "party_label")

# The characters str.strip() removes, full-width space included, and the same as a character class
# for DuckDB's regular expressions (RE2 knows only ASCII whitespace as \s), so that SQL trims what
# Python trims: mask_sql here, the workbook's xml:space check (reports.sheetrows).
STRIPPED = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" \
            "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
STRIPPED_RE2 = "".join(f"\\x{{{ord(c):x}}}" for c in STRIPPED)


# What stands for the rest of a name: always the same, so the mask does not tell the name's length.
MASK = "某某"


def mask(name: str | None) -> str | None:
    """张三丰 → 张某某, 李四 → 李某某: the first character and a fixed 某某 (rules.md R-SEC; cele 第二十五条,
    zhuhui 第二十六条, longjiang 第二十一条, dalian_jinpu 第三十一条)."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return name
    text = str(name).strip()
    return text[:1] + MASK if text else text


def mask_sql(column: str, unmask: bool = False, purpose: str = "") -> str:
    """mask() as a DuckDB expression over the SQL expression `column`, for exports that write rows
    straight from the database without holding them in Python; the column as it is if `unmask`,
    which is logged."""
    if unmask:
        _log_unmasked(purpose)
        return column
    text = _stripped_sql(column)
    return f"(case when {text} = '' then '' else left({text}, 1) || '{MASK}' end)"


def _stripped_sql(column: str) -> str:
    """str.strip() of the SQL expression `column`, in DuckDB."""
    return f"regexp_replace({column}, '^[{STRIPPED_RE2}]+|[{STRIPPED_RE2}]+$', '', 'g')"


def mask_within_sql(text: str, name: str, unmask: bool = False, purpose: str = "") -> str:
    """The SQL expression `text` (free text a person wrote: a reviewer's problems) with the party's
    name (the expression `name`) written in it masked as mask_sql masks it: 当事人王小明未签名 →
    当事人王某某未签名. A one-character name is left: masked it would read the same."""
    if unmask:
        _log_unmasked(purpose)
        return text
    bare = _stripped_sql(name)
    return f"(case when length({bare}) > 1 then replace({text}, {bare}, {mask_sql(name)}) else {text} end)"


def mask_frame(frame: pd.DataFrame, unmask: bool = False, purpose: str = "") -> pd.DataFrame:
    """A copy of `frame` with personal columns masked, unless `unmask`, which is logged."""
    if unmask:
        _log_unmasked(purpose)
        return frame
    out = frame.copy()
    for col in PERSONAL_COLUMNS:
        if col in out.columns:
            out[col] = out[col].map(mask)
    return out


def _log_unmasked(purpose: str) -> None:
    log.warning("personal data shown unmasked by %s for %s", getpass.getuser(), purpose or "an export")
