"""Progress of the steps that take minutes at a province's scale: loading file by file, judging
model by model, publishing table by table.

On a terminal it is a bar naming the item at work; otherwise (a scheduled run writing to a log,
Dagster capturing output) it is one timestamped line per item, since a bar's carriage returns make
a log unreadable and a log with nothing in it for half an hour looks like a hung job.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def steps(items: Iterable[T], desc: str, unit: str, label: Callable[[T], str] = str,
          enabled: bool = True) -> Iterator[T]:
    items = list(items)
    if not enabled:
        yield from items
    elif sys.stderr.isatty():
        bar = tqdm(items, desc=desc, unit=unit)
        for item in bar:
            bar.set_postfix_str(label(item))
            yield item
    else:
        start = time.perf_counter()
        for i, item in enumerate(items, start=1):
            print(f"{dt.datetime.now():%H:%M:%S} {desc} {i}/{len(items)} {unit} {label(item)} "
                  f"(+{time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
            yield item
