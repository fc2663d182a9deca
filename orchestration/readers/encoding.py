"""A text file's encoding, decided over every line with strict decoders, never guessed; and its lines,
as the CSV and JSON-lines readers take them."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
