"""The `recwatch` command (contract §4). Dagster assets call the same functions."""

from __future__ import annotations

import datetime as dt
import os
import re
import resource
import sys
import time
from pathlib import Path

import click

from core import i18n
from core.contract import LOAD_ORDER
from core.glossary import term
from core.output import one_line
from core.runstatus import write_status
from core.settings import load_settings
from core.warehouse import WarehouseBusy, connect

from . import migrate, runner
from .load import BatchResult, load_inbox
from .publish import publish, snapshot_path
from .validate import profile_ids


def parse_date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("expected YYYY-MM-DD") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """recwatch: whole-process recording (行政执法全过程记录) oversight analytics."""


def run_pipeline(inbox: Path, warehouse: Path, as_of: dt.date | None, profile: str | None,
                 progress: bool = True) -> None:
    settings = load_settings()
    as_of = as_of or dt.date.today()
    profile = profile or settings.default_profile
    if profile not in profile_ids():
        raise click.BadParameter(f"unknown profile {profile!r}; known: {', '.join(profile_ids())}",
                                 param_hint="--profile")
    try:
        con = connect(warehouse, settings=settings)
    except WarehouseBusy as exc:  # one run at a time: said plainly, not as DuckDB's traceback
        raise click.ClickException(str(exc)) from None
    write_status(warehouse, "running", as_of=as_of)
    try:
        phases = Phases()
        started = dt.datetime.now().replace(microsecond=0)
        schema_before = migrate.recorded(con)[0]
        batch = load_inbox(con, inbox, progress=progress)
        if 0 < schema_before < migrate.SCHEMA_VERSION:
            click.echo(f"仓库结构已从第 {schema_before} 版升级到第 {migrate.SCHEMA_VERSION} 版（warehouse_versions）\n"
                       f"warehouse migrated from schema {schema_before} to {migrate.SCHEMA_VERSION} (warehouse_versions)")
        phases.end("load")
        built = runner.build(con, as_of, profile, progress=progress)
        phases.end("judge")
        snapshot = publish(con, warehouse, progress=progress)
        phases.end("publish")
        print_load_summary(con, batch)
        click.echo(f"\nmodels built ({en('as_of')} {as_of}, default {en('profile')} {profile}): {len(built)}")
        click.echo(phases.summary())
        print_judgement_summary(con, as_of)
        print_rule_changes(con, started)
        click.echo(f"\npublished snapshot for the dashboard and reports: {snapshot}")
        write_status(warehouse, "success", as_of=as_of, batch_outcome=batch.outcome)
    except BaseException as exc:
        write_status(warehouse, "failed", as_of=as_of, error=one_line(repr(exc))[:300])
        raise
    finally:
        con.close()


class Phases:
    """Seconds and peak memory at the end of each phase of a run, so an operator (and bench/) sees
    where a slow run spends its time."""

    def __init__(self) -> None:
        self.start, self.done = time.perf_counter(), []

    def end(self, name: str) -> None:
        now = time.perf_counter()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        self.done.append((name, now - self.start, rss_mb))
        self.start = now

    def summary(self) -> str:
        return "time: " + " · ".join(f"{name} {secs:.1f} s (peak memory {rss:,.0f} MB)"
                                     for name, secs, rss in self.done)


PHASE = re.compile(r"(\w+) ([\d.]+) s \(peak memory ([\d,]+) MB\)")


def parse_phases(text: str) -> dict[str, tuple[float, float]]:
    """Phases.summary() read back: name → (seconds, peak RSS MB)."""
    line = next((ln for ln in text.splitlines() if ln.startswith("time: ")), "")
    return {name: (float(secs), float(rss.replace(",", ""))) for name, secs, rss in PHASE.findall(line)}


def en(key: str) -> str:
    """A glossary term: the CLI names things as the workbook and the dashboard do."""
    return term(key, "en")


