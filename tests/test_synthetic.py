"""The synthetic inbox generator: formats, determinism, and ground truth checked against the files.

The checks below read the generated files back independently (their own small reader, not the
project's loader) and recompute the planted figures from the rows, rule by rule (rules.md), so a
mismatch means the generator's `_planted.json` is wrong, not that two copies of one code agree.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from core.contract import ENUMS, LOAD_ORDER, SOURCES, header_aliases, normalize_header
from synthetic import PLANTED_FILE, generate
from synthetic.params import DISCIPLINES, RATES, rates_for

PROFILES = ("cele", "zhuhui", "longjiang", "hebei", "dalian_jinpu")
DAY = pd.Timedelta(days=1)


# ---- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["usual", "poor"])
def s_inbox(request, tmp_path_factory):
    """Scale S, seed 7, of an office of usual discipline and of one in its first year on the system."""
    out = tmp_path_factory.mktemp(f"inbox_s_{request.param}")
    planted = generate(out, scale="S", seed=7, year=2025, progress=False, discipline=request.param)
    return out, planted


@pytest.fixture(scope="module")
def s_data(s_inbox):
    out, planted = s_inbox
    return Inbox(out, planted)


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ---- an independent reader ----------------------------------------------------------------------

TRUE = {"1", "true", "是", "y", "True", "TRUE", "Y"}
CN_TS = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{1,2}):(\d{2})$")


def to_ts(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[s]")

    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
            return None
        if not isinstance(v, str):
            return pd.Timestamp(v).round("s")
        m = CN_TS.match(v)
        if m:
            y, mo, d, h, mi = map(int, m.groups())
            return pd.Timestamp(y, mo, d, h, mi)
        return pd.Timestamp(v.replace("/", "-").replace("T", " "))
    return pd.to_datetime(s.map(one)).astype("datetime64[s]")


def to_bool(s: pd.Series) -> pd.Series:
    return s.map(lambda v: v is True or (isinstance(v, str) and v in TRUE) or v == 1)


def read_file(path: Path, source: str) -> pd.DataFrame:
    ext = path.suffix
    if ext == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    elif ext == ".xlsx":
        rows = list(openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
        width = len(rows[0])  # trailing empty cells are not stored
        df = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows[1:]], columns=rows[0])
    elif ext == ".jsonl":
        df = pd.read_json(path, lines=True, dtype=False)
    else:
        df = pq.read_table(path).to_pandas()
    aliases = header_aliases(source)
    return df.rename(columns={c: aliases.get(normalize_header(c), c) for c in df.columns})


class Inbox:
    """All sources read back, malformed rows and rejected files left out, typed, latest file wins."""

    def __init__(self, root: Path, planted: dict):
        self.root, self.planted = root, planted
        rejected = {r["file"] for r in planted["rejected_files"]}
        bad: dict[str, set[int]] = {}
        for b in planted["malformed_rows"]:
            bad.setdefault(b["file"], set()).update(b["rows"])
        self.frames: dict[str, pd.DataFrame] = {}
        self.raw: dict[str, list[tuple[str, pd.DataFrame]]] = {}
        for source in LOAD_ORDER:
            parts = []
            for path in sorted((root / source).iterdir()):
                rel = f"{source}/{path.name}"
                if rel in rejected:
                    continue
                df = read_file(path, source)
                rows = bad.get(rel, set())
                df = df[~np.isin(np.arange(1, len(df) + 1), list(rows))]
                self.raw.setdefault(source, []).append((rel, df))
                parts.append(df[[c for c in SOURCES[source].names if c in df.columns]])
            df = pd.concat(parts, ignore_index=True)
            for col in SOURCES[source].columns:
                if col.name not in df:
                    continue
                if col.type == "timestamp":
                    df[col.name] = to_ts(df[col.name])
                elif col.type == "bool":
                    df[col.name] = to_bool(df[col.name])
                elif col.type == "enum" and col.enum in ENUMS:
                    inv = {v: k for k, v in ENUMS[col.enum].items()}
                    df[col.name] = df[col.name].map(lambda v, inv=inv: inv.get(v, v))
                elif col.type in ("int", "number"):
                    df[col.name] = pd.to_numeric(df[col.name].replace("", np.nan))
                elif col.type in ("text", "hash", "list", "enum"):
                    df[col.name] = df[col.name].map(lambda v: None if v is None or v == "" or
                                                    (isinstance(v, float) and np.isnan(v)) else str(v))
            key = list(SOURCES[source].key)
            if source != "device_events":
                df = df.drop_duplicates(key, keep="last")
            self.frames[source] = df.reset_index(drop=True)
        self.asof_end = pd.Timestamp(planted["as_of"]) + DAY
        units = self.frames["units"]
        prof = units["rule_profile"].fillna(planted["default_profile"])
        self.unit_profile = dict(zip(units["unit_id"], prof))
        off = self.frames["officers"]
        self.officer_profile = dict(zip(off["officer_id"], off["unit_id"].map(self.unit_profile)))
        cases = self.frames["cases"]
        cases["profile"] = cases["unit_id"].map(self.unit_profile)
        acts = self.frames["acts"].merge(cases[["case_id", "profile", "party_name"]], on="case_id")
        acts["officers"] = acts["officer_ids"].str.split(r"[;；,、]")
        self.frames["acts"] = acts
        media = self.frames["media"]
        media["profile"] = media["officer_id"].map(self.officer_profile)
        self._belongs = None

    def __getitem__(self, source: str) -> pd.DataFrame:
        return self.frames[source]

    def belongs(self) -> pd.DataFrame:
        """(media_id, act_id) pairs: ranges overlap and officer is an act officer or the label is the case."""
        if self._belongs is None:
            acts = self["acts"][["act_id", "case_id", "started_at", "ended_at", "officers"]].explode("officers")
            media = self["media"][["media_id", "officer_id", "case_id", "recorded_start", "recorded_end"]]
            con = duckdb.connect()
            con.register("a", acts)
            con.register("m", media)
            self._belongs = con.execute("""
                select distinct m.media_id, a.act_id from a join m
                  on (m.officer_id = a.officers or m.case_id = a.case_id)
                 and m.recorded_start < a.ended_at and m.recorded_end > a.started_at
            """).df()
        return self._belongs


def by_profile(planted_rule: dict, key: str) -> dict[str, int]:
    return {p: planted_rule["by_profile"][p][key] for p in PROFILES}


# ---- determinism and layout --------------------------------------------------------------------

def test_same_seed_same_bytes_different_seed_differs(tmp_path):
    a = generate(tmp_path / "a", scale="XS", seed=3, progress=False)
    b = generate(tmp_path / "b", scale="XS", seed=3, progress=False)
    generate(tmp_path / "c", scale="XS", seed=4, progress=False)
    da, db, dc = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert da == db
    assert a == b
    assert da.keys() == dc.keys()
    assert sum(da[k] != dc[k] for k in da) >= len(da) - 4  # all but the fixed broken files differ
    assert json.loads((tmp_path / "a" / PLANTED_FILE).read_text(encoding="utf-8")) == a


# what XS seed 3 of usual discipline wrote: its data files as the generator wrote them before the
# discipline setting (commit 6bc7c26), _planted.json with the generator's discipline and rates added
GOLDEN = Path(__file__).parent / "fixtures" / "generated-XS-3.sha256.json"


def test_usual_discipline_writes_the_bytes_it_always_did_and_poor_does_not_touch_it(tmp_path):
    """`--discipline usual` (the default) keeps every earlier inbox as it was, byte for byte, also
    after a generation of poor discipline in the same process: the rates go down the call chain, no
    global is changed. If the generator's output changes on purpose, write the fixture again from
    `_digest` of a fresh XS seed 3 (pyarrow's version is written into the Parquet files, so a new
    pyarrow changes their digests too)."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    first = generate(tmp_path / "usual", scale="XS", seed=3, progress=False)
    assert _digest(tmp_path / "usual") == golden
    poor = generate(tmp_path / "poor", scale="XS", seed=3, progress=False, discipline="poor")
    again = generate(tmp_path / "again", scale="XS", seed=3, progress=False, discipline="usual")
    assert _digest(tmp_path / "again") == golden and again == first
    assert first["generator"]["discipline"] == "usual" and first["generator"]["rates"] == dict(RATES)
    assert poor["generator"]["discipline"] == "poor"
    assert poor["generator"]["rates"] == {**RATES, **DISCIPLINES["poor"]} != dict(RATES)
    differs = {k for k, v in _digest(tmp_path / "poor").items() if golden.get(k) != v}
    assert {"media/2025-01.parquet", "device_events/2025-01.parquet", "acts/2025H1.jsonl"} <= differs


