"""`generate()`: write a realistic synthetic inbox and the ground truth planted in it."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from core.contract import ENUMS, LOAD_ORDER

from . import malformed, paperwork, planted, reviews
from .cases import build_cases
from .params import DEFAULT_PROFILE, PROFILES, SCALES, rates_for
from .recordings import EVENT_TYPES, Simulator
from .util import month_bounds, stream, ts_array
from .world import build_world
from .writers import Sink, Spec, render, write_whole

PLANTED_FILE = "_planted.json"
VERSION = 1


def _media_spec(y: int, m: int) -> Spec:
    name = f"media/{y}-{m + 1:02d}"
    if m == 4:
        return Spec(f"{name}.csv", "en", "utf-8", "slash_hms", "10")
    if m == 8:
        return Spec(f"{name}.csv", "zh", "gb18030", "ymd_hms", "shifou")
    if m == 6:
        return Spec(f"{name}.parquet", "zh")
    return Spec(f"{name}.parquet")


def _events_spec(y: int, m: int) -> Spec:
    name = f"device_events/{y}-{m + 1:02d}"
    if m == 3:
        return Spec(f"{name}.csv", "en", "utf-8", "iso")
    if m == 9:
        return Spec(f"{name}.csv", "zh", "gb18030", "slash_hms", enum="zh")
    return Spec(f"{name}.parquet")


MEDIA_BAD_TYPED = ["fk_missing", "end_before_start", "negative_value", "bad_hash"]
MEDIA_BAD_TEXT = ["end_before_start", "bad_timestamp", "missing_required", "bad_bool", "fk_missing", "bad_hash",
                  "negative_value"]
EVENT_BAD_TYPED = ["fk_missing", "unknown_enum", "negative_value"]
EVENT_BAD_TEXT = ["bad_timestamp", "unknown_enum", "fk_missing", "negative_value", "missing_required"]


def _reviews_spec(period: str) -> Spec:
    """Each review round's ledger comes back as its reviewers keep it."""
    name = f"spot_check_reviews/{period}"
    return {"Q1": Spec(f"{name}.csv", "zh", "utf-8-sig", "ymd_hm", enum="zh"),
            "Q2": Spec(f"{name}.xlsx", "zh", ts="excel", enum="zh"),
            "Q3": Spec(f"{name}.csv", "en", "utf-8", "iso")}.get(
        period[4:], Spec(f"{name}.csv", "zh", "gb18030", "slash_hm", enum="zh"))


def _prepare(out: Path) -> None:
    """Create `out`; clear a previous generator run there, refuse to mix with other files."""
    out.mkdir(parents=True, exist_ok=True)
    ours = (out / PLANTED_FILE).exists()
    for src in LOAD_ORDER:
        d = out / src
        if d.exists() and any(d.iterdir()):
            if not ours:
                raise FileExistsError(f"{d} is not empty and {out} holds no earlier generator output")
            shutil.rmtree(d)