def print_load_summary(con, batch: BatchResult) -> None:
    counts = ", ".join(f"{i18n.code_label('file_outcome', outcome, 'en')} {sum(f.outcome == outcome for f in batch.files)}"
                       for outcome in ("loaded", "skipped", "rejected"))
    click.echo(f"{en('batch')} {batch.batch_id}: {i18n.code_label('batch_outcome', batch.outcome, 'en')}  (files {counts})")
    click.echo(f"{en('source'):<24}{'files':>6}{'rows in':>12}{en('load') + 'ed':>12}{en('quarantine') + 'd':>13}"
               f"{'replaced':>10}")
    for source in LOAD_ORDER:
        files = [f for f in batch.files if f.source == source and f.outcome != "skipped"]
        if not files:
            continue
        label = f"{source} {i18n.source_label(source, 'zh')}"
        click.echo(f"{label:<{24 - sum(ord(ch) > 0x2e80 for ch in label)}}{len(files):>6}"
                   f"{sum(f.rows_in for f in files):>12,}{sum(f.rows_loaded for f in files):>12,}"
                   f"{sum(f.rows_quarantined for f in files):>13,}{sum(f.rows_replaced for f in files):>10,}")
    click.echo(f"{'total':<24}{'':>6}{batch.total('rows_in'):>12,}{batch.total('rows_loaded'):>12,}"
               f"{batch.total('rows_quarantined'):>13,}{batch.total('rows_replaced'):>10,}")
    for f in batch.files:
        if f.outcome == "rejected":
            click.echo(f"  {en('rejected')} {one_line(f.path)}: {f.message_zh} / {f.message_en}")
    if batch.total("rows_quarantined"):
        click.echo(f"{en('quarantine')} reasons (top 10):")
        rows = con.execute("""
            select source, split_part(code, ':', 1) as reason, split_part(code, ':', 2) as col, count(*) n
            from (select source, unnest(reason_codes) as code from quarantine where batch_id = ?)
            group by all order by n desc, source, reason, col limit 10""", [batch.batch_id]).fetchall()
        for source, reason, col, n in rows:
            click.echo(f"  {n:>8,}  {source}.{col or '-'}: {reason}")


def print_rule_changes(con, since: dt.datetime) -> None:
    """The rule tables this run found changed (an upgrade, or an office's edit): they can move every
    score not yet frozen; a frozen figure never moves."""
    changed = con.execute("select table_name, rows_added, rows_removed from rule_table_changes where changed_at >= ? "
                          "order by table_name", [since]).fetchall()
    if changed:
        listed = ", ".join(f"{t} +{a} -{r}" for t, a, r in changed)
        click.echo(f"\n规则表自上次判定以来有变化（未冻结的得分可能随之变化，已冻结的不变）：{listed}"
                   f"\nrule tables changed since the last build (unfrozen scores may move; frozen ones do not): {listed}")


def print_judgement_summary(con, as_of: dt.date) -> None:
    rows = con.execute("""
        select v.rule_id, r.name_zh, r.name_en, count(*) as n,
               count(*) filter (where v.severity = 'high') as high
        from fct_violations v join rules_rules r using (rule_id)
        group by all order by n desc, v.rule_id""").fetchall()
    click.echo(f"\n{en('violations')} by {en('rule')} ({sum(r[3] for r in rows):,} in all):")
    for rule_id, name_zh, name_en, n, high in rows:
        click.echo(f"  {n:>9,}  {rule_id:<12} {name_zh} / {name_en}" + (f"  [{high:,} {i18n.code_label('severity', 'high', 'en')}]" if high else ""))
    year = str(as_of.year)
    ranked = con.execute("""
        select unit_id, unit_name, score, judged, violations from mart_unit_period_scorecard
        where period_type = 'year' and period = ? and score is not null
        order by score desc, unit_id""", [year]).fetchall()
    if ranked:
        click.echo(f"\nscorecard {year}: top and bottom {en('unit')}s ({en('score')} 0–100)")
        shown = ranked if len(ranked) <= 6 else ranked[:3] + [None] + ranked[-3:]
        for row in shown:
            if row is None:
                click.echo("  …")
                continue
            unit_id, unit_name, score, judged, violations = row
            click.echo(f"  {score:>6.1f}  {unit_id:<10} {unit_name}  "
                       f"({violations:,} {en('violations')} of {judged:,} {en('judged')})")
    drawn, reviewed, failed, overdue = con.execute("""
        select sum(drawn), sum(reviewed), sum(failed), sum(rectification_overdue) from mart_unit_period_spot_checks
        where period_type = 'year' and period = ?""", [year]).fetchone()
    if drawn:
        click.echo(f"\n{en('spot_check')} ledger {year} ({en('review')}, 案卷评查): {drawn:,} cases drawn, "
                   f"{reviewed:,} reviewed, {failed:,} failed, {overdue:,} {en('rectification')}s overdue")


