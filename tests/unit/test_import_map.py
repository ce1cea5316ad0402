"""The house rules CI enforces beside the tests: the import map (import-linter's
contracts in pyproject.toml, so a new cycle or a CLI verb reaching past HTTP fails the
run), ruff's lint rules and its formatting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_the_import_map_holds():
    result = subprocess.run([BIN / "lint-imports", "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = subprocess.run(
        [BIN / "ruff", "check", "minidyno", "tests", "bench"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
