"""What a server is installed with (deploy/, docs/operations.md): the systemd units pass
`systemd-analyze verify` with nothing to say, Dagster's instance file queues one run at a time and
sends nothing, and the example settings are settings recwatch reads."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from core.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed (Debian: systemd)")
def test_the_systemd_units_verify_without_a_word(tmp_path):
    """Installed under /opt/recwatch; verified here with this checkout in its place (verify checks
    that each command exists and is executable)."""
    assert [u.name for u in UNITS] == ["recwatch-dagster-daemon.service", "recwatch-dagster-webserver.service",
                                       "recwatch-dashboard.service"]
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8")
        assert "EnvironmentFile=/etc/recwatch/recwatch.env" in text and "User=recwatch" in text
        (tmp_path / unit.name).write_text(text.replace("/opt/recwatch", str(ROOT)).replace(
            "/etc/recwatch/recwatch.env", str(DEPLOY / "recwatch.env")), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *[str(tmp_path / u.name) for u in UNITS]],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr.strip() == "" and done.stdout.strip() == "", done.stderr + done.stdout


def test_dagster_runs_one_at_a_time_and_sends_nothing(tmp_path):
    from dagster._core.instance import DagsterInstance

    shutil.copy(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = DagsterInstance.from_config(str(tmp_path))
    try:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
        assert not instance.telemetry_enabled
    finally:
        instance.dispose()


def test_the_example_settings_are_settings(monkeypatch):
    monkeypatch.setenv("RECWATCH_SETTINGS", str(DEPLOY / "settings.example.toml"))
    settings = load_settings()
    assert settings.warehouse == "/var/lib/recwatch/recwatch.duckdb" and settings.backup_dir.startswith("/var/lib/recwatch")
    env = dict(line.split("=", 1) for line in (DEPLOY / "recwatch.env").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#"))
    assert env["RECWATCH_SETTINGS"] == "/etc/recwatch/settings.toml" and env["DAGSTER_HOME"].startswith("/var/lib/recwatch")
    assert settings != Settings()


def test_the_settings_page_says_what_the_settings_say():
    """docs/settings.md (the operations guide's settings reference) is written from core/settings.py:
    every setting on it with its default, none left out."""
    from core.settings import reference, render_reference

    page = ROOT / "docs" / "settings.md"
    assert page.read_text(encoding="utf-8") == render_reference(), "docs/settings.md is stale: run `recwatch settings-page`"
    named = [n for names, _ in reference() for n in names]
    assert named == list(Settings.__dataclass_fields__) and all(text for _, text in reference())
