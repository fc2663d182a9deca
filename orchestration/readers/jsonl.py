"""JSON lines: one record a line; a line that is not a JSON object, or nested too deep, is
quarantined, not the file."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import orjson

from .encoding import Decoding, decide_encoding, lines_of, valid_in
from .result import BrokenRow, FileRejected, ReadResult, check_headers, columns_to_table

NESTED = 200


def _shallow(obj) -> bool:
    try:
        json.dumps(obj)
        return True
    except RecursionError:
        return False


def read_jsonl(path: Path) -> ReadResult:
    # Read as UTF-8 first, as almost every file is; a line that is not makes the encoding a decision
    # over the whole file (decide_encoding), and the file is read again by it.
    return (_read_jsonl(path, Decoding("utf-8"), whole=False)
            or _read_jsonl(path, decide_encoding(path, universal=False)))


def _read_jsonl(path: Path, decoding: Decoding, whole: bool = True) -> ReadResult | None:
    """The objects of a JSON-lines file decoded as `decoding` says; None if, not `whole` (decided
    over the file), a line turns out not to be UTF-8."""
    header: dict[str, None] = {}
    records, numbers, broken = [], [], []
    for n, line in enumerate(lines_of(path, universal=False), start=1):
        if n in decoding.bad_lines:
            continue
        if n == 1 and line.startswith(codecs.BOM_UTF8) and decoding.encoding == "utf-8":
            line = line[len(codecs.BOM_UTF8):]
        if not line.strip():
            continue
        # orjson takes UTF-8 bytes as they are (and checks them): a province's year of acts is
        # millions of lines, 3x json's speed
        data = line if decoding.encoding == "utf-8" else line.decode(decoding.encoding)
        try:
            obj, error = orjson.loads(data), None
        except orjson.JSONDecodeError as exc:
            if not whole and not valid_in(line, "utf-8"):
                return None
            obj, error = None, exc.msg
        if error is None and not isinstance(obj, dict):
            error = "not an object"
        elif error is None and line.count(b"{") + line.count(b"[") > NESTED and not _shallow(obj):
            error = "nested too deep"
        if error is not None:
            text = line.decode(decoding.encoding, "backslashreplace").rstrip("\r\n")
            broken.append(BrokenRow(n, text, "row_bad_json", {"error": error}))
            continue
        header.update(dict.fromkeys(obj))
        records.append(obj)
        numbers.append(n)
    broken = decoding.broken() + broken
    if not records and not broken:
        raise FileRejected("file_empty")
    check_headers(list(header))
    columns = {h: [r.get(h) for r in records] for h in header}
    return ReadResult.of(columns_to_table(columns, numbers), decoding.encoding, broken)
