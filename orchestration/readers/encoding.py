"""A text file's encoding, decided over every line with strict decoders, never guessed; and its lines,
as the CSV and JSON-lines readers take them."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .result import BrokenRow, FileRejected

SAMPLE_BYTES = 1 << 20
ENCODINGS = {"utf-8": "UTF-8", "gb18030": "GB18030"}


_EOL = re.compile(rb"\r\n|\r|\n")


def lines_of(path: Path, universal: bool = True, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The file's lines as bytes, each with its end: with `universal`, CRLF, LF or a CR alone (as
    Arrow's and Python's csv readers take them for CSV; no byte of a UTF-8 or GB18030 character is
    either); else at LF only (JSON lines, where a CR cannot be inside a value)."""
    if not universal:
        with open(path, "rb") as fh:
            yield from fh
        return
    with open(path, "rb") as fh:
        rest = b""
        while data := fh.read(chunk):
            data, start = rest + data, 0
            for end in _EOL.finditer(data):
                if end.end() == len(data) and data.endswith(b"\r"):
                    break  # a CR at the end of what was read may be the first half of a CRLF
                yield data[start:end.end()]
                start = end.end()
            rest = data[start:]
        if rest:
            yield rest


def valid_in(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def is_utf8_prefix(path: Path) -> bool:
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < SAMPLE_BYTES)
        return True
    except UnicodeDecodeError:
        return False


# Chinese characters (the unified ideographs, their extensions and compatibility forms)
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass
class Decoding:
    """How a text file is decoded, decided over all of it (contract §1): its encoding, and the lines
    (numbered from 1) that are quarantined with their bytes instead, never loaded decoded some other
    way: those not valid in it, and (`ambiguous`) those of a GB18030 file that read as Chinese in
    UTF-8 too."""
    encoding: str
    bad_lines: dict[int, bytes] = field(default_factory=dict)
    ambiguous: frozenset[int] = frozenset()

    def broken_row(self, first: int, last: int, text: str) -> BrokenRow | None:
        """The quarantined row of a record on lines `first`..`last` that holds a bad line, if any."""
        bad = [n for n in range(first, last + 1) if n in self.bad_lines]
        if not bad:
            return None
        key = "row_encoding_ambiguous" if self.ambiguous.intersection(bad) else "row_encoding"
        return BrokenRow(first, text, key, {"encoding": ENCODINGS[self.encoding]},
                         b"".join(self.bad_lines[n] for n in bad))

    def broken(self) -> list[BrokenRow]:
        """Each bad line as a quarantined row of its own (files of one record a line)."""
        return [self.broken_row(n, n, data.decode("utf-8", "backslashreplace").rstrip("\r\n"))
                for n, data in sorted(self.bad_lines.items())]


def decide_encoding(path: Path, universal: bool = True) -> Decoding:
    """UTF-8 (BOM or not) or GB18030 (a superset of GBK and GB2312), from every line of the file.

    A line of only ASCII says nothing. Of the others, those valid UTF-8 count for UTF-8, those valid
    only as GB18030 for GB18030, and the file takes the encoding more of them are valid in (UTF-8 on
    a tie). Its lines not valid in it are quarantined. So is a line of a GB18030 file that is valid
    UTF-8 holding Chinese characters: GB18030 text is valid UTF-8 now and then (校时 reads as Уʱ),
    but rarely as Chinese, which is what a UTF-8 line pasted into a GB18030 file holds; which it is
    cannot be told, so it is not loaded either way. A file none of whose non-ASCII lines is valid
    in either is rejected."""
    decided = _decide_gb18030(path, universal)
    return decided if decided is not None else decide_by_lines(path, universal)


def decide_by_lines(path: Path, universal: bool = True) -> Decoding:
    """decide_encoding's decision, line by line: what _decide_gb18030 must agree with."""
    utf8, gb, neither = {}, {}, {}
    for n, line in enumerate(lines_of(path, universal), start=1):
        if line.isascii():
            continue
        (utf8 if valid_in(line, "utf-8") else gb if valid_in(line, "gb18030") else neither)[n] = line
    if not utf8 and not gb and neither:
        raise FileRejected("file_encoding")
    if len(utf8) >= len(gb):
        return Decoding("utf-8", gb | neither)
    ambiguous = {n for n, line in utf8.items() if valid_in(line, "gb18030") and _CJK.search(line.decode("utf-8"))}
    # a line valid UTF-8 only is not text of the file's encoding at all
    bad = neither | {n: line for n, line in utf8.items() if n in ambiguous or not valid_in(line, "gb18030")}
    return Decoding("gb18030", bad, frozenset(ambiguous))


