"""Measure each step of recwatch on a generated inbox: wall time, peak RSS, rows per second.

    python -m bench --scale S|M|L [--seed 1] [--cache .bench]

Inboxes are cached by scale and seed. Each step runs in its own process, so its peak RSS is its
own. Steps: generate, load, judge, publish, and the full `recwatch run` on a fresh warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

STEPS = {
    "load": "from orchestration.load import load_inbox; from orchestration.warehouse import connect; "
            "b = load_inbox(connect({wh!r}), {inbox!r}); print(b.total('rows_in'))",
    "judge": "import datetime as dt; from orchestration import runner; from orchestration.warehouse import connect; "
             "built = runner.build(connect({wh!r}), dt.date({year}, 12, 31), 'hebei'); print(sum(n for _, n in built))",
    "publish": "from orchestration.publish import publish; from orchestration.warehouse import connect; "
               "import duckdb; p = publish(connect({wh!r}), {wh!r}); "
               "print(duckdb.connect(str(p), read_only=True).sql('select count(*) from fct_violations').fetchall()[0][0])",
}


def measure(argv: list[str]) -> tuple[float, float, str]:
    """Seconds, peak RSS in MB and the last line printed, of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"step failed ({proc.returncode}): {' '.join(argv)}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, (out.strip().splitlines() or [""])[-1]


def bench(scale: str, seed: int, cache: Path, year: int = 2025) -> list[dict]:
    cache.mkdir(parents=True, exist_ok=True)
    inbox = cache / f"inbox-{scale}-{seed}"
    rows: list[dict] = []
    if not (inbox / "_planted.json").exists():
        shutil.rmtree(inbox, ignore_errors=True)
        secs, rss, _ = measure([sys.executable, "-m", "orchestration.cli", "generate", "--out", str(inbox),
                                "--scale", scale, "--seed", str(seed), "--year", str(year)])
        rows.append({"step": "generate", "seconds": secs, "peak_rss_mb": rss})
    delivered = sum(json.loads((inbox / "_planted.json").read_text())["counts"]["rows_delivered"].values())
    wh = cache / f"bench-{scale}-{seed}.duckdb"
    for path in cache.glob(f"bench-{scale}-{seed}*"):
        path.unlink()
    for step, code in STEPS.items():
        secs, rss, out = measure([sys.executable, "-c", code.format(wh=str(wh), inbox=str(inbox), year=year)])
        rows.append({"step": step, "seconds": secs, "peak_rss_mb": rss, "rows": int(out or 0)})
    for path in cache.glob(f"bench-{scale}-{seed}*"):
        path.unlink()
    secs, rss, _ = measure([sys.executable, "-m", "orchestration.cli", "run", "--inbox", str(inbox),
                            "--warehouse", str(wh), "--as-of", f"{year}-12-31"])
    rows.append({"step": "full run", "seconds": secs, "peak_rss_mb": rss, "rows": delivered})
    for row in rows:
        if row["step"] in ("load", "full run"):
            row["rows_per_second"] = delivered / row["seconds"]
    return rows


def table(rows: list[dict], scale: str) -> str:
    lines = [f"scale {scale}", f"{'step':<10}{'seconds':>10}{'peak RSS MB':>13}{'rows':>14}{'rows/s':>12}"]
    for r in rows:
        lines.append(f"{r['step']:<10}{r['seconds']:>10.1f}{r['peak_rss_mb']:>13,.0f}"
                     f"{r.get('rows', 0):>14,}{r.get('rows_per_second', 0):>12,.0f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path(".bench"))
    args = parser.parse_args()
    print(table(bench(args.scale, args.seed, args.cache), args.scale))


if __name__ == "__main__":
    main()
