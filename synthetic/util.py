"""Small vectorised helpers: seeded streams, time arithmetic, grouped operations, hashes."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .params import PROFILES

DAY = 86_400
HOUR = 3_600
MINUTE = 60


def stream(seed: int, year: int, *keys: int | str) -> np.random.Generator:
    """An independent, reproducible random stream per (seed, year, component, chunk…)."""
    words = [int(seed), int(year)]
    for k in keys:
        words.append(k if isinstance(k, int) else zlib.crc32(k.encode("utf-8")))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))


def year_start(year: int) -> int:
    return int(np.datetime64(f"{year}-01-01T00:00:00", "s").astype(np.int64))


def days_in_year(year: int) -> int:
    return int((np.datetime64(f"{year + 1}-01-01") - np.datetime64(f"{year}-01-01")).astype(int))


def month_bounds(year: int) -> list[tuple[int, int]]:
    """[(first day index, last day index + 1)] for each month, day 0 = 1 January."""
    start = np.datetime64(f"{year}-01-01")
    out = []
    for m in range(1, 13):
        a = np.datetime64(f"{year}-{m:02d}-01")
        b = np.datetime64(f"{year + 1}-01-01") if m == 12 else np.datetime64(f"{year}-{m + 1:02d}-01")
        out.append((int((a - start).astype(int)), int((b - start).astype(int))))
    return out


def weekday(t0: int, day: np.ndarray) -> np.ndarray:
    """Monday = 0 for day indices counted from t0 (1970-01-01 was a Thursday)."""
    return ((t0 // DAY + day + 3) % 7).astype(np.int8)


def ts_array(sec: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """int64 seconds → pyarrow timestamp[s] with nulls where not valid."""
    arr = np.asarray(sec, dtype=np.int64).astype("datetime64[s]")
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(arr, type=pa.timestamp("s"), mask=mask)


def group_first(keys: np.ndarray) -> np.ndarray:
    """For keys sorted ascending: bool mask of the first row of each run."""
    first = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        first[1:] = keys[1:] != keys[:-1]
    return first


def group_index(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group id per row, index of each group's first row) for sorted keys."""
    first = group_first(keys)
    gid = np.cumsum(first) - 1
    return gid, np.flatnonzero(first)


def group_rank(keys: np.ndarray) -> np.ndarray:
    gid, starts = group_index(keys)
    return np.arange(len(keys)) - starts[gid]


def group_cumsum(keys: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum of x within runs of sorted keys."""
    cs = np.cumsum(x)
    gid, starts = group_index(keys)
    base = cs[starts] - x[starts]
    return cs - base[gid]


def hex_digests(rng: np.random.Generator, n: int) -> pa.Array:
    """n random 64-hex-character strings (stand-ins for SHA-256 of the files)."""
    lut = np.array([f"{i:02x}" for i in range(256)], dtype="S2")
    raw = np.frombuffer(rng.bytes(32 * n), dtype=np.uint8).reshape(n, 32)
    return pa.array(lut[raw].view("S64").reshape(-1)).cast(pa.string())


def uniform_int(rng: np.random.Generator, lo, hi, n: int | None = None) -> np.ndarray:
    """Integers in [lo, hi] inclusive; lo/hi may be arrays."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    size = n if n is not None else np.broadcast(lo, hi).shape
    return lo + np.floor(rng.random(size) * (hi - lo + 1)).astype(np.int64)


def pick_count(rng: np.random.Generator, mask: np.ndarray, k: int) -> np.ndarray:
    """A bool mask selecting k random True positions of mask (all of them if fewer)."""
    idx = np.flatnonzero(mask)
    out = np.zeros(len(mask), dtype=bool)
    if len(idx):
        out[rng.permutation(idx)[: min(k, len(idx))]] = True
    return out


def pick_rate(rng: np.random.Generator, mask: np.ndarray, rate: float, minimum: int = 0) -> np.ndarray:
    """About `rate` of the True positions (at least `minimum`), exactly round(rate·n) of them."""
    n = int(mask.sum())
    return pick_count(rng, mask, max(minimum, int(round(rate * n))))


def stratified(rng: np.random.Generator, groups: np.ndarray, eligible: np.ndarray,
               fractions: list[float], minimum: int = 0) -> np.ndarray:
    """Assign kinds 0..k-1 to eligible rows: within every group, fraction·n of each kind rounded up or
    down at random (unbiased over many groups), at least `minimum` while rows last; -1 for the rest.
    Loops over groups, not rows."""
    out = np.full(len(groups), -1, dtype=np.int8)
    for g in np.unique(groups[eligible]):
        idx = np.flatnonzero(eligible & (groups == g))
        idx = idx[rng.permutation(len(idx))]
        pos = 0
        for k, f in enumerate(fractions):
            n = max(minimum, int(np.floor(f * len(idx) + rng.random())))
            out[idx[pos:pos + n]] = k
            pos += n
    return out


def next_workday(t0: int, day: np.ndarray) -> np.ndarray:
    """Saturday / Sunday → the following Monday (offices sign papers on working days)."""
    day = np.asarray(day, dtype=np.int64)
    wd = weekday(t0, day)
    return day + np.where(wd == 5, 2, np.where(wd == 6, 1, 0))


def office_time(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight, whole minutes between 08:30 and 17:30."""
    return uniform_int(rng, 8 * 60 + 30, 17 * 60 + 30, n) * MINUTE


def per_profile(profile_idx: np.ndarray) -> np.ndarray:
    """Count rows per profile (profile_idx: index into PROFILES of each counted row)."""
    return np.bincount(profile_idx, minlength=len(PROFILES))[: len(PROFILES)].astype(np.int64)


@dataclass
class Stats:
    """Ground-truth counters summed over months; most are arrays per profile."""
    c: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, key: str, values) -> None:
        values = np.asarray(values, dtype=np.int64)
        self.c[key] = self.c[key] + values if key in self.c else values.copy()
