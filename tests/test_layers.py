"""The import-linter contracts (pyproject.toml) hold, and they would catch an import
that goes the wrong way: a copy of the code with one forbidden import fails."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy(tmp_path: Path) -> Path:
    for package in ("accounts", "reflect", "demo"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own tool, on our own copy
        [str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120
    )


def test_the_contracts_are_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("reflect/cohorts/probe.py", "import reflect.journal.models", "reflect.cohorts is not allowed to import"),
        ("reflect/journal/probe.py", "import reflect.assessment.models", "reflect.journal is not allowed to import"),
        ("accounts/probe.py", "import reflect.cohorts.models", "accounts knows nothing of reflect BROKEN"),
        ("reflect/journal/probe.py", "import demo.seed", "the domain never imports demo data BROKEN"),
    ],
)
def test_a_forbidden_import_fails_the_lint(tmp_path, module, line, broken):
    where = _copy(tmp_path)
    (where / module).write_text(f"{line}  # goes the wrong way\n")
    result = _lint(where)
    assert result.returncode == 1
    assert broken in result.stdout