@main.command()
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path),
              help="Folder with <source>/<file> exports (default from settings: inbox).")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB warehouse file, created if missing (default from settings: recwatch.duckdb).")
@click.option("--as-of", callback=parse_date, help="Judge compliance as of the end of this day (default today).")
@click.option("--profile", help="Rule profile for units that name none (default from settings: hebei).")
def run(inbox: Path | None, warehouse: Path | None, as_of: dt.date | None, profile: str | None) -> None:
    """Load every new file in the inbox and rebuild the models."""
    settings = load_settings()
    inbox, warehouse = inbox or Path(settings.inbox), warehouse or Path(settings.warehouse)
    if not inbox.is_dir():
        raise click.UsageError(f"inbox {inbox} is not a folder")
    run_pipeline(inbox, warehouse, as_of, profile)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--scale", type=click.Choice(["XS", "S", "M", "HV", "L"], case_sensitive=False), default="S", show_default=True,
              help="XS to L: a county squad to a province; HV: M's office with more than twice its cases.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--year", type=int, default=2025, show_default=True)
@click.option("--discipline", type=click.Choice(["usual", "poor"]), default="usual", show_default=True,
              help="How well the office keeps to the rules: usual (the rates audits find) or poor (an office's "
                   "first year on the system: about 40% of uploads late, most act recordings unlabelled).")
def generate(out: Path, scale: str, seed: int, year: int, discipline: str) -> None:
    """Write a realistic synthetic inbox with known violation rates."""
    from synthetic import generate as make

    t0 = time.perf_counter()
    make(out, scale=scale.upper(), seed=seed, year=year, progress=sys.stderr.isatty(), discipline=discipline)
    files = [p for p in out.rglob("*") if p.is_file()]
    click.echo(f"wrote {len(files)} files ({sum(p.stat().st_size for p in files) / 1e6:,.1f} MB) "
               f"to {out} in {time.perf_counter() - t0:.1f}s")


@main.command("rules-page")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it (default docs/rule-tables.md of the source tree).")
def rules_page(out: Path | None) -> None:
    """Write the page of how each rule is judged under each profile, from the rule tables."""
    from .rulespage import PAGE, write

    click.echo(f"wrote {write(out or PAGE)}")


@main.command("glossary-page")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it (default docs/glossary.md of the source tree).")
def glossary_page(out: Path | None) -> None:
    """Write the page of the words recwatch calls each idea by, from core/glossary.py."""
    from core.glossary import render

    out = out or Path(__file__).resolve().parents[1] / "docs" / "glossary.md"
    out.write_text(render(), encoding="utf-8")
    click.echo(f"wrote {out}")


@main.command("settings-page")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it (default docs/settings.md of the source tree).")
def settings_page(out: Path | None) -> None:
    """Write the reference of every setting, its default and what it does, from core/settings.py."""
    from core.settings import render_reference

    out = out or Path(__file__).resolve().parents[1] / "docs" / "settings.md"
    out.write_text(render_reference(), encoding="utf-8")
    click.echo(f"wrote {out}")


