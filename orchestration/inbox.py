"""What the inbox holds, read only inside itself (contract §1, rules.md R-SEC).

Every entry under a source folder is listed with what happens to it: a regular file is read (a link
is read at its target, if that lies inside the inbox); a link leading outside the inbox or to
nothing is refused, never opened; hidden files, Office lock files (~$…), folder links and anything
that is not a regular file (a pipe would block the load for ever) are left unread. The loader puts
each on record with its reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from core.contract import LOAD_ORDER

# why an entry is not read: catalogue key → the file's outcome on record
REFUSED = "rejected"
LEFT = "skipped"
NOT_READ = {"file_link_outside": REFUSED, "file_link_broken": REFUSED, "file_bad_name": REFUSED, "file_link_folder": LEFT,
            "file_hidden": LEFT, "file_not_regular": LEFT, "file_too_deep": LEFT, "file_outside_source": LEFT}


@dataclass(frozen=True)
class Entry:
    source: str
    rel: str  # where it was found, relative to the inbox (a link's own name, not its target's)
    path: Path  # what is read: the file itself, or a link's resolved target
    size: int
    mtime_ns: int
    # the inode's change time, which no copy tool can set: a corrected file copied over with its
    # size and modification time kept (cp -p, rsync -t) is still seen to have changed
    ctime_ns: int
    why: str | None = None  # catalogue key of NOT_READ when it is not read
    identity: tuple[int, int] = (0, 0)  # (device, inode) of what is read, checked again when it is opened

    @classmethod
    def of(cls, source: str, rel: str, path: Path, info: os.stat_result, why: str | None = None) -> "Entry":
        return cls(source, rel, path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, why,
                   (info.st_dev, info.st_ino))

    @property
    def outcome(self) -> str | None:
        return NOT_READ.get(self.why) if self.why else None


def _hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


def _entry(root: Path, source: str, path: Path) -> Entry:
    rel = path.relative_to(root).as_posix()
    info = path.lstat()
    if _hidden(path.name):
        return Entry.of(source, rel, path, info, "file_hidden")
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # dangling, or a loop of links
            return Entry.of(source, rel, path, info, "file_link_broken")
        if not target.is_relative_to(root):
            return Entry.of(source, rel, path, info, "file_link_outside")
        if target.is_dir():  # its files are read where they are
            return Entry.of(source, rel, path, info, "file_link_folder")
        path, info = target, target.stat()
    if not stat.S_ISREG(info.st_mode):
        return Entry.of(source, rel, path, info, "file_not_regular")
    return Entry.of(source, rel, path, info)


class Changed(Exception):
    """The file at an entry's path is no longer the regular file the walk saw there."""


@contextlib.contextmanager
def opened(path: Path, identity: tuple[int, int]) -> Iterator[Path]:
    """A path that reads the very file the walk checked: opened once, without following a link or
    waiting on a pipe, checked to be the same regular file (device and inode), and then read through
    that open descriptor (/proc/self/fd), so a file swapped for a link to somewhere else, or for a
    pipe, between the walk and the read is refused, not read. Where /proc is missing (not Linux) the
    check still holds at the opening, and the file is read by its path."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Changed(str(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != identity:
            raise Changed(f"{path} is no longer the file found there")
        by_fd = Path(f"/proc/self/fd/{fd}")
        yield by_fd if by_fd.exists() else path
    finally:
        os.close(fd)


# Folders below a source folder are walked this deep; a deeper one is on record, not walked (a
# thousand nested folders made Python's recursive walk fail every batch).
MAX_DEPTH = 16


def walk(inbox: Path, sources: Iterable[str] | None = None) -> list[Entry]:
    """Every entry of the source folders, in load order: source by source, then by path; with every
    source asked for, then what lies in the inbox outside them. Folders are not followed through
    links, and hidden folders are one hidden entry, not walked."""
    root = Path(inbox).resolve()
    wanted = set(sources) if sources is not None else None
    out: list[Entry] = []
    for source in LOAD_ORDER:
        if wanted is not None and source not in wanted:
            continue
        folder = root / source
        if folder.is_symlink():
            out.append(_entry(root, source, folder))
        elif folder.is_dir():
            out += sorted((_entry(root, source, p) if depth <= MAX_DEPTH else
                           Entry.of(source, p.relative_to(root).as_posix(), p, p.lstat(), "file_too_deep")
                           for p, depth in _below(folder)), key=lambda e: e.rel)
    if wanted is None and root.is_dir():
        # a file beside the source folders, or a folder no source has: on record, not read
        for p in sorted(root.iterdir()):
            if p.name not in LOAD_ORDER or not (p.is_dir() or p.is_symlink()):
                out.append(Entry.of("", p.name, p, p.lstat(), "file_outside_source"))
    return [_named(e) for e in out]


def _named(entry: Entry) -> Entry:
    """An entry whose name is not valid UTF-8 (Linux takes any bytes) is refused, and kept on record
    under its name with the bytes that are not written as escapes: nothing could store it as it is."""
    try:
        entry.rel.encode("utf-8")
        return entry
    except UnicodeEncodeError:
        shown = entry.rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return dataclasses.replace(entry, rel=shown, why="file_bad_name")


def _below(folder: Path) -> Iterator[tuple[Path, int]]:
    """(path, depth) of every file and unwalked folder below `folder`, without recursion: a folder
    is walked unless it is hidden, a link, or deeper than MAX_DEPTH."""
    stack = [(folder, 1)]
    while stack:
        here, depth = stack.pop()
        with os.scandir(here) as found:
            for item in found:
                path = Path(item.path)
                if item.is_dir(follow_symlinks=False) and not _hidden(item.name) and depth < MAX_DEPTH:
                    stack.append((path, depth + 1))
                else:
                    yield path, depth + (item.is_dir(follow_symlinks=False) and not _hidden(item.name))


def readable(inbox: Path, sources: Iterable[str] | None = None) -> list[tuple[str, Path]]:
    """(source, path to read) of the entries that are read, in load order."""
    return [(e.source, e.path) for e in walk(inbox, sources) if e.why is None]