def test_a_discipline_is_a_table_of_known_rates(tmp_path):
    """Each discipline overrides rates that exist (a misspelt one would leave its rate as usual), and
    an unknown discipline is refused before anything is written."""
    for discipline in DISCIPLINES:
        assert set(rates_for(discipline)) == set(RATES)
    assert DISCIPLINES["usual"] == {}
    with pytest.raises(ValueError, match="unknown discipline"):
        generate(tmp_path / "lax", scale="XS", progress=False, discipline="lax")
    assert not (tmp_path / "lax").exists()
    with pytest.raises(TypeError):
        rates_for("poor")["late_upload"] = 0.5


def test_generate_command_takes_the_discipline(tmp_path):
    from click.testing import CliRunner

    from orchestration.cli import generate as command, main

    assert tuple({p.name: p for p in command.params}["discipline"].type.choices) == tuple(DISCIPLINES)
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "inbox"), "--scale", "XS",
                                       "--discipline", "poor"])
    assert result.exit_code == 0, result.output
    planted = json.loads((tmp_path / "inbox" / PLANTED_FILE).read_text(encoding="utf-8"))
    assert planted["generator"]["discipline"] == "poor"
    assert CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "x"), "--discipline", "lax"]).exit_code == 2


def test_regenerating_into_the_same_folder_replaces_it(tmp_path):
    generate(tmp_path, scale="XS", seed=1, progress=False)
    first = _digest(tmp_path)
    generate(tmp_path, scale="XS", seed=1, progress=False)
    assert _digest(tmp_path) == first


def test_refuses_a_folder_with_foreign_files(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "real_export.csv").write_text("x")
    with pytest.raises(FileExistsError):
        generate(tmp_path, scale="XS", progress=False)