def generate(out: Path, scale: str = "S", seed: int = 1, year: int = 2025, progress: bool = True,
             discipline: str = "usual") -> dict:
    """Write a synthetic inbox `out/<source>/<file>` for all ten sources plus `out/_planted.json`
    (the ground truth planted in it) and return that dict. Same (scale, seed, year, discipline) → same
    bytes.

    scale: XS (tests), S (county-year), M (city-year), L (province-year, written month by month).
    discipline: how well the office keeps to the rules, one of params.DISCIPLINES: usual (the rates
    audits find) or poor (an office's first year on the system: about 40% of uploads late, most act
    recordings unlabelled).
    `_planted.json` keys: generator (its name, version, scale, seed, year, discipline and the planting
    rates used), as_of, export_time, default_profile, profiles, units, counts,
    files (format / encoding / header / timestamp, boolean and enum spelling of every file),
    rejected_files, malformed_rows (source, file, kind, count, 1-based rows), redelivery,
    reviews (the spot-check ledger's draw and the reviews of it: per period drawn, reviewed, each
    conclusion, each rectification status as of as_of, the warnings they raise), interpretation (how
    each rule's figure was counted), coverage (act / event types, triggers,
    per-profile volumes) and rules (per rule id: total and by_profile counts, shares, levels).
    A previous generator run in `out` is replaced; other files there make it refuse."""
    if str(scale).upper() not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
    sc = SCALES[str(scale).upper()]
    rates = rates_for(discipline)
    small = sc.name == "XS"
    out = Path(out)
    _prepare(out)
    y = year
    bar = tqdm(total=20, desc=f"generate {sc.name}", unit="step", file=sys.stderr, disable=not progress,
               leave=False)
    bar.set_postfix_str("world")
    world = build_world(sc, seed, year)
    cases, acts = build_cases(world, sc.cases, small, rates)
    sim = Simulator(world, cases, acts, sc.recordings, small, rates)
    bar.update(1)

    rng_bad = stream(seed, year, "malformed")
    counter = [1]
    min_bad = 1 if small else 2
    files: list[dict] = []
    bad_summary: list[dict] = []
    rows_delivered = {s: 0 for s in LOAD_ORDER}

    def note(source: str, spec: Spec, rows: int, labels: list[str], bad_rows: list[int], left_out=()) -> None:
        files.append({"source": source, **spec.describe(), "rows": rows, "malformed_rows": len(bad_rows),
                      **({"columns_left_out": list(left_out)} if left_out else {})})
        bad_summary.extend(malformed.summarise(spec.path, source, labels, bad_rows))
        rows_delivered[source] += rows

    def bad_for(source, table, spec, kinds):
        return malformed.make_bad(source, table, spec, kinds, rates["malformed"], min_bad, rng_bad, year, counter)

    # ---- month by month: media and device logs ------------------------------------------------
    access_parts = []
    redelivery = None
    for m, (d0, d1) in enumerate(month_bounds(year)):
        bar.set_postfix_str(f"month {m + 1:02d}")
        espec = _events_spec(y, m)
        sink = Sink(out, "device_events", espec)
        state = {"first": True, "labels": []}

        def emit(table: pa.Table, sink=sink, espec=espec, state=state) -> None:
            ct = _events_contract(sim, table)
            bad = None
            if state["first"] and ct.num_rows:
                kinds = EVENT_BAD_TYPED if espec.fmt == "parquet" else EVENT_BAD_TEXT
                bad, state["labels"] = bad_for("device_events", ct, espec, kinds)
                state["first"] = False
            sink.write(ct, bad, rng_bad)

        mo = sim.month(m, d0, d1, emit, sc.device_block)
        sink.close()
        note("device_events", espec, sink.rows, state["labels"], sink.bad_rows)
        mspec = _media_spec(y, m)
        table = mo.original if mo.original is not None else mo.media
        if m == 7:  # one platform export carries a column the contract does not know
            res = np.where(np.arange(table.num_rows) % 3 == 0, "1280x720", "1920x1080")
            table = table.append_column("resolution", pa.array(res.tolist()))
            mspec.extra = ("resolution",)
        kinds = MEDIA_BAD_TYPED if mspec.fmt == "parquet" else MEDIA_BAD_TEXT
        bad, labels = bad_for("media", table, mspec, kinds)
        n, rows = write_whole(out, "media", mspec, table, bad, rng_bad)
        note("media", mspec, n, labels, rows)
        if mo.redelivery is not None:
            rspec = Spec(f"media/{y}-{m + 1:02d}_redelivery.csv", "en", "utf-8-sig", "iso", "YN")
            n, _ = write_whole(out, "media", rspec, mo.redelivery)
            note("media", rspec, n, [], [])
            redelivery = {"file": rspec.path, "rows": n, "repeats_of": mspec.path, **mo.redelivery_kinds}
        access_parts.append(mo.access)
        bar.update(1)

    # ---- cases, acts, documents ----------------------------------------------------------------
    bar.set_postfix_str("cases and documents")
    paperwork.finalise_cases(world, cases, acts)
    paperwork.case_act_truth(world, cases, acts, sim.stats, sim.case_has_evidence_media)
    docs = paperwork.documents(world, cases, acts, sim.stats, small, rates)
    bar.update(1)

    bar.set_postfix_str("registers")
    rng_misc = stream(seed, year, "misc")
    for source, spec, table, kinds in (
            ("units", Spec("units/units.xlsx", "zh", ts="excel"), paperwork.units_table(world), []),
            ("officers", Spec("officers/officers.xlsx", "zh", ts="excel"), paperwork.officers_table(world),
             ["fk_missing"]),
            ("devices", Spec("devices/devices.csv", "zh", "gb18030", "ymd_hms", enum="zh"),
             paperwork.devices_table(world), [])):
        bad, labels = bad_for(source, table, spec, kinds) if kinds else (None, [])
        n, rows = write_whole(out, source, spec, table, bad, rng_bad)
        note(source, spec, n, labels, rows)
    bar.update(1)

    bar.set_postfix_str("writing cases")
    ct = paperwork.cases_table(world, cases)
    quarter = (pc.month(ct.column("opened_at")).to_numpy() - 1) // 3
    remarks = np.array(["", "", "", "已整改", "当事人已缴纳罚款", "移送公安机关", "待复核", "已送达"], dtype=object)
    case_specs = [
        (Spec(f"cases/{y}Q1.csv", "zh", "utf-8-sig", "cn", "shifou", "zh"),
         ["missing_required", "bad_timestamp", "unknown_enum", "bad_bool", "fk_missing"]),
        (Spec(f"cases/{y}Q2.xlsx", "zh", ts="excel", boolean="YN"), []),
        (Spec(f"cases/{y}Q3.csv", "en", "utf-8", "ymd_hm", "truefalse"), ["bad_timestamp", "unknown_enum", "bad_bool"]),
        (Spec(f"cases/{y}Q4.csv", "zh", "gb18030", "slash_hm", "10", "zh"), []),
    ]
    for q, (spec, kinds) in enumerate(case_specs):
        part = ct.filter(pa.array(quarter == q))
        if q == 0:
            part = part.append_column("备注", pa.array(remarks[rng_misc.integers(0, len(remarks), part.num_rows)]
                                                        .tolist()))
            spec.extra = ("备注",)
        bad, labels = bad_for("cases", part, spec, kinds) if kinds else (None, [])
        n, rows = write_whole(out, "cases", spec, part, bad, rng_bad)
        note("cases", spec, n, labels, rows)
    # the spot-check ledger draws from the cases as loaded: every row above loads, in this version
    closed = ct.select(["case_id", "unit_id", "procedure", "closed_at"]).filter(pc.is_valid(ct.column("closed_at")))
    bar.update(1)

    bar.set_postfix_str("writing acts")
    at = paperwork.acts_table(world, cases, acts)
    half = (pc.month(at.column("started_at")).to_numpy() > 6).astype(int)
    for h, (spec, kinds) in enumerate([
            (Spec(f"acts/{y}H1.jsonl", "en", ts="iso", boolean="json"),
             ["fk_missing", "end_before_start", "bad_timestamp", "missing_required", "required_when", "bad_bool",
              "unknown_enum"]),
            (Spec(f"acts/{y}H2.jsonl", "en", ts="ymd_hms", boolean="YN"),
             ["fk_missing", "end_before_start", "required_when"])]):
        part = at.filter(pa.array(half == h))
        bad, labels = bad_for("acts", part, spec, kinds)
        n, rows = write_whole(out, "acts", spec, part, bad, rng_bad)
        note("acts", spec, n, labels, rows)

    del at, ct
    bar.update(1)
    bar.set_postfix_str("writing documents")
    half = (pc.month(docs.column("signed_at")).to_numpy() > 6).astype(int)
    for h, (spec, kinds) in enumerate([
            (Spec(f"documents/{y}H1.csv", "en", "utf-8", "ymd_hms", "YN"),
             ["fk_missing", "negative_value", "unknown_enum", "missing_required"]),
            (Spec(f"documents/{y}H2.csv", "en", "utf-8", "ymd_hm", "10"), [])]):
        part = docs.filter(pa.array(half == h))
        left_out = ["witness_signed"] if h == 0 else []  # the first half-year in the older export format
        part = part.drop_columns(left_out)
        bad, labels = bad_for("documents", part, spec, kinds) if kinds else (None, [])
        n, rows = write_whole(out, "documents", spec, part, bad, rng_bad)
        note("documents", spec, n, labels, rows, left_out)

    n_docs = docs.num_rows
    del docs, part
    bar.update(1)
    bar.set_postfix_str("writing access log")
    access = _access_table(sim, access_parts, y)
    del access_parts
    spec = Spec(f"media_access/{y}.jsonl", "en", ts="iso")
    bad, labels = bad_for("media_access", access, spec, ["unknown_enum", "fk_missing", "bad_timestamp"])
    n, rows = write_whole(out, "media_access", spec, access, bad, rng_bad)
    note("media_access", spec, n, labels, rows)
    rejected = malformed.write_rejected(out, year)
    bar.update(1)

    bar.set_postfix_str("writing reviews")
    # a stream of its own, so the reviews leave every other file as it was
    rng_reviews = stream(seed, year, "reviews")
    rev = reviews.build(closed, year, rng_reviews, counter)
    for period, table in rev.tables.items():
        if not table.num_rows:
            continue
        spec = _reviews_spec(period)
        bad = labels = None
        if rev.undrawn is not None and rev.undrawn[0] == period:
            bad, labels = render("spot_check_reviews", rev.undrawn[1], spec, as_strings=True), ["not_drawn"]
        n, rows = write_whole(out, "spot_check_reviews", spec, table, bad, rng_reviews)
        note("spot_check_reviews", spec, n, labels or [], rows)
        if bad is not None:
            rev.summary["not_drawn"] = {"file": spec.path, "row": rows[0], "period": period,
                                        "review_id": rev.undrawn[1].column("review_id")[0].as_py(),
                                        "case_id": rev.undrawn[1].column("case_id")[0].as_py()}
    bar.update(1)

    # ---- ground truth ------------------------------------------------------------------------------
    units = [{"unit_id": world.unit_id[i], "unit_name": world.unit_name[i],
              "parent_unit_id": world.unit_id[world.unit_parent[i]] if world.unit_parent[i] >= 0 else None,
              "rule_profile": world.unit_rule_profile[i] or None,
              "effective_profile": PROFILES[world.unit_profile[i]],
              "officers": int((world.off_unit == i).sum())} for i in range(world.n_units)]
    st = sim.stats.c
    meta = {
        "generator": {"name": "recwatch.synthetic", "version": VERSION, "scale": sc.name, "seed": seed, "year": y,
                      "discipline": discipline, "rates": dict(rates)},
        "as_of": f"{y}-12-31",
        "export_time": f"{y}-12-31 23:59:59",
        "default_profile": DEFAULT_PROFILE,
        "profiles": list(PROFILES),
        "units": units,
        "counts": {
            "units": world.n_units, "officers": world.n_officers, "devices": len(world.dev_id),
            "cases": cases.n, "acts": acts.n, "documents": n_docs,
            "media": int(st["media"].sum()), "device_events": int(st["events_by_type"].sum()),
            "media_access": access.num_rows,
            "spot_check_reviews": sum(t.num_rows for t in rev.tables.values()),
            "recordings_on_devices": int(st["recordings_total"].sum()),
            "rows_delivered": rows_delivered,
            "malformed_rows": sum(b["count"] for b in bad_summary),
        },
        "files": files,
        "rejected_files": rejected,
        "malformed_rows": bad_summary,
        "redelivery": redelivery,
        "reviews": rev.summary,
    }
    result = planted.build(meta, sim.stats)
    result = json.loads(json.dumps(result, ensure_ascii=False, default=_jsonable))
    (out / PLANTED_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=False) + "\n",
                                    encoding="utf-8")
    bar.update(bar.total - bar.n)
    bar.close()
    return result