@main.command()
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB warehouse file (default from settings: recwatch.duckdb).")
@click.option("--period", required=True, help="A year (2025), quarter (2025Q3) or month (2025-07).")
@click.option("--unit", help="Only this unit and the units under it.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--unmask", is_flag=True, help="Show personal data unmasked (logged, and stated on the cover).")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report(warehouse: Path | None, period: str, unit: str | None, lang: str, unmask: bool, out: Path) -> None:
    """Write the appraisal workbook (年度考核) for a period."""
    from reports.workbook import write_workbook

    snapshot = require_snapshot(warehouse or Path(load_settings().warehouse))
    try:
        summary = write_workbook(snapshot, period, out, unit=unit, lang=lang, unmask=unmask)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {out} ({out.stat().st_size / 1e6:,.1f} MB) in {summary.get('seconds', 0):.1f}s")


@main.command()
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB warehouse file (default from settings: recwatch.duckdb).")
@click.option("--period", required=True, help="A year (2025), quarter (2025Q3) or month (2025-07).")
@click.option("--unit", help="Only this unit and the units under it.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--unmask", is_flag=True, help="Show party names unmasked (logged).")
@click.option("--date", "date", callback=parse_date,
              help="The notices' date (成文日期), YYYY-MM-DD; the reply is due notice_reply_days after it. Default today.")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder the notices are written to (created if missing).")
def notices(warehouse: Path | None, period: str, unit: str | None, lang: str, unmask: bool, date: dt.date | None,
            out: Path) -> None:
    """Write a rectification notice (整改通知书, Word) to each unit with findings in a period."""
    from reports.notices import write_notices

    snapshot = require_snapshot(warehouse or Path(load_settings().warehouse))
    try:
        summary = write_notices(snapshot, period, out, unit=unit, lang=lang, unmask=unmask, date=date)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    n, quiet = summary["notices"], summary["units"] - summary["notices"]
    click.echo(f"wrote {n} notice{'s' * (n != 1)} ({summary['findings']:,} findings) to {out} "
               f"in {summary['seconds']:.1f}s" + (f"; {quiet} of the units in scope had no findings, and no notice"
                                                  if quiet else ""))


@main.command()
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB warehouse file whose snapshot is served (default from settings: recwatch.duckdb).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8050, show_default=True)
@click.option("--allow-unmask", is_flag=True, help="Offer a switch that shows party names (every use is logged).")
@click.option("--scope", metavar="UNIT", help="Serve only this unit and the units under it (default, or '*': every unit).")
@click.option("--trusted-proxy", "trusted_proxies", metavar="ADDRESS", multiple=True,
              help="An authenticating proxy (address or network) whose forwarded user is believed; repeatable. "
                   "Default: settings trusted_proxies (none). Its users see the units the settings' access "
                   "map gives them; anyone else is refused.")
def dashboard(warehouse: Path | None, host: str, port: int, allow_unmask: bool, scope: str | None,
              trusted_proxies: tuple[str, ...]) -> None:
    """Serve the oversight dashboard from the published snapshot."""
    from dataclasses import replace

    from dashboards.app import serve

    settings = load_settings()
    if trusted_proxies:
        settings = replace(settings, trusted_proxies=trusted_proxies)
    try:
        serve(require_snapshot(warehouse or Path(settings.warehouse)), host=host, port=port, allow_unmask=allow_unmask,
              scope=scope, settings=settings)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@main.command("backup")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB warehouse file (default from settings: recwatch.duckdb).")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder the backup folder is made in (default from settings: backups).")
@click.option("--wait", type=float, default=600, show_default=True,
              help="Seconds to wait for a run that holds the warehouse before giving up.")
@click.option("--label", help="A word added to the backup's folder name (before-upgrade): such a backup is kept "
                              "until removed by hand, the nightly clean-up leaves it alone.")
