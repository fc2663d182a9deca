"""Dashboard latency: each page's layout and main callback fired through Dash's HTTP layer (the
Flask test client posting to /_dash-update-component, as the browser does), repeated, on a
published snapshot.

    python -m bench.dashboard SNAPSHOT [--repeat 20]    # prints one JSON line

Callbacks are found by their output in /_dash-dependencies and their inputs filled by name, so a
page whose callback gained an input the bench does not know fails here, loudly, instead of being
measured with the wrong arguments.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import duckdb

# page -> (path, output of its main callback)
PAGES = {
    "overview": ("/", "ov-content.children"),
    "units": ("/units", "un-table.data"),
    "rules": ("/rules", "ru-table.data"),
    "retention": ("/retention", "retention-content.children"),
    "devices": ("/devices", "devices-content.children"),
    "quality": ("/quality", "quality-content.children"),
}
PAGE_LAYOUT = "_pages_content.children"


def scenarios(snapshot: Path) -> list[tuple[str, dict]]:
    """Representative requests: the year, a quarter, the busiest unit (with the units below it),
    and on the rules table a deep page and a sort with a text filter."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        year, unit = con.execute("""
            select max(left(period, 4)) filter (where period_type = 'year'),
                   (select unit_id from fct_violations group by unit_id order by count(*) desc, unit_id limit 1)
            from mart_unit_period_scorecard""").fetchone()
    finally:
        con.close()
    base = {"lang": "zh", "period_type": "year", "period": year, "unit_id": None, "profile_id": None}
    rules = {"ru-family.value": "upload", "ru-table.page_current": 0, "ru-table.page_size": 25,
             "ru-table.sort_by": [], "ru-table.filter_query": ""}
    return [
        ("year", {"filters.data": base, **rules}),
        ("quarter", {"filters.data": {**base, "period_type": "quarter", "period": f"{year}Q3"}, **rules}),
        ("unit", {"filters.data": {**base, "unit_id": unit}, **rules}),
        ("deep page", {"filters.data": base, **rules, "ru-table.page_current": 40}),
        ("sort+filter", {"filters.data": base, **rules, "ru-table.sort_by": [{"column_id": "occurred_at", "direction": "desc"}],
                         "ru-table.filter_query": "{detail} contains 小时 && {severity} = medium"}),
    ]


def _outputs(spec: str) -> list[dict]:
    parts = spec.strip(".").split("...") if spec.startswith("..") else [spec]
    return [dict(zip(("id", "property"), p.rsplit(".", 1))) for p in parts]


class Client:
    def __init__(self, snapshot: Path):
        from dashboards.app import create_app

        self.http = create_app(snapshot).server.test_client()
        self.http.get("/")  # the first request sets the server up (page registry, routing)
        self.deps = {d["output"]: d for d in self.http.get("/_dash-dependencies").get_json()}

    def callback(self, output: str) -> dict:
        """The dependency that has `output` among its outputs."""
        for spec, dep in self.deps.items():
            if dict(zip(("id", "property"), output.rsplit(".", 1))) in _outputs(spec):
                return dep
        raise SystemExit(f"bench.dashboard: no callback renders {output} any more; update bench/dashboard.py PAGES")

    def fire(self, dep: dict, values: dict) -> float:
        """Milliseconds for one request of the callback with inputs and state taken from `values`."""
        def filled(items: list[dict]) -> list[dict]:
            out = []
            for item in items:
                key = f"{item['id']}.{item['property']}"
                if key not in values:
                    raise SystemExit(f"bench.dashboard: callback {dep['output']} takes {key}, which the bench "
                                     f"does not fill; update bench/dashboard.py scenarios")
                out.append({**item, "value": values[key]})
            return out

        inputs = filled(dep["inputs"])
        outputs = _outputs(dep["output"])
        body = {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
                "inputs": inputs, "state": filled(dep["state"]),
                "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs]}
        start = time.perf_counter()
        resp = self.http.post("/_dash-update-component", json=body)
        ms = 1000 * (time.perf_counter() - start)
        if resp.status_code != 200 or "response" not in (resp.get_json(silent=True) or {}):
            raise SystemExit(f"bench.dashboard: {dep['output']} answered {resp.status_code}: "
                             f"{resp.get_data(as_text=True)[:400]}")
        return ms


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def measure(snapshot: Path, repeat: int) -> dict:
    client = Client(snapshot)
    cases = scenarios(snapshot)
    layout = client.callback(PAGE_LAYOUT)
    pages = []
    for page, (path, output) in PAGES.items():
        dep = client.callback(output)
        needs_table = any(i["id"] == "ru-table" for i in dep["inputs"])
        # the table scenarios only differ for the page that has the table
        chosen = cases if needs_table else cases[:3]
        load = [client.fire(layout, {"_pages_location.pathname": path, "_pages_location.search": ""})
                for _ in range(repeat)]
        times = [client.fire(dep, values) for _ in range(repeat) for _, values in chosen]
        pages.append({"page": page, "callback": output, "requests": len(times),
                      "median_ms": statistics.median(times), "p95_ms": p95(times),
                      "layout_median_ms": statistics.median(load)})
    return {"pages": pages, "requests": sum(p["requests"] for p in pages) + repeat * len(pages)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    # DataTable's deprecation notice on every render would drown the result line
    warnings.simplefilter("ignore", DeprecationWarning)
    print(json.dumps(measure(args.snapshot, args.repeat)), file=sys.stdout)


if __name__ == "__main__":
    main()
