"""Previews built from real gzip and tar bytes, whole and cut at awkward places."""

from __future__ import annotations

import gzip
import io
import os
import random
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from runloop_tui.preview import (
    HEAD_BYTES,
    PreviewKind,
    build_preview,
    decode_text,
    guess_lexer,
    gunzip_head,
    hex_lines,
    list_members,
    looks_like_tar,
)


def make_tar(
    members: list[tuple[str, bytes]], *, fmt: int = tarfile.PAX_FORMAT, gz: bool = False
) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w", format=fmt) as tar:
        d = tarfile.TarInfo("pkg")
        d.type = tarfile.DIRTYPE
        d.mode = 0o755
        d.mtime = 1_700_000_000
        tar.addfile(d)
        for name, data in members:
            info = tarfile.TarInfo(f"pkg/{name}")
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1_700_000_123
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def noise(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


def test_text_with_lexer_from_name() -> None:
    p = build_preview("src/main.py", "text", b"def f():\n    return 1\n", 22)
    assert p.kind is PreviewKind.TEXT
    assert p.lexer == "python"
    assert "return 1" in p.text
    assert not p.truncated


def test_binary_that_is_utf8_is_shown_as_text() -> None:
    p = build_preview("notes", "binary", "héllo wörld\n".encode(), None)
    assert p.kind is PreviewKind.TEXT
    assert p.text == "héllo wörld\n"
    assert p.lexer == "text"


def test_text_cut_inside_a_multibyte_character_is_still_text() -> None:
    body = ("€" * (HEAD_BYTES // 3 + 10)).encode()
    head = body[:HEAD_BYTES]  # 65536 is not a multiple of 3: the cut splits a character
    p = build_preview("euro.txt", "text", head, len(body))
    assert p.kind is PreviewKind.TEXT
    assert p.truncated
    assert set(p.text) == {"€"}
    assert any("goes on" in n for n in p.notes)


def test_escape_sequences_in_text_are_made_visible() -> None:
    p = build_preview("log.txt", "text", b"ok \x1b[31mred\x1b[0m\n" + b"x" * 500, None)
    assert p.kind is PreviewKind.TEXT
    assert "\x1b" not in p.text
    assert "␛[31m" in p.text


def test_random_bytes_are_a_hex_dump() -> None:
    data = noise(100)
    p = build_preview("blob.bin", "unspecified", data, 100)
    assert p.kind is PreviewKind.HEX
    assert p.hex_lines[0].startswith("000000  ")
    assert len(p.hex_lines) == 7
    assert p.hex_lines[6].startswith("000060  ")


def test_hex_line_layout() -> None:
    line = hex_lines(b"Hello\x00\xff" + bytes(range(65, 74)))[0]
    assert line == ("000000  48 65 6c 6c 6f 00 ff 41  42 43 44 45 46 47 48 49  |Hello..ABCDEFGHI|")
    assert hex_lines(b"ab", start_offset=32) == ["000020  61 62" + " " * 43 + "  |ab|"]


def test_hex_is_capped() -> None:
    p = build_preview("big.bin", "binary", noise(HEAD_BYTES), 10 * HEAD_BYTES)
    assert p.kind is PreviewKind.HEX
    assert len(p.hex_lines) == 1024
    assert p.truncated


def test_gzip_text_whole() -> None:
    raw = b'{"a": 1}\n' * 50
    p = build_preview("data.json.gz", "gzip", gzip.compress(raw), None)
    assert p.kind is PreviewKind.TEXT
    assert p.layers == ("gzip",)
    assert p.lexer == "json"
    assert p.text == raw.decode()
    assert not p.truncated


def test_gzip_truncated_head_decompresses_what_it_can() -> None:
    raw = "".join(f"line {i} {os.urandom(8).hex()}\n" for i in range(40_000)).encode()
    packed = gzip.compress(raw)
    assert len(packed) > HEAD_BYTES
    head = packed[:HEAD_BYTES]
    p = build_preview("app.log.gz", "gzip", head, len(packed))
    assert p.kind is PreviewKind.TEXT
    assert p.truncated
    assert p.text.startswith("line 0 ")
    assert raw.decode().startswith(p.text)
    assert len(p.text) > HEAD_BYTES  # compressed text expands


def test_gunzip_head_caps_output_and_reports_corruption() -> None:
    packed = gzip.compress(b"a" * 5_000_000)
    out, reached_end, error = gunzip_head(packed, max_length=1000)
    assert len(out) == 1000 and not reached_end and error is None
    broken = packed[:20] + b"\xff" * 50
    _, _, error = gunzip_head(broken)
    assert error is not None and "corrupt" in error


def test_gunzip_follows_concatenated_members() -> None:
    out, reached_end, error = gunzip_head(gzip.compress(b"one\n") + gzip.compress(b"two\n"))
    assert out == b"one\ntwo\n" and reached_end and error is None


def test_declared_gzip_that_is_not_gzip_says_so() -> None:
    p = build_preview("x.gz", "gzip", b"plain words\n", 12)
    assert p.kind is PreviewKind.TEXT
    assert any("not gzip" in n for n in p.notes)


def test_tar_member_list_complete() -> None:
    data = make_tar([("a.txt", b"alpha"), ("b.bin", noise(3000))])
    p = build_preview("bundle.tar", "tar", data, len(data))
    assert p.kind is PreviewKind.TAR
    assert [(m.name, m.size, m.kind) for m in p.members] == [
        ("pkg", 0, "dir"),
        ("pkg/a.txt", 5, "file"),
        ("pkg/b.bin", 3000, "file"),
    ]
    assert p.members[0].mode_text == "drwxr-xr-x"
    assert p.members[1].mode_text == "-rw-r--r--"
    assert p.members[1].mtime == 1_700_000_123
    assert not p.truncated
    assert not any("more members" in n for n in p.notes)


def test_tar_truncated_head_stops_cleanly() -> None:
    members = [(f"f{i:03}.bin", noise(10_000, seed=i)) for i in range(20)]
    data = make_tar(members)
    head = data[:HEAD_BYTES]
    p = build_preview("bundle.tar", "tar", head, len(data))
    assert p.kind is PreviewKind.TAR
    names = [m.name for m in p.members]
    # Each member takes 512 + 10,240 bytes; the 7th header starts at 512 + 6*10752 = 65,024.
    assert names == ["pkg"] + [f"pkg/f{i:03}.bin" for i in range(7)]
    assert p.truncated
    assert any("more members beyond the first 64 KiB" in n for n in p.notes)


@pytest.mark.parametrize("cut", [1, 100, 511, 512, 513, 1024, 1535, 2000, 3000])
def test_tar_cut_anywhere_never_raises(cut: int) -> None:
    data = make_tar([("a", b"x" * 600), ("b", b"y" * 10)])
    listing = list_members(data[:cut])
    assert not listing.complete
    assert listing.error is None
    assert all(m.name.startswith("pkg") for m in listing.members)


def test_tar_long_names_pax_and_gnu() -> None:
    long = "deep/" * 40 + "file.txt"
    for fmt in (tarfile.PAX_FORMAT, tarfile.GNU_FORMAT):
        data = make_tar([(long, b"hi")], fmt=fmt)
        listing = list_members(data)
        assert listing.complete
        assert listing.members[-1].name == f"pkg/{long}"
        assert listing.members[-1].size == 2


def test_tgz_member_list_from_truncated_head() -> None:
    members = [(f"f{i:03}.bin", noise(20_000, seed=i)) for i in range(10)]
    data = make_tar(members, gz=True)
    assert len(data) > HEAD_BYTES
    p = build_preview("bundle.tar.gz", "tgz", data[:HEAD_BYTES], len(data))
    assert p.kind is PreviewKind.TAR
    assert p.layers == ("gzip", "tar")
    assert 1 < len(p.members) < 11
    assert p.members[1].name == "pkg/f000.bin"
    assert p.truncated
    assert any("more members beyond" in n for n in p.notes)


def test_tgz_named_wrongly_is_sniffed() -> None:
    data = make_tar([("a.txt", b"alpha")], gz=True)
    p = build_preview("mystery", "unspecified", data, len(data))
    assert p.kind is PreviewKind.TAR
    assert [m.name for m in p.members] == ["pkg", "pkg/a.txt"]
    assert not p.truncated


def test_declared_tar_with_text_content_falls_back_to_text() -> None:
    p = build_preview("x.tar", "tar", b"not an archive\n", 15)
    assert p.kind is PreviewKind.TEXT
    assert any("no tar header" in n for n in p.notes)


def test_empty_object() -> None:
    p = build_preview("empty.txt", "text", b"", 0)
    assert p.kind is PreviewKind.EMPTY


def test_looks_like_tar_rejects_text() -> None:
    assert not looks_like_tar(b"x" * 1024)
    assert looks_like_tar(make_tar([]))


def test_decode_text_rules() -> None:
    assert decode_text(b"abc\x00def", truncated=False) is None
    assert decode_text(b"abc\xe2\x82", truncated=True) == "abc"
    assert decode_text(b"abc\xe2\x82", truncated=False) is None
    assert decode_text(b"\xff\xfe" + b"a" * 10, truncated=True) is None
    assert decode_text(b"\x01\x02\x03" + b"a" * 10, truncated=False) is None


def test_guess_lexer() -> None:
    assert guess_lexer("a/b/c.py") == "python"
    assert guess_lexer("conf.yaml") == "yaml"
    assert guess_lexer("weird") == "text"
    assert guess_lexer("dir/") == "text"


def test_summary_line() -> None:
    p = build_preview("x.txt.gz", "gzip", gzip.compress(b"hello\n"), None)
    assert p.summary.startswith("gzip → text")
    tgz = build_preview("b.tgz", "tgz", make_tar([], gz=True), None)
    assert tgz.summary.startswith("gzip → tar ·")
    assert "decompressed" in p.summary


def test_tar_mode_column_matches_gnu_tar_for_every_member_type(tmp_path: Path) -> None:
    """A real FIFO, devices, links and special bits: the letters `tar -tv` prints."""
    tar_bin = shutil.which("tar")
    if tar_bin is None:
        pytest.skip("no tar binary to compare with")
    src = tmp_path / "src"
    src.mkdir()
    (src / "plain").write_bytes(b"data")
    os.mkfifo(src / "fifo", 0o644)
    (src / "link").symlink_to("plain")
    os.link(src / "plain", src / "hard")
    (src / "tool").write_bytes(b"#!")
    (src / "tool").chmod(0o4755)
    (src / "shared").mkdir()
    (src / "shared").chmod(0o1777)
    (src / "grp").write_bytes(b"")
    (src / "grp").chmod(0o2640)
    archive = tmp_path / "a.tar"
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in ("plain", "fifo", "link", "hard", "tool", "shared", "grp"):
            tar.add(src / name, arcname=name, recursive=False)
        for name, kind in (("tty", tarfile.CHRTYPE), ("disk", tarfile.BLKTYPE)):
            dev = tarfile.TarInfo(name)
            dev.type = kind
            dev.mode = 0o660
            dev.devmajor, dev.devminor = 8, 1
            tar.addfile(dev)
    data = archive.read_bytes()
    p = build_preview("a.tar", "tar", data, len(data))
    ours = {m.name: m.mode_text for m in p.members}
    listed = subprocess.run(
        [tar_bin, "-tvf", str(archive)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    # perms owner/group size date time name [-> target | link to target]
    theirs = {line.split()[5].rstrip("/"): line[:10] for line in listed}
    assert ours == theirs
    assert ours["fifo"][0] == "p"
    assert ours["tty"][0] == "c"
    assert ours["disk"][0] == "b"
    assert ours["tool"] == "-rwsr-xr-x"
