"""No merge-conflict marker survives in the sources or the docs (one sat in a docstring for
a round, where no compiler could see it)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKERS = ("<<<<<<< ", ">>>>>>> ", "=======\n")


def test_no_conflict_markers() -> None:
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "pyproject.toml"]
    for folder in ("runloop_tui", "tests", "bench", "screenshots", ".ci"):
        files += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.suffix in {".py", ".md", ".tcss", ".toml", ".sh", ""}
            and p.is_file()
            and "__pycache__" not in p.parts
        ]
    found = []
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        except (UnicodeDecodeError, OSError):
            continue
        found += [
            f"{path.relative_to(ROOT)}:{n}"
            for n, line in enumerate(lines, 1)
            if line.startswith(MARKERS[:2]) or line == MARKERS[2]
        ]
    assert found == []
