"""Progress of the steps that take minutes at a province's scale: loading file by file, judging
model by model, publishing table by table.

On a terminal it is a bar naming the item at work; otherwise (a scheduled run writing to a log,
Dagster capturing output) it is one timestamped line per item, since a bar's carriage returns make
a log unreadable and a log with nothing in it for half an hour looks like a hung job.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

from core.output import one_line

T = TypeVar("T")


class Ticker:
    """Counts items as they start and reports each; safe to call from several threads, since files
    of different sources load side by side."""

    def __init__(self, total: int, desc: str, unit: str, enabled: bool = True):
        self.total, self.desc, self.unit, self.enabled = total, desc, unit, enabled
        self.count, self.start, self.lock = 0, time.perf_counter(), threading.Lock()
        self.bar = tqdm(total=total, desc=desc, unit=unit) if enabled and sys.stderr.isatty() else None

    def __call__(self, label: str) -> None:
        if not self.enabled:
            return
        label = one_line(label)  # a file's name comes from whoever named it
        with self.lock:
            self.count += 1
            if self.bar is not None:
                self.bar.set_postfix_str(label, refresh=False)
                self.bar.update(1)
            else:
                print(f"{dt.datetime.now():%H:%M:%S} {self.desc} {self.count}/{self.total} {self.unit} {label} "
                      f"(+{time.perf_counter() - self.start:.0f} s)", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def steps(items: Iterable[T], desc: str, unit: str, label: Callable[[T], str] = str,
          enabled: bool = True) -> Iterator[T]:
    items = list(items)
    ticker = Ticker(len(items), desc, unit, enabled)
    try:
        for item in items:
            ticker(label(item))
            yield item
    finally:
        ticker.close()