def backup_command(warehouse: Path | None, out: Path | None, wait: float, label: str | None) -> None:
    """Copy the warehouse, consistent and checksummed, with a manifest (备份)."""
    from .backup import BackupError, backup

    settings = load_settings()
    try:
        folder = backup(warehouse or Path(settings.warehouse), out or Path(settings.backup_dir), wait=wait, label=label)
    except (BackupError, ValueError, WarehouseBusy) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"备份已写入 {folder}\nbackup written to {folder}")


@main.command("restore")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB warehouse file to restore to (default from settings: recwatch.duckdb).")
@click.option("--force", is_flag=True, help="Overwrite the warehouse if it exists.")
@click.option("--wait", type=float, default=600, show_default=True,
              help="Seconds to wait for a run that holds the warehouse before giving up.")
def restore_command(folder: Path, warehouse: Path | None, force: bool, wait: float) -> None:
    """Check a backup against its manifest and put it in place as the warehouse (恢复)."""
    from .backup import BackupError, restore

    target = warehouse or Path(load_settings().warehouse)
    try:
        manifest = restore(folder, target, force=force, wait=wait)
    except (BackupError, WarehouseBusy) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已从 {folder} 恢复 {target}（备份于 {manifest.created_at}，recwatch {manifest.recwatch_version}，"
               f"{len(manifest.tables)} 张表已核对），快照已重新发布\n"
               f"restored {target} from {folder} (taken {manifest.created_at} by recwatch {manifest.recwatch_version}, "
               f"{len(manifest.tables)} tables checked); its snapshot is published again")


@main.command("export-raw")
@click.option("--warehouse", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The office's loaded DuckDB warehouse (default from settings: recwatch.duckdb).")
@click.option("--to", "store", type=click.Path(file_okay=False, path_type=Path),
              help="The shared raw store (default from settings: raw_store).")
@click.option("--office", help="This office's name in the store: letters, digits, _ . - "
                               "(default: the warehouse's top unit).")
def export_raw_command(warehouse: Path | None, store: Path | None, office: str | None) -> None:
    """Write the warehouse's raw rows to the shared raw store, by source and day, for a Spark build."""
    from .rawstore import RawStoreError, export_raw

    settings = load_settings()
    try:
        with connect(warehouse or Path(settings.warehouse), read_only=True, settings=settings) as con:
            folder = export_raw(con, store or Path(settings.raw_store), office)
    except (RawStoreError, WarehouseBusy) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"原始数据已导出到 {folder}\nraw rows exported to {folder}")


@main.command("judge")
@click.option("--engine", type=click.Choice(["spark"]), default="spark", show_default=True,
              help="The engine (an office's own runs judge on DuckDB: recwatch run).")
@click.option("--raw", "store", help="The raw store every office exported to: a path or a URL Spark reads "
                                     "(default from settings: raw_store).")
@click.option("--out", help="Where the marts are written, as Parquet (default from settings: spark_out).")
@click.option("--master", help="Spark's master: local[2], spark://host:7077, yarn (default from settings: spark_master).")
@click.option("--as-of", callback=parse_date, help="Judge compliance as of the end of this day (default today).")
@click.option("--profile", help="Rule profile for units that name none (default from settings: hebei).")
@click.option("--driver-memory", help="The driver's memory, as 4g (default from settings: spark_driver_memory).")
@click.option("--partitions", type=int,
              help="Spark's shuffle partitions (default from settings: spark_shuffle_partitions).")
def judge_command(engine: str, store: str | None, out: str | None, master: str | None, as_of: dt.date | None,
                  profile: str | None, driver_memory: str | None, partitions: int | None) -> None:
    """Run every model on Spark over every office's raw rows; write the marts as Parquet."""
    from .spark.judge import StoreError, judge
    from .spark.session import spark_session

    settings = load_settings()
    store, out, master = store or settings.raw_store, out or settings.spark_out, master or settings.spark_master
    as_of, profile = as_of or dt.date.today(), profile or settings.default_profile
    spark = spark_session(master, shuffle_partitions=partitions or settings.spark_shuffle_partitions,
                          driver_memory=driver_memory or settings.spark_driver_memory)
    try:
        judged = judge(spark, store, out, as_of, profile, settings)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        spark.stop()
    click.echo(f"judged {len(judged.offices)} office(s) as of {as_of} on {master} in {judged.seconds:.1f} s: "
               f"{len(judged.models)} models, {len(judged.tables)} tables written to {out}\n"
               f"next: recwatch publish --from {out}")