def _jsonable(x):
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(type(x))


def _events_contract(sim: Simulator, t: pa.Table) -> pa.Table:
    return pa.table({
        "device_id": sim.dev_ids.take(t.column("dev")),
        "event_time": pc.cast(t.column("t"), pa.timestamp("s")),
        "event_type": pa.array(EVENT_TYPES).take(pc.cast(t.column("type"), pa.int64())),
        "file_id": t.column("file_id"),
        "reason": t.column("reason"),
        "battery_pct": pc.cast(t.column("battery"), pa.float64()),
        "storage_free_pct": pc.cast(t.column("storage"), pa.float64()),
    })


def _access_table(sim: Simulator, parts: list[dict], year: int) -> pa.Table:
    media_id = pa.concat_arrays([p["media_id"] for p in parts]) if parts else pa.array([], pa.string())
    officer = np.concatenate([p["officer"] for p in parts])
    t = np.concatenate([p["t"] for p in parts])
    action = np.concatenate([p["action"] for p in parts])
    approval = np.concatenate([p["approval"] for p in parts])
    order = np.argsort(t, kind="stable")
    n = len(order)
    ids = pc.binary_join_element_wise(
        f"FW{year}", pc.utf8_lpad(pa.array(np.arange(1, n + 1).astype(str)), max(8, len(str(n))), "0"), "")
    refs = pc.binary_join_element_wise("调阅审〔" + str(year) + "〕", pa.array((np.arange(n) % 499 + 1).astype(str)),
                                       "号", "")
    return pa.table({
        "access_id": ids,
        "media_id": media_id.take(pa.array(order)),
        "officer_id": sim.off_ids.take(pa.array(officer[order])),
        "accessed_at": ts_array(t[order]),
        "action": pa.array(list(ENUMS["access_action"])).take(pa.array(action[order].astype(np.int64))),
        "approval_ref": pc.if_else(pa.array(approval[order]), refs, pa.scalar(None, pa.string())),
    })