PIECE_BYTES = 1 << 22


def _decide_gb18030(path: Path, universal: bool) -> Decoding | None:
    """decide_encoding's decision for a file valid GB18030 throughout (every GB18030 file recwatch
    is given), reached a piece of the file at a time rather than line by line: deciding a month of
    device log (1.6 M lines, each with Chinese in it) line by line took 3.2 CPU-seconds. None for
    any other file, which is decided line by line.

    A piece ends at a line feed, so it holds whole lines, and no byte of a multi-byte character in
    UTF-8 or GB18030 is a CR or LF: a piece is valid GB18030 when each of its lines is. Which of its
    lines are valid UTF-8 is found in numpy: a line with a byte that no valid UTF-8 can have there
    (F5-FF, C0 or C1; a continuation byte after an ASCII one; a lead byte not followed by a
    continuation byte) is not; each of the few others is decoded to tell."""
    utf8: dict[int, bytes] = {}
    lines = non_ascii = 0
    with open(path, "rb") as fh:
        while data := fh.read(PIECE_BYTES):
            data += fh.readline()
            if data.isascii():
                lines += data.count(b"\n") + (data.count(b"\r") - data.count(b"\r\n") if universal else 0)
                lines += not data.endswith(b"\n") and not (universal and data.endswith(b"\r"))
                continue
            try:
                data.decode("gb18030")
            except UnicodeDecodeError:
                return None
            b = np.frombuffer(data, np.uint8)
            end = b == 10
            if universal:  # a CR ends a line unless an LF follows it
                end[:-1] |= (b[:-1] == 13) & ~end[1:]
                end[-1] |= b[-1] == 13
            ends = np.flatnonzero(end) + 1
            if not len(ends) or ends[-1] != len(b):
                ends = np.append(ends, len(b))
            starts = np.concatenate(([0], ends[:-1]))
            high = b >= 0x80
            cont = (b & 0xC0) == 0x80
            lead = (b >= 0xC2) & (b <= 0xF4)
            not_utf8 = (b >= 0xF5) | (b == 0xC0) | (b == 0xC1) | (lead & ~np.append(cont[1:], False))
            not_utf8[1:] |= cont[1:] & (b[:-1] < 0x80)
            not_utf8[0] |= cont[0]
            line_high = np.logical_or.reduceat(high, starts)
            non_ascii += int(line_high.sum())
            for i in np.flatnonzero(line_high & ~np.logical_or.reduceat(not_utf8, starts)):
                line = data[starts[i]:ends[i]]
                if valid_in(line, "utf-8"):
                    utf8[lines + int(i) + 1] = line
            lines += len(starts)
            if 2 * len(utf8) >= non_ascii:
                return None  # UTF-8 may win (below): decided line by line
    gb = non_ascii - len(utf8)
    if not gb:
        return Decoding("utf-8")
    if len(utf8) >= gb:
        return None  # UTF-8 wins: its lines not valid in it are kept with their bytes, line by line
    ambiguous = frozenset(n for n, line in utf8.items() if _CJK.search(line.decode("utf-8")))
    return Decoding("gb18030", {n: utf8[n] for n in sorted(ambiguous)}, ambiguous)


_NON_ASCII = re.compile(rb"[\x80-\xff]+")


def decoded_lines(path: Path, decoding: Decoding) -> list[str]:
    """The file's lines as text: its good lines decoded, its bad lines with every run of non-ASCII
    bytes written as one U+FFFD, so a bad line keeps the quotes, commas and line breaks that shape
    the records (none of them is ever part of a multi-byte character) and no text of it loads."""
    out = []
    for n, line in enumerate(lines_of(path), start=1):
        if n in decoding.bad_lines:
            out.append(_NON_ASCII.sub("\ufffd".encode(), line).decode("utf-8"))
        else:
            out.append(line.decode("utf-8-sig" if n == 1 and decoding.encoding == "utf-8" else decoding.encoding))
    return out
