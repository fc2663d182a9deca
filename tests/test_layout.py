"""The project's shape (Layout issue): packages stand in layers on a shared core, with no import
cycle, and the readers of the snapshot (dashboards/, reports/) import nothing but the core.

The layers are written once, as import-linter contracts in pyproject.toml; this runs them, so a
change that brings a cycle back, or makes a page import the loader, fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 kept, 0 broken" in proc.stdout
