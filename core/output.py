"""Output safety (rules.md R-SEC, OWASP CSV injection, XML 1.0): the one function that makes text from
an export safe to write into a spreadsheet, a CSV file or a document, and its twin in SQL for the rows
DuckDB writes itself (reports.sheetrows). Every writer of text passes it through here.

Three things can go wrong with text a hostile or careless export carries:
- a spreadsheet evaluates it: a value starting with = + - @ (or a tab or carriage return that
  Excel skips before one) is a formula when a CSV is opened or a cell is edited, and one equal to an
  error code (#N/A) becomes that error. Such text gets a leading apostrophe, as OWASP advises: it is
  shown, never run.
- the file cannot be written or opened: XML 1.0 forbids most C0 control characters (one vertical tab
  in a party name stopped a whole workbook), and a cell holds at most 32,767 UTF-16 units. Forbidden
  characters are dropped, and overlong text is cut with a visible "…".
- a download's name carries a path, a quote or a header break: safe_filename keeps it to one plain name.
"""

from __future__ import annotations

import re
import unicodedata

from .sql import lit

# Leading characters a spreadsheet may read as the start of a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text equal to one of these is read as an error value by Excel and LibreOffice.
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
# XML 1.0's Char production leaves out C0 controls but tab, LF and CR, the surrogates, U+FFFE and U+FFFF.
_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
_FORBIDDEN_RE = re.compile(f"[{_FORBIDDEN}\ud800-\udfff]")
# Excel's cell limit is 32,767 UTF-16 units; counted in characters, half of it holds even text made
# only of characters outside the BMP (rare Chinese characters in names are).
MAX_CHARS = 16_383
CUT_MARK = "…"


def safe_text(text: str) -> str:
    """`text` as it may be written into any spreadsheet cell, CSV field or document."""
    text = _FORBIDDEN_RE.sub("", text)
    if text.startswith(FORMULA_START) or text in ERROR_CODES:
        text = "'" + text
    # cut after quoting, so that text once made safe stays as it is
    return text[:MAX_CHARS - 1] + CUT_MARK if len(text) > MAX_CHARS else text


def safe_value(value):
    """A cell's value made safe: text through safe_text, anything else (numbers, dates) as it is."""
    return safe_text(value) if isinstance(value, str) else value


def safe_text_sql(column: str) -> str:
    """safe_text as a DuckDB expression over the SQL expression `column` (best a column name: it is
    repeated). DuckDB's strings are valid UTF-8, so they hold no surrogates to drop."""
    forbidden = r"'[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{fffe}\x{ffff}]'"
    starts = ", ".join(lit(c) for c in FORMULA_START)
    errors = ", ".join(lit(c) for c in ERROR_CODES)
    # Each step binds its text once, in a lambda: written out, the text repeated in every step made
    # an expression DuckDB took a second to plan for a sheet's thirteen columns.
    slow = (f"list_transform([regexp_replace({column}, {forbidden}, '', 'g')], lambda c: "
            f"list_transform([case when left(c, 1) in ({starts}) or c in ({errors}) then chr(39) || c else c end], "
            f"lambda q: case when length(q) > {MAX_CHARS} then left(q, {MAX_CHARS - 1}) || {lit(CUT_MARK)} "
            f"else q end)[1])[1]")
    # Almost every value needs nothing: one regular expression (every error code starts with #)
    # and a length tell, and only the rest take the long way.
    needs = r"'^[=+\-@\t\r#]|[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{fffe}\x{ffff}]'"
    return (f"(case when length({column}) <= {MAX_CHARS} and not regexp_matches({column}, {needs}) "
            f"then {column} else {slow} end)")


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with control characters and line breaks escaped (\\u000a): what an export or a request
    says cannot start a line of its own, or colour a terminal, in a log or on the console."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_UNSAFE_IN_NAME = re.compile(r"[^\w.\-]+")
# A file name's length: file systems take 255 bytes (ext4, NTFS's 255 UTF-16 units hold more), and a
# writer may add a suffix (.tmp) while it writes. A Chinese character is three bytes of UTF-8.
MAX_NAME_CHARS = 120
MAX_NAME_BYTES = 240
# The longest extension kept when a name is cut; past it, the name is cut as if it had none.
MAX_EXTENSION = 16


def safe_filename(name: str, ascii_only: bool = False) -> str:
    """A name any file system takes: letters (of any script, unless `ascii_only`), digits, '_', '-'
    and '.' kept, anything else (separators, quotes, control characters) a '_'; no leading dot,
    at most 120 characters and 240 bytes of UTF-8, with the extension kept."""
    name = unicodedata.normalize("NFC", name)
    if ascii_only:
        name = name.encode("ascii", "replace").decode("ascii")
    name = _UNSAFE_IN_NAME.sub("_", name).lstrip(".") or "download"
    stem, dot, ext = name.rpartition(".")
    head, tail = (stem, dot + ext) if dot and len(ext) < MAX_EXTENSION else (name, "")
    head = head[:MAX_NAME_CHARS - len(tail)]
    # cut at a character's end, never inside one
    head = head.encode()[:MAX_NAME_BYTES - len(tail.encode())].decode("utf-8", "ignore")
    return head + tail
