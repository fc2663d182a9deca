"""Deployment settings: one place, documented defaults, overridable by environment variables.

A settings file (TOML) named by RECWATCH_SETTINGS overrides these defaults; every report shows
the values in force on its cover.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    # Profile for units whose `rule_profile` is empty (rules.md: the deployment default is hebei).
    default_profile: str = "hebei"
    # Where the warehouse and inbox live when no flag names them.
    warehouse: str = "recwatch.duckdb"
    inbox: str = "inbox"
    # DuckDB may use this much memory before it spills to temp_directory (default: beside the
    # warehouse); half of it while loading, when the files being read are held beside it in the other
    # half (load.LOAD_MEMORY_SHARE, LOAD_FILES_SHARE), so the process stays near this limit. 3 GB keeps
    # a city's year (scale M) under 4 GB of process memory; judging needs no more, it spills.
    memory_limit: str = "3GB"
    temp_directory: str = ""
    threads: int = 0  # 0 = DuckDB's default (all cores)
    # A period's scorecard is live until this many days after the period ends, then frozen as the
    # appraisal figure; later changes show as revisions (rules.md §8).
    freeze_grace_days: int = 15
    # Spot-check ledger (案卷评查): closed cases drawn per unit and period, by a seeded hash so the
    # draw can be re-shown to anyone who has the seed.
    spot_check_per_unit: int = 5
    spot_check_seed: int = 2025
    # A drawn case that failed its review (案卷评查不合格) is put right by the day the reviewer set
    # (整改期限), or else within this many days of the review; an open one is a yellow warning this
    # many days before it is due, red once it is overdue.
    review_rectify_days: int = 30
    review_warn_days: int = 7
    # The weight of a unit's 案卷评查合格率 (reviewed cases passed or basically passed) in its score,
    # in the units of the profile's scoring weights (hebei's add up to 100). 0: the rate is shown
    # beside the score and the score is the rules' alone; an office that appraises reviews sets it.
    review_weight: float = 0.0
    # Status colours (green, yellow, red) on the dashboard, stated in its legends: a compliance rate
    # is green from rate_green, red below rate_red and yellow between; a unit's score likewise with
    # score_green and score_red. The workbook shades a rate below rate_red.
    rate_green: float = 0.95
    rate_red: float = 0.90
    score_green: float = 90.0
    score_red: float = 80.0
    # The oversight office that files the appraisal (填报单位), as its reports name it: 某县司法局.
    office_name: str = ""
    # A rectification notice (整改通知书) asks for the unit's written reply within this many days
    # of the notice's date; the notice states the day.
    notice_reply_days: int = 30
    # Backups (recwatch backup; the Dagster schedule daily_backup): where they go, and how many the
    # schedule keeps: the newest of each of the last backup_keep_daily days and of each of the last
    # backup_keep_monthly months.
    backup_dir: str = "backups"
    backup_keep_daily: int = 7
    backup_keep_monthly: int = 12
    # The largest spreadsheet sheet accepted, in megabytes of unpacked XML (its other parts likewise);
    # a larger one is rejected with this reason. 512 MB holds a province's quarter of cases (375,000
    # rows of twenty columns, 340 MB). A sheet is read in a process of its own whose memory is capped
    # at 1 GB + 2 × this (2 GB): a sheet that needs more is rejected, the load goes on.
    max_sheet_mb: int = 512
    # The dashboard behind an authenticating proxy (rules.md R-SEC: identity comes from a trusted
    # proxy or nowhere). Addresses or networks (CIDR) of the proxies whose forwarded headers are
    # believed; empty: none is, every request is served the scope the server was started with
    # (`recwatch dashboard --scope`) and logged by its peer address. With proxies set, a request
    # from any other address is refused (it could name any user).
    trusted_proxies: tuple[str, ...] = ()
    # The headers such a proxy sets: the authenticated user, and the user's groups (comma-separated).
    proxy_user_header: str = "X-Forwarded-User"
    proxy_groups_header: str = "X-Forwarded-Groups"
    # Who sees what behind the proxy: user → unit id, group → unit id ("*": every unit). The user
    # sees that unit and the units below it, and no more than the server's --scope; a user named
    # in access_users is looked up there alone; otherwise the user's groups must all lead to one
    # unit. A user neither table knows is refused (HTTP 403), never shown everything.
    access_users: dict[str, str] = field(default_factory=dict)
    access_groups: dict[str, str] = field(default_factory=dict)
    # The dashboard's server (waitress): request threads, and how long a connection may sit idle
    # (a client that stops sending or reading) before it is closed, in seconds.
    dashboard_threads: int = 8
    dashboard_channel_timeout: int = 60
    # A dashboard query still running after this many seconds is stopped and the request told so
    # (HTTP 503), so a crafted or unlucky request cannot hold a thread for ever. A year of a
    # province's rules table, the slowest, takes about 1 s.
    dashboard_query_timeout: int = 30
    # The dashboard's /health answers 503 (a monitor alerts) once the published snapshot is older
    # than this: the daily run publishes every morning, so a day and a half means a run was missed.
    health_max_age_hours: float = 36.0
    # The engine the models run on (docs/spark.md): duckdb, the one warehouse file of an office up to
    # a province; spark, the national or multi-year roll-up over the raw store (raw_store) every
    # office exports to (recwatch export-raw), on spark_master; its marts go to spark_out, which
    # recwatch publish --from turns into the dashboard's snapshot.
    engine: str = "duckdb"
    raw_store: str = "raw-store"
    spark_master: str = "local[2]"
    spark_out: str = "spark-marts"
    # A Spark build's driver memory and shuffle partitions (recwatch judge, the national job's session):
    # these suit local[2] on one server; a cluster gives its own.
    spark_driver_memory: str = "4g"
    spark_shuffle_partitions: int = 8
    # A table of a Spark build with more rows than this is not copied into the snapshot: the snapshot
    # reads its Parquet in place (a view), as it does the two facts of one row per recording.
    snapshot_max_rows: int = 50_000_000


def load_settings() -> Settings:
    settings = Settings()
    path = os.environ.get("RECWATCH_SETTINGS")
    if path:
        with open(path, "rb") as fh:
            settings = replace(settings, **tomllib.load(fh))
        # TOML gives lists; a frozen settings object keeps tuples
        settings = replace(settings, trusted_proxies=tuple(settings.trusted_proxies))
    overrides = {}
    for f in fields(Settings):
        env = os.environ.get(f"RECWATCH_{f.name.upper()}")
        if env is None:
            continue
        current = getattr(settings, f.name)
        if isinstance(current, dict):  # a table is set in the settings file only
            raise ValueError(f"RECWATCH_{f.name.upper()}: {f.name} is a table; set it in the settings file")
        # a list from the environment is comma-separated: RECWATCH_TRUSTED_PROXIES=10.1.2.3,10.1.2.4
        overrides[f.name] = (tuple(v.strip() for v in env.split(",") if v.strip()) if isinstance(current, tuple)
                             else type(current)(env))
    return replace(settings, **overrides)


def resolve(path: str | os.PathLike | None, default: str) -> Path:
    return Path(path if path else default)


def reference() -> list[tuple[list[str], str]]:
    """Each group of settings that one comment explains, with that comment, in the order of the
    Settings class: what docs/settings.md is written from (render_reference)."""
    import ast
    import inspect

    source = inspect.getsource(Settings)
    lines = source.splitlines()
    groups: list[tuple[list[str], str]] = []
    for node in ast.parse(source).body[0].body:
        if not isinstance(node, ast.AnnAssign):
            continue
        above, k = [], node.lineno - 2
        while k >= 0 and lines[k].strip().startswith("#"):
            above.insert(0, lines[k].strip().lstrip("#").strip())
            k -= 1
        name = node.target.id
        trailing = lines[node.lineno - 1].split("#", 1)[1].strip() if "  # " in lines[node.lineno - 1] else ""
        if above or not groups:
            groups.append(([name], " ".join(above + ([trailing] if trailing else []))))
        else:  # under the comment of the settings before it
            groups[-1][0].append(name)
            if trailing:
                groups[-1] = (groups[-1][0], groups[-1][1] + f" ({name}: {trailing})")
    return groups


def render_reference() -> str:
    """docs/settings.md: every setting, its default, the variable that overrides it, what it does."""
    defaults = Settings()
    out = ["# Settings (设置)", "",
           "Written by `recwatch settings-page` from `core/settings.py`; a test fails when it lags behind.",
           "A TOML file named by `RECWATCH_SETTINGS` sets any of them (`deploy/settings.example.toml`);",
           "an environment variable `RECWATCH_<NAME>` overrides the file (a table, such as `access_users`,",
           "only in the file). Every report states the values in force on its cover.", "",
           "| setting = default | what it does |", "|---|---|"]
    for names, text in reference():
        cells = "<br>".join(f"`{n}` = `{getattr(defaults, n)!r}`" for n in names)
        out.append(f"| {cells} | {text.replace('|', '/')} |")
    return "\n".join(out) + "\n"
