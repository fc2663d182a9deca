"""Dashboard latency: each page's layout and main callback fired through Dash's HTTP layer (the
Flask test client posting to /_dash-update-component, as the browser does) on a published
snapshot, with distinct filters (cold) and repeated ones (warm).

    python -m bench.dashboard SNAPSHOT [--repeat 20]    # prints one JSON line

Callbacks are found by their output in /_dash-dependencies and their inputs filled by name, so a
page whose callback gained an input the bench does not know fails here, loudly, instead of being
measured with the wrong arguments.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import duckdb

# page -> (path, output of its main callback); the warnings page twice: its counts, and a drill-down
# into one unit's rows; the spot-check ledger twice: each unit's counts, and its list of cases
PAGES = {
    "overview": ("/", "ov-content.children"),
    "warnings": ("/warnings", "wa-counts.data"),
    "warnings_rows": ("/warnings", "wa-table.data"),
    "units": ("/units", "un-table.data"),
    "officers": ("/officers", "of-table.data"),
    "rules": ("/rules", "ru-table.data"),
    "ledger": ("/ledger", "lg-units.data"),
    "ledger_cases": ("/ledger", "lg-cases.data"),
    "retention": ("/retention", "retention-content.children"),
    "devices": ("/devices", "devices-content.children"),
    "quality": ("/quality", "quality-content.children"),
    "case": ("/case", "cs-content.children"),
}
PAGE_LAYOUT = "_pages_content.children"


def scenarios(snapshot: Path) -> tuple[list[dict], list[dict]]:
    """Distinct requests a user makes: the filters (the year, each quarter and month, the busiest
    units), for the rules table its paging, sorting and text filters, and for the warnings page its
    lists, levels and kinds, and the units drilled into (those with the most warnings) and their
    pages. The dashboard keeps query results per snapshot, so only a request not made before
    measures the database."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        year = con.execute("select max(left(period, 4)) from mart_unit_period_scorecard "
                           "where period_type = 'year'").fetchone()[0]
        units = [r[0] for r in con.execute("select unit_id from fct_violations group by unit_id "
                                           "order by count(*) desc, unit_id limit 10").fetchall()]
        drills = con.execute("""select kind = 'disposal_review', unit_id, kind, count(*) from mart_warnings
                                group by all order by count(*) desc, unit_id, kind""").fetchall()
    finally:
        con.close()
    base = {"lang": "zh", "period_type": "year", "period": year, "unit_id": None, "profile_id": None}
    periods = [{**base, "period_type": "quarter", "period": f"{year}Q{q}"} for q in range(1, 5)] + \
        [{**base, "period_type": "month", "period": f"{year}-{m:02d}"} for m in range(1, 13)]
    by_unit = [{**base, "unit_id": u} for u in units]
    # alternate periods and units, so that a short run still has both
    filters = [base] + [f for pair in itertools.zip_longest(periods, by_unit) for f in pair if f]
    table = {"ru-family.value": "upload", "ru-table.page_current": 0, "ru-table.page_size": 25,
             "ru-table.sort_by": [], "ru-table.filter_query": "",
             "of-table.page_current": 0, "of-table.page_size": 20, "of-table.sort_by": []}
    views = [table] + [{**table, "ru-table.page_current": n, "of-table.page_current": n} for n in (1, 10, 40, 200)] + [
        {**table, "ru-table.sort_by": [{"column_id": c, "direction": d}],
         "of-table.sort_by": [{"column_id": o, "direction": d}]}
        for c, o, d in (("occurred_at", "per_100", "desc"), ("unit", "officer_name", "asc"),
                        ("detail", "violations", "desc"))] + [
        {**table, "ru-table.filter_query": q}
        for q in ("{detail} contains 小时", "{severity} = medium && {unit} contains 中队", "{media_id} contains 0")]
    # the warnings page's own choices beside them (a callback reads only the values it takes), one
    # for each of the first 20 requests: each list, level and kind, and a drill-down into a unit
    # with many of them (the filters' unit where one is chosen, as a click on its counts would),
    # paging through its rows
    lists = [("compliance", None, None), ("compliance", "red", None), ("disposal", None, None),
             ("compliance", None, "archive"), ("compliance", "yellow", None)]
    warnings = []
    for i in range(20):
        (list_, level, kind), unit_filter = lists[i % len(lists)], filters[i % len(filters)]["unit_id"]
        # a snapshot without such warnings has nothing to drill into: the page then shows none
        options = [d for d in drills if d[0] == (list_ == "disposal") and kind in (None, d[2])] or [
            (None, None, None, 0)]
        _, unit, drill_kind, n = next((d for d in options if d[1] == unit_filter), options[i % len(options)])
        warnings.append({"wa-list.value": list_, "wa-level.value": level, "wa-kind.value": kind,
                         "wa-drill.data": {"unit_id": unit, "kind": drill_kind}, "wa-table.page_size": 25,
                         "wa-table.page_current": (0, 3, n // 50, max(n // 25 - 1, 0))[(i // len(lists)) % 4]})
    views = [{**views[i % len(views)], **warning} for i, warning in enumerate(warnings)]
    # the ledger's list by each conclusion and rectification status, and unfiltered
    ledger = [(None, None), ("failed", None), (None, "overdue"), ("not_reviewed", None), (None, "pending"),
              ("basically_passed", "not_required")]
    views = [{**view, "lg-review.value": review, "lg-rectification.value": fix}
             for view, (review, fix) in zip(views, itertools.cycle(ledger))]
    return filters, views


def busiest_cases(snapshot: Path, n: int) -> list[str]:
    """The cases with the most events and spans (mart_case_timeline rows): the case page's heaviest."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return [r[0] for r in con.execute("select case_id from mart_case_timeline group by case_id "
                                          "order by count(*) desc, case_id limit ?", [n]).fetchall()]
    finally:
        con.close()


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
    """Per page: `repeat` distinct requests of its main callback (cold: each one queries), the first
    of them repeated `repeat` times (warm: answered from the dashboard's result cache), and its layout."""
    client = Client(snapshot)
    filters, views = scenarios(snapshot)
    cases = busiest_cases(snapshot, repeat)
    layout = client.callback(PAGE_LAYOUT)
    pages = []
    for page, (path, output) in PAGES.items():
        dep = client.callback(output)
        # each request of the case page opens another of the busiest cases (a callback takes only its own inputs)
        requests = [{"filters.data": filters[i % len(filters)], **views[i % len(views)],
                     "cs-case-id.value": cases[i % len(cases)], "cs-show.n_clicks": 0} for i in range(repeat)]
        cold = [client.fire(dep, values) for values in requests]
        warm = [client.fire(dep, requests[0]) for _ in range(repeat)]
        load = [client.fire(layout, {"_pages_location.pathname": path, "_pages_location.search": ""})
                for _ in range(repeat)]
        pages.append({"page": page, "callback": output, "requests": len(cold),
                      "median_ms": statistics.median(cold), "p95_ms": p95(cold), "max_ms": max(cold),
                      "warm_median_ms": statistics.median(warm), "layout_median_ms": statistics.median(load)})
    return {"pages": pages, "requests": 3 * repeat * len(pages)}


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