@main.command("publish")
@click.option("--from", "folder", type=click.Path(file_okay=False, exists=True, path_type=Path), required=True,
              help="The marts a Spark build wrote (recwatch judge --out).")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="The snapshot is written beside this name (default from settings: recwatch.duckdb).")
def publish_command(folder: Path, warehouse: Path | None) -> None:
    """Make the dashboard's and the workbook's snapshot from a Spark build's marts."""
    from .publish import JUDGED, publish_from, read_judged

    warehouse = warehouse or Path(load_settings().warehouse)
    try:
        as_of = read_judged(folder)["as_of"]
    except FileNotFoundError:
        raise click.UsageError(f"{folder} has no {JUDGED}: not the output of recwatch judge") from None
    try:
        snapshot = publish_from(folder, warehouse)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    write_status(warehouse, "success", as_of=as_of, engine="spark")
    click.echo(f"published snapshot for the dashboard and reports: {snapshot}")


def require_snapshot(warehouse: Path) -> Path:
    snapshot = snapshot_path(warehouse)
    if not snapshot.exists():
        raise click.UsageError(f"no published snapshot {snapshot}: run `recwatch run` on {warehouse} first")
    return snapshot


@main.command()
@click.option("--dir", "workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("sample"),
              show_default=True, help="Where the sample inbox and warehouse go.")
@click.option("--scale", type=click.Choice(["XS", "S", "M"], case_sensitive=False), default="S", show_default=True)
def demo(workdir: Path, scale: str) -> None:
    """Generate a sample year, load it and judge it; write its appraisal workbook and the
    rectification notices that follow it."""
    from synthetic import generate as make

    inbox, warehouse = workdir / "inbox", workdir / "recwatch.duckdb"
    year = 2025
    if not (inbox / "_planted.json").exists():
        click.echo(f"generating a scale-{scale.upper()} sample inbox in {inbox} …")
        make(inbox, scale=scale.upper(), seed=1, year=year, progress=sys.stderr.isatty())
    click.echo(f"loading {inbox} into {warehouse} …")
    run_pipeline(inbox, warehouse, dt.date(year, 12, 31), None)
    from reports.notices import write_notices
    from reports.workbook import write_workbook

    # The sample's reports are filed by the justice bureau of the sample's county unless the
    # settings name an office (office_name)
    if not load_settings().office_name:
        os.environ["RECWATCH_OFFICE_NAME"] = _sample_office(snapshot_path(warehouse))

    book = workdir / f"appraisal-{year}.xlsx"
    write_workbook(snapshot_path(warehouse), str(year), book)
    notices = write_notices(snapshot_path(warehouse), str(year), workdir / "notices")
    click.echo(f"\nappraisal workbook {year} (年度考核): {book}")
    click.echo(f"rectification notices (整改通知书): {notices['notices']} in {notices['dir']}")
    click.echo(f"dashboard (看板): recwatch dashboard --warehouse {warehouse}   then open http://127.0.0.1:8050")


def _sample_office(snapshot: Path) -> str:
    """永宁县司法局, for a sample whose top unit is 永宁县综合行政执法局."""
    import duckdb

    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        top = con.execute("select unit_name from dim_units where parent_unit_id is null order by unit_id limit 1").fetchone()
    finally:
        con.close()
    county = re.match(r".+?[县区市]", top[0] if top else "")
    return (county.group() if county else "示例县") + "司法局"


if __name__ == "__main__":
    main()