def test_progress_flag_and_bad_scale(tmp_path, capsys):
    generate(tmp_path / "quiet", scale="xs", progress=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(ValueError, match="unknown scale"):
        generate(tmp_path / "bad", scale="XXL", progress=False)


def test_every_source_and_format_present(s_inbox):
    out, planted = s_inbox
    for source in LOAD_ORDER:
        assert any((out / source).iterdir()), source
    assert not any(p.name == PLANTED_FILE for p in out.rglob("*") if p.parent != out)
    files = {f["file"]: f for f in planted["files"]}
    assert {f["format"] for f in files.values()} == {"csv", "xlsx", "jsonl", "parquet"}
    assert {f["encoding"] for f in files.values() if f["format"] == "csv"} == {"utf-8", "utf-8-sig", "gb18030"}
    forms = {f["timestamps"] for f in files.values()}
    assert {"ymd_hms", "ymd_hm", "slash_hms", "slash_hm", "iso", "cn", "excel", "native"} <= forms
    assert {"10", "truefalse", "shifou", "YN"} <= {f["booleans"] for f in files.values()}
    # monthly media / device log files in load order, the re-delivery right after its month
    media = sorted(p.name for p in (out / "media").iterdir())
    assert media.index("2025-03_redelivery.csv") == media.index("2025-03.parquet") + 1
    assert len([m for m in media if re.fullmatch(r"2025-\d\d\.(parquet|csv)", m)]) == 12
    assert len(list((out / "device_events").iterdir())) == 12


def test_encodings_and_headers(s_inbox):
    out, planted = s_inbox
    for f in planted["files"]:
        path = out / f["file"]
        source = f["source"]
        # an older-format file leaves out a column the contract added since (documents' witness)
        kept = [c for c in SOURCES[source].columns if c.name not in f.get("columns_left_out", [])]
        expected = {c.zh for c in kept} if f["header"] == "zh" else {c.name for c in kept}
        if f["format"] == "csv":
            raw = path.read_bytes()
            if f["encoding"] == "gb18030":
                with pytest.raises(UnicodeDecodeError):
                    raw.decode("utf-8")
                text = raw.decode("gb18030")
            else:
                assert raw.startswith(b"\xef\xbb\xbf") == (f["encoding"] == "utf-8-sig")
                text = raw.decode("utf-8-sig")
            cols = set(pd.read_csv(io.StringIO(text), nrows=0).columns)
        elif f["format"] == "xlsx":
            wb = openpyxl.load_workbook(path, read_only=True)
            cols = set(next(wb.worksheets[0].iter_rows(values_only=True)))
            assert wb.properties.modified.year == 2020  # fixed metadata, no wall clock
        elif f["format"] == "jsonl":
            cols = set(json.loads(path.open(encoding="utf-8").readline()))
        else:
            cols = set(pq.read_schema(path).names)
        assert expected <= cols, (f["file"], expected - cols)
        assert cols - expected == set(f["extra_columns"]), f["file"]


def test_formats_carry_the_declared_spellings(s_inbox):
    out, _ = s_inbox
    q1 = (out / "cases/2025Q1.csv").read_text(encoding="utf-8-sig")
    assert "行政处罚" in q1 and re.search(r"2025年\d{1,2}月\d{1,2}日 \d{1,2}:\d\d", q1) and '"否"' in q1
    q4 = (out / "cases/2025Q4.csv").read_bytes().decode("gb18030")
    assert re.search(r"\"2025/\d\d/\d\d \d\d:\d\d\"", q4)
    wb = openpyxl.load_workbook(out / "cases/2025Q2.xlsx", read_only=True)
    row = list(wb.worksheets[0].iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert any(isinstance(v, datetime) for v in row)  # real Excel date cells
    acts = (out / "acts/2025H1.jsonl").read_text(encoding="utf-8")
    for sep in (";", "；", ",", "、"):
        assert re.search(rf'"officer_ids":"\d+{re.escape(sep)}\d+', acts), sep
    assert '"remote_duty":true' in acts and "T09:" in acts
    ev = pq.read_table(out / "device_events/2025-01.parquet")
    assert str(ev.schema.field("event_time").type).startswith("timestamp")
    ev10 = (out / "device_events/2025-10.csv").read_bytes().decode("gb18030")
    assert "开始录制" in ev10 and "事件时间" in ev10


def test_every_act_type_profile_event_type_present(s_inbox):
    _, planted = s_inbox
    cov = planted["coverage"]
    assert set(cov["act_types"]) == set(ENUMS["act_type"]) and min(cov["act_types"].values()) > 0
    assert min(cov["event_types"].values()) > 0 and set(cov["event_types"]) == set(ENUMS["event_type"])
    assert all(cov["cases_by_profile"][p] > 0 and cov["media_by_profile"][p] > 0 for p in PROFILES)
    assert min(cov["long_term_triggers"].values()) > 0
    profiles = {u["rule_profile"] for u in planted["units"]}
    assert set(PROFILES) <= profiles and None in profiles  # one unit on the deployment default
    assert len(planted["units"]) >= 6


# the planted shares of each discipline (synthetic/params.py): (lowest, highest)
SHARES = {
    "usual": {"R-AV": (0.17, 0.23), "R-UPL": (0.06, 0.08), "R-LBL": (0.15, 0.25)},
    "poor": {"R-AV": (0.37, 0.43), "R-UPL": (0.36, 0.42), "R-LBL": (0.70, 0.90)},
}


def test_planted_rates_in_range(s_inbox):
    _, p = s_inbox
    r = p["rules"]
    shares = SHARES[p["generator"]["discipline"]]
    assert shares["R-AV"][0] <= r["R-AV"]["missing_share"] <= shares["R-AV"][1]
    assert shares["R-UPL"][0] <= r["R-UPL"]["late_share"] <= shares["R-UPL"][1]
    assert shares["R-LBL"][0] <= r["R-LBL"]["mislabelled_share"] <= shares["R-LBL"][1]
    media = r["R-UPL"]["total"]["media"]
    assert 0.005 <= r["R-RET"]["total"]["deleted_early"] / media <= 0.05
    assert r["R-UPL"]["total"]["overdue_missing"] > 0 and r["R-UPL"]["total"]["pending"] > 0
    # every rule exercised, and a violation where its profile makes it one
    for rule in ("R-UPL-LOST", "R-DEV-DEL", "R-INTEG"):
        assert r[rule]["total"][next(iter(r[rule]["total"]))] > 0, rule
    assert r["R-ARC"]["total"]["late"] and r["R-ARC"]["total"]["overdue"] and r["R-ARC"]["total"]["pending"]
    for prof in PROFILES:
        assert r["R-START"]["by_profile"][prof]["approved_late"] + r["R-START"]["by_profile"][prof]["approval_missing"]
        assert r["R-DEV-CHECK"]["by_profile"][prof]["no_check"] > 0
        assert r["R-LBL"]["by_profile"][prof]["unlabelled"] > 0
        assert r["R-ACC"]["by_profile"][prof]["without_approval"] > 0
        assert r["R-DOC"]["by_profile"][prof]["unsigned_no_refusal"] > 0
        assert r["R-AV"]["by_profile"][prof]
        for lvl, d in r["R-AV"]["by_profile"][prof].items():
            assert d["missing"] > 0, (prof, lvl)
    for prof in ("cele", "hebei", "dalian_jinpu"):
        assert r["R-EVD"]["by_profile"][prof]["disc_missing"] + r["R-EVD"]["by_profile"][prof]["disc_late"] > 0
        assert r["R-UPL"]["remote_duty"]["by_profile"][prof]["late_legit_by_exception"] > 0
    assert r["R-UPL"]["remote_duty"]["by_profile"]["zhuhui"]["late_no_exception"] > 0
    for prof in ("hebei", "dalian_jinpu", "longjiang"):
        full = r["R-AV"]["by_profile"][prof]["full"]
        assert full["partial"] > 0 and full["ok"] > 0, prof
    plans = r["R-AV"]["full_level_plans"]
    assert all(sum(v.values()) > 0 for v in plans.values()), plans
    assert r["R-RET"]["total"]["disposed"] and r["R-RET"]["total"]["deleted_unapproved"]
    assert r["R-DEV-INT"]["total"]["not_followed"] and r["R-DEV-INT"]["total"]["interrupts"] > \
        r["R-DEV-INT"]["total"]["not_followed"]
    assert r["R-DOC"]["total"]["cases_missing_a_required_record"] > 0
    kinds = {b["kind"] for b in p["malformed_rows"]}
    assert {"missing_required", "bad_timestamp", "unknown_enum", "end_before_start", "fk_missing",
            "bad_bool"} <= kinds
    for kind in kinds - {"not_drawn"}:  # one review of a case not drawn is planted, a reviewer's slip
        assert sum(b["count"] for b in p["malformed_rows"] if b["kind"] == kind) >= 3, kind
    total_rows = sum(p["counts"]["rows_delivered"].values())
    assert 0.002 <= p["counts"]["malformed_rows"] / total_rows <= 0.006
    assert {r_["file"] for r_ in p["rejected_files"]} >= {"cases/zz_broken.xlsx"}


def test_scale_s_sizes(s_inbox):
    _, p = s_inbox
    c = p["counts"]
    assert 50 <= c["officers"] <= 70 and 2_500 <= c["cases"] <= 3_500
    assert 50_000 <= c["media"] <= 70_000 and 300_000 <= c["device_events"] <= 700_000


# ---- ground truth recomputed from the files ------------------------------------------------------

def test_malformed_rows_are_where_planted(s_inbox):
    out, planted = s_inbox
    for b in planted["malformed_rows"]:
        df = read_file(out / b["file"], b["source"])
        assert max(b["rows"]) <= len(df)
        rows = df.iloc[[r - 1 for r in b["rows"]]]
        key = SOURCES[b["source"]].key[0]
        if b["source"] != "device_events":  # fresh keys: never a real row's key
            assert rows[key].astype(str).str.contains("-").all()
        if b["kind"] == "bad_bool":
            assert (rows.astype(str) == "maybe").any(axis=1).all()
        if b["kind"] == "fk_missing":
            col = {"officers": "unit_id", "cases": "unit_id", "acts": "case_id", "documents": "act_id",
                   "media": "device_id", "device_events": "device_id", "media_access": "media_id"}[b["source"]]
            assert rows[col].astype(str).str.contains("T00|99999999|2024").all(), b
    broken = out / "cases/zz_broken.xlsx"
    with pytest.raises(Exception):
        openpyxl.load_workbook(broken)
    assert "doc_type" not in (out / "documents/zz_missing_column.csv").read_text().splitlines()[0]


def test_redelivery_and_integrity(s_data):
    d, p = s_data, s_data.planted
    versions = pd.concat([df[["media_id", "sha256", "uploaded_at", "case_id"]].assign(file=f)
                          for f, df in d.raw["media"]])
    counts = versions.groupby("media_id")["sha256"].nunique()
    assert int((counts > 1).sum()) == p["rules"]["R-INTEG"]["total"]["sha256_changed"]
    red = p["redelivery"]
    assert versions["media_id"].duplicated().sum() == red["rows"]
    assert red["uploaded_after_first_export"] and red["labels_added"] and red["re_uploaded"]


def test_upload_timeliness_from_files(s_data):
    d, p = s_data, s_data.planted
    m = d["media"].copy()
    naive = (m["uploaded_at"] > m["recorded_end"] + DAY).sum()
    assert naive == p["rules"]["R-UPL"]["late_naive_uploaded_after_recorded_end_plus_24h"]
    # deadlines per rules.md §1, with the act each recording belongs to
    acts = d["acts"].set_index("act_id")
    b = d.belongs().merge(acts[["ended_at", "remote_duty", "returned_at"]], left_on="act_id", right_index=True)
    assert not b["media_id"].duplicated().any()  # a recording belongs to at most one act
    m = m.merge(b, on="media_id", how="left")
    basis = m["recorded_end"].copy()
    dj = (m["profile"] == "dalian_jinpu") & m["act_id"].notna()
    basis[dj] = m.loc[dj, "ended_at"]
    exc = m["profile"].isin(["cele", "hebei", "dalian_jinpu"]) & m["remote_duty"].fillna(False).astype(bool)
    basis[exc] = np.maximum(basis[exc], m.loc[exc, "returned_at"])
    deadline = basis + DAY
    up = m["uploaded_at"]
    status = np.where(up.notna(), np.where(up > deadline, "late", "on_time"),
                      np.where(deadline <= d.asof_end, "overdue_missing", "pending"))
    got = pd.crosstab(m["profile"], status)
    for prof in PROFILES:
        for s in ("on_time", "late", "overdue_missing", "pending"):
            want = p["rules"]["R-UPL"]["by_profile"][prof][s]
            assert got.loc[prof].get(s, 0) == want, (prof, s)


def test_lost_and_device_deleted_files_from_logs(s_data):
    d, p = s_data, s_data.planted
    ev = d["device_events"]
    media_ids = set(d["media"]["media_id"])
    stops = set(ev.loc[ev["event_type"] == "record_stop", "file_id"])
    assert len(stops - media_ids) == p["rules"]["R-UPL-LOST"]["total"]["violations"]
    uploaded = set(ev.loc[ev["event_type"] == "upload_done", "file_id"])
    deleted = set(ev.loc[ev["event_type"] == "file_deleted", "file_id"])
    assert len(deleted - uploaded) == p["rules"]["R-DEV-DEL"]["total"]["files_deleted_before_upload"]
    # logs agree with the store: every upload_done time is the media row's uploaded_at
    up = ev[ev["event_type"] == "upload_done"].groupby("file_id")["event_time"].max()
    m = d["media"].set_index("media_id")["uploaded_at"].dropna()
    assert (up.reindex(m.index) == m).all()


def test_pre_duty_checks_from_logs(s_data):
    d, p = s_data, s_data.planted
    ev = d["device_events"].copy()
    ev["day"] = ev["event_time"].dt.normalize()
    first = ev[ev["event_type"] == "record_start"].groupby(["device_id", "day"])["event_time"].min()
    check = ev[ev["event_type"] == "pre_duty_check"].groupby(["device_id", "day"])["event_time"].min()
    j = first.to_frame("first").join(check.rename("check"))
    bad = j["check"].isna() | (j["check"] > j["first"])
    t = p["rules"]["R-DEV-CHECK"]["total"]
    assert len(j) == t["device_days_with_recording"]
    assert int(bad.sum()) == t["no_check"] + t["check_after_first_record_start"]


def test_interrupts_from_logs(s_data):
    d, p = s_data, s_data.planted
    ev = d["device_events"]
    intr = ev[ev["event_type"] == "record_interrupt"]
    media = d["media"].sort_values("recorded_start")
    stmt_acts = set(d["documents"].loc[d["documents"]["doc_type"] == "interruption_statement", "act_id"])
    acts = d["acts"].explode("officers")
    dev_officer = d["devices"].set_index("device_id")["officer_id"]
    not_followed = 0
    for _, e in intr.iterrows():
        later = media[(media["device_id"] == e["device_id"]) & (media["recorded_start"] > e["event_time"])]
        noted = len(later) and bool(later.iloc[0]["interruption_note"]) and \
            later.iloc[0]["recorded_start"].normalize() == e["event_time"].normalize()
        off = media.loc[media["device_id"] == e["device_id"], "officer_id"].iloc[0] \
            if (media["device_id"] == e["device_id"]).any() else dev_officer.get(e["device_id"])
        a = acts[(acts["officers"] == off) & (acts["started_at"] <= e["event_time"])
                 & (acts["ended_at"] >= e["event_time"])]
        stated = bool(set(a["act_id"]) & stmt_acts)
        not_followed += not (noted or stated)
    t = p["rules"]["R-DEV-INT"]["total"]
    assert len(intr) == t["interrupts"] and not_followed == t["not_followed"]


def test_av_coverage_and_labels_from_files(s_data):
    d, p = s_data, s_data.planted
    levels = p["rules"]["R-AV"]["table"]
    acts = d["acts"]
    acts = acts.assign(level=[levels.get(t, {}).get(pr) for t, pr in zip(acts["act_type"], acts["profile"])])
    m = d["media"].set_index("media_id")
    b = d.belongs()
    pairs = b.merge(acts[["act_id", "started_at", "ended_at"]], on="act_id").join(
        m[["recorded_start", "recorded_end", "interruption_note", "device_id"]], on="media_id")
    ev = d["device_events"]
    intr = ev[(ev["event_type"] == "record_interrupt") & ev["reason"].notna()]
    stmt = set(d["documents"].loc[d["documents"]["doc_type"] == "interruption_statement", "act_id"])
    by_act = {k: g for k, g in pairs.groupby("act_id")}
    got: dict[tuple, int] = {}
    for a in acts[acts["level"].notna()].itertuples():
        if pd.notna(a.av_exempt_reason):
            status = "exempt_with_reason"
        elif a.act_id not in by_act:
            status = "missing"
        elif a.level != "full":
            status = "ok"
        else:
            g = by_act[a.act_id].sort_values("recorded_start")
            s0, e0 = a.started_at, a.ended_at
            covered, gaps, cur = pd.Timedelta(0), [], s0
            for r in g.itertuples():
                rs, re_ = max(r.recorded_start, s0), min(r.recorded_end, e0)
                if rs > cur:
                    gaps.append((cur, rs, bool(r.interruption_note)))
                if re_ > cur:
                    covered += re_ - max(rs, cur)
                    cur = re_
            if cur < e0:
                gaps.append((cur, e0, False))
            ratio = covered / (e0 - s0)
            devices = set(g["device_id"])

            def explained(gs, ge, note):
                if note or a.act_id in stmt:
                    return True
                hit = intr[intr["device_id"].isin(devices) & (intr["event_time"] > gs) & (intr["event_time"] < ge)]
                return len(hit) > 0
            unexplained = [x for x in gaps if (x[1] - x[0]).total_seconds() > 60 and not explained(*x)]
            status = "ok" if ratio >= 0.95 and not unexplained else "partial"
        got[(a.profile, a.level, status)] = got.get((a.profile, a.level, status), 0) + 1
    for prof in PROFILES:
        for lvl, want in p["rules"]["R-AV"]["by_profile"][prof].items():
            for s in ("ok", "missing", "partial", "exempt_with_reason"):
                assert got.get((prof, lvl, s), 0) == want[s], (prof, lvl, s)
    # labels of recordings that belong to an act (R-LBL)
    cases = d["cases"].set_index("case_id")
    lb = b.merge(acts[["act_id", "case_id"]], on="act_id").join(
        m[["case_id", "party_label", "handler_label", "profile"]].rename(columns={"case_id": "label"}),
        on="media_id")
    bad = lb["label"].isna() | (lb["label"] != lb["case_id"]) | lb["party_label"].isna() | lb["handler_label"].isna()
    assert len(lb) == p["rules"]["R-LBL"]["total"]["act_recordings"]
    assert int(bad.sum()) == p["rules"]["R-LBL"]["total"]["mislabelled"]
    wrong = lb[lb["label"].notna() & (lb["label"] != lb["case_id"])]
    assert wrong["label"].isin(cases.index).all()  # never a case id that does not exist
    assert len(wrong) == p["rules"]["R-LBL"]["total"]["wrong_case_id"]


def test_patrol_recordings_never_overlap_their_officers_acts(s_data):
    d = s_data
    b = d.belongs()
    m = d["media"]
    labelled = m[m["case_id"].notna()]["media_id"]
    # every labelled recording belongs to exactly one act, and no recording to two
    assert set(labelled) <= set(b["media_id"])
    assert not b["media_id"].duplicated().any()
    # no two recordings of one device overlap
    m = m.sort_values(["device_id", "recorded_start"])
    same = m["device_id"].eq(m["device_id"].shift())
    assert not (same & (m["recorded_start"] < m["recorded_end"].shift())).any()
    assert (m["recorded_end"] >= m["recorded_start"]).all()
    assert m["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_archiving_start_and_evidence_from_files(s_data):
    d, p = s_data, s_data.planted
    c = d["cases"]
    closed = c[c["closed_at"].notna()]
    due = closed["closed_at"] + pd.Timedelta(days=30)
    arch = closed["archived_at"]
    status = np.where(arch.notna(), np.where(arch > due, "late", "on_time"),
                      np.where(due <= d.asof_end, "overdue", "pending"))
    t = p["rules"]["R-ARC"]["total"]
    for s in ("on_time", "late", "overdue", "pending"):
        assert int((status == s).sum()) == t[s], s
    em = c[c["emergency_start"]]
    late = em["start_approved_at"].isna() | (em["start_approved_at"] > em["opened_at"] + DAY)
    t = p["rules"]["R-START"]["total"]
    assert len(em) == t["emergency_starts"] and int(late.sum()) == t["approved_late"] + t["approval_missing"]
    # evidence on disc by the archive due date, av_explanation on the case
    m = d["media"]
    ev = m[m["is_evidence"]].merge(c[["case_id", "closed_at"]], on="case_id")
    due = ev["closed_at"] + pd.Timedelta(days=30)
    check = ev["closed_at"].notna() & (due <= d.asof_end)
    bad = check & (ev["disc_archived_at"].isna() | (ev["disc_archived_at"] > due))
    t = p["rules"]["R-EVD"]["total"]
    assert int(bad.sum()) == t["disc_missing"] + t["disc_late"]
    docs = d["documents"]
    expl = set(docs.loc[docs["doc_type"] == "av_explanation", "case_id"])
    ev_cases = set(ev["case_id"])
    assert len(ev_cases) == t["evidence_cases"]
    assert len(ev_cases - expl) == t["cases_without_av_explanation"]


def test_retention_deletions_from_files(s_data):
    d, p = s_data, s_data.planted
    m = d["media"].merge(d.belongs(), on="media_id", how="left")
    m = m.merge(d["acts"][["act_id", "case_id"]].rename(columns={"case_id": "act_case"}), on="act_id", how="left")
    m["rcase"] = m["case_id"].fillna(m["act_case"])
    c = d["cases"].set_index("case_id")
    trig = c[["evidence_used", "reconsideration_or_litigation", "complaint_or_objection",
              "obstruction_or_violence", "emergency_or_mass_incident", "major_or_complex"]].any(axis=1)
    dl = m[m["deleted_at"].notna()].copy()
    in_case = dl["rcase"].notna()
    triggered = dl["rcase"].map(trig).fillna(False).astype(bool) | dl["is_evidence"]
    six = dl["recorded_start"] + pd.DateOffset(months=6)
    three = dl["recorded_start"] + pd.DateOffset(years=3)
    prof = dl["profile"]
    keep_all = (prof == "cele") | ((prof == "zhuhui") & in_case) | \
        (prof.isin(["longjiang", "hebei"]) & triggered) | (prof.isin(["hebei", "dalian_jinpu"]) & dl["is_evidence"])
    until = np.where(prof == "dalian_jinpu", three, six)
    early = keep_all | (dl["deleted_at"] < pd.to_datetime(until))
    status = np.where(early, "deleted_early", np.where(dl["delete_approval_ref"].notna(), "disposed",
                                                       "deleted_unapproved"))
    t = p["rules"]["R-RET"]["total"]
    assert int((status == "deleted_early").sum()) == t["deleted_early"] + t["deleted_while_held"]
    assert int((status == "disposed").sum()) == t["disposed"]
    assert int((status == "deleted_unapproved").sum()) == t["deleted_unapproved"]


def test_access_and_documents_from_files(s_data):
    d, p = s_data, s_data.planted
    acc = d["media_access"]
    assert acc["media_id"].isin(set(d["media"]["media_id"])).all()
    no_appr = acc["action"].isin(["copy", "export", "publish"]) & acc["approval_ref"].isna()
    assert int(no_appr.sum()) == p["rules"]["R-ACC"]["total"]["without_approval"]
    docs = d["documents"]
    pf = docs["doc_type"].isin(["inspection_record", "questioning_record", "sampling_record", "preservation_list",
                                "hearing_record", "service_receipt"])
    bad = pf & ~docs["party_signed"] & (~docs["refusal_noted"] | (docs["officer_signatures"] < 2))
    assert int(bad.sum()) == p["rules"]["R-DOC"]["total"]["bad_signatures"]
    # required records (rules.md §5 R-DOC)
    need = {"on_site_inspection": ["inspection_record"], "questioning": ["questioning_record"],
            "sampling": ["sampling_record"], "evidence_preservation": ["preservation_list"],
            "seizure": ["coercive_measure_decision"], "sealing": ["coercive_measure_decision"],
            "restriction_of_liberty": ["coercive_measure_decision"],
            "hearing": ["hearing_notice", "hearing_record"], "lien_service": ["service_receipt"],
            "direct_service": ["service_receipt"], "mail_service": ["service_receipt"],
            "public_notice_service": ["public_notice"]}
    have = set(zip(docs["act_id"], docs["doc_type"])) | set(zip(docs["case_id"], docs["doc_type"]))
    missing = 0
    for a in d["acts"].itertuples():
        missing += sum((a.act_id, t) not in have for t in need.get(a.act_type, []))
    c = d["cases"]
    for row in c.itertuples():
        if row.procedure != "general":
            continue
        req = ["initiation_approval"]
        if pd.notna(row.decided_at):
            req += ["case_approval", "decision"] + (["penalty_prior_notice"] if row.case_type == "penalty" else [])
            req += ["legal_review_opinion", "collective_discussion"] if row.major_or_complex else []
        if pd.notna(row.closed_at):
            req.append("closing_review")
        missing += sum((row.case_id, t) not in have for t in req)
    assert missing == sum(p["rules"]["R-DOC"]["missing_by_type"].values()) > 0


def test_reviews_from_files(s_data):
    """spot_check_reviews (contract §8): every review is of a case the ledger draws for its period,
    drawn here from the cases as rules.md §8 states the draw; the planted review of an undrawn case is
    not; conclusions, deadlines and rectifications are those _planted.json counts."""
    d, r = s_data, s_data.planted["reviews"]
    cases = d["cases"].dropna(subset=["closed_at"])
    closed = pd.concat([cases.assign(period=cases["closed_at"].dt.year.astype(str) + "Q"
                                     + cases["closed_at"].dt.quarter.astype(str)),
                        cases.assign(period=cases["closed_at"].dt.year.astype(str))])
    closed["key"] = [hashlib.md5(f"{r['seed']}:{period}:{case}".encode()).hexdigest()
                     for period, case in zip(closed["period"], closed["case_id"])]
    drawn = closed.sort_values("key").groupby(["unit_id", "period"]).head(r["per_unit"])
    assert drawn.groupby("period").size().to_dict() == {k: v["drawn"] for k, v in r["by_period"].items() if v["drawn"]}
    rev = d["spot_check_reviews"].merge(drawn[["case_id", "period", "closed_at"]], on=["case_id", "period"],
                                        how="left", indicator=True)
    assert (rev["_merge"] == "both").all() and len(rev) == d.planted["counts"]["spot_check_reviews"]
    slip = r["not_drawn"]
    assert not ((drawn["case_id"] == slip["case_id"]) & (drawn["period"] == slip["period"])).any()
    assert slip["case_id"] in set(closed.loc[closed["period"] == slip["period"], "case_id"])
    assert {"not_drawn"} == {b["kind"] for b in d.planted["malformed_rows"] if b["source"] == "spot_check_reviews"}

    done = rev[rev["conclusion"].fillna("") != ""].copy()  # a row left empty: not reviewed yet
    assert set(done["period"]) == {"2025Q1", "2025Q2", "2025Q3", "2025"}  # the fourth quarter is reviewed in January
    assert done["reviewer"].str.fullmatch(r"[^、]{2,3}、[^、]{2,3}").all()  # a group of two
    day = done["reviewed_at"].dt.normalize()
    quarter = done["period"].str.contains("Q")
    assert ((done["closed_at"] < day) | quarter).all()  # the year's round: only cases closed before it
    assert (day[quarter].dt.quarter == done.loc[quarter, "period"].str[-1].astype(int) + 1).all()
    assert (day[~quarter].dt.month >= 11).all()
    assert done.loc[done["conclusion"] == "failed", "problems"].notna().all()
    assert done.loc[done["conclusion"] == "passed", "problems"].isna().all()
    rectify_by = pd.to_datetime(done["rectify_by"].map(lambda v: None if v in ("", None) else pd.Timestamp(v)))
    assert ((rectify_by - day).dt.days.dropna().between(15, 30)).all()
    assert (done["rectified_at"].dropna() >= done["reviewed_at"][done["rectified_at"].notna()]).all()
    assert (done["rectified_at"].dropna() <= pd.Timestamp(d.planted["export_time"])).all()

    # where each rectification stands at the end of as_of (rules.md §8)
    due = (rectify_by + DAY).fillna(day + DAY * (1 + r["rectify_days"]))
    required = (done["conclusion"] == "failed") | ((done["conclusion"] == "basically_passed") & rectify_by.notna())
    fixed = done["rectified_at"].notna()
    done["status"] = np.select(
        [~required, fixed & (done["rectified_at"] < due), fixed, due <= d.asof_end],
        ["not_required", "on_time", "late", "overdue"], "pending")
    for period, want in r["by_period"].items():
        mine = done[done["period"] == period]
        assert len(mine) == want["reviewed"], period
        assert mine["conclusion"].value_counts().to_dict() == {c: want[c] for c in ENUMS["review_conclusion"]
                                                                 if want[c]}, period
        assert mine["status"].value_counts().to_dict() == {k: v for k, v in want["rectification"].items() if v}, period
    year = r["by_period"]["2025"]
    assert year["failed"] and year["rectification"]["overdue"] and year["rectification"]["pending"]
    assert 0.55 <= r["total"]["passed"] / r["total"]["reviewed"] <= 0.85


def test_chunked_writing_matches_one_piece(tmp_path):
    """Large files are written in chunks; bad rows land on the rows reported, whatever the chunking."""
    import pyarrow as pa

    from synthetic.writers import Spec, write_whole

    n = 53
    table = pa.table({
        "access_id": [f"FW{i:04d}" for i in range(n)], "media_id": [f"M{i}" for i in range(n)],
        "officer_id": ["P1"] * n,
        "accessed_at": pa.array(np.arange(n, dtype="int64") * 3600 + 1_735_689_600, pa.int64()).cast(pa.timestamp("s")),
        "action": ["view"] * n, "approval_ref": [None] * n,
    })
    for ext, enc in (("csv", "gb18030"), ("jsonl", "utf-8"), ("parquet", "utf-8")):
        outs = []
        for chunk in (7, 10**6):
            spec = Spec(f"media_access/x{chunk}.{ext}", "zh" if ext == "csv" else "en", enc,
                        "iso" if ext != "parquet" else "native")
            bad_src = table.slice(0, 5)
            if ext == "parquet":
                bad = bad_src.set_column(1, "media_id", pa.array(["BAD"] * 5))
            else:
                from synthetic.writers import render
                bad = render("media_access", bad_src, spec, as_strings=True)
                bad = bad.set_column(1, bad.column_names[1], pa.array(["BAD"] * 5))
                if ext == "jsonl":
                    bad = bad.to_pylist()
            rows, bad_rows = write_whole(tmp_path, "media_access", spec, table, bad, np.random.default_rng(5),
                                         chunk=chunk)
            assert rows == n + 5
            df = read_file(tmp_path / spec.path, "media_access")
            assert len(df) == n + 5
            assert sorted(np.flatnonzero(df["media_id"].astype(str) == "BAD") + 1) == sorted(bad_rows)
            assert df[df["media_id"] != "BAD"]["access_id"].tolist() == table.column("access_id").to_pylist()
            outs.append(df.astype(str).values.tolist())
        assert outs[0] == outs[1], ext
