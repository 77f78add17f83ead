"""Content type inference and default names, as the official SDK does it."""

from __future__ import annotations

from pathlib import Path

import pytest

from runloop_tui.api import ContentType, default_object_name, infer_content_type


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.tar.gz", ContentType.TGZ),
        ("A.TGZ", ContentType.TGZ),
        ("log.gz", ContentType.GZIP),
        ("b.tar", ContentType.TAR),
        *[
            (f"f.{ext}", ContentType.TEXT)
            for ext in ("txt", "html", "css", "js", "json", "xml", "yaml", "yml", "md", "csv")
        ],
        ("README.MD", ContentType.TEXT),
        ("image.png", ContentType.UNSPECIFIED),
        ("noext", ContentType.UNSPECIFIED),
        ("archive.zip", ContentType.UNSPECIFIED),
        ("tar", ContentType.UNSPECIFIED),
        (".bashrc", ContentType.UNSPECIFIED),
    ],
)
def test_infer_content_type_from_file_name(
    tmp_path: Path, name: str, expected: ContentType
) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    assert infer_content_type(path) is expected


def test_directory_is_tgz_named_dir_tar_gz(tmp_path: Path) -> None:
    directory = tmp_path / "results"
    directory.mkdir()
    assert infer_content_type(directory) is ContentType.TGZ
    assert default_object_name(directory) == "results.tar.gz"
    assert default_object_name(directory / ".") == "results.tar.gz"


def test_default_name_of_file_is_its_name(tmp_path: Path) -> None:
    path = tmp_path / "report.final.csv"
    path.write_text("a,b\n")
    assert default_object_name(path) == "report.final.csv"
