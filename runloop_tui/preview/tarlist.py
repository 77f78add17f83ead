"""List the members of a tar archive from a head that may stop anywhere.

The headers are walked block by block (512 bytes each), so a head cut in the middle of a
member's data, or of a header, simply ends the list there. GNU long names (`L`/`K`) and
PAX extended headers (`x`) are understood, because Python's tarfile writes PAX by default.
"""

from __future__ import annotations

import contextlib
import tarfile
from dataclasses import dataclass

from runloop_tui.preview.model import TarMember

BLOCK = 512
_ZERO_BLOCK = bytes(BLOCK)
_KINDS = {
    tarfile.REGTYPE: "file",
    tarfile.AREGTYPE: "file",
    tarfile.CONTTYPE: "file",
    tarfile.DIRTYPE: "dir",
    tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hardlink",
    tarfile.GNUTYPE_SPARSE: "file",
    tarfile.FIFOTYPE: "fifo",
    tarfile.CHRTYPE: "chardev",
    tarfile.BLKTYPE: "blockdev",
}
# The tar magic sits at offset 257 of the first header ("ustar\0" or GNU's "ustar ").
_MAGIC_OFFSET = 257


@dataclass(frozen=True, slots=True)
class TarListing:
    members: tuple[TarMember, ...]
    complete: bool  # the end-of-archive marker was reached inside the head
    error: str | None = None  # set when a header was corrupt (not merely cut off)


def looks_like_tar(data: bytes) -> bool:
    """The ustar magic, or at least a first header whose checksum holds."""
    if data[_MAGIC_OFFSET : _MAGIC_OFFSET + 5] == b"ustar":
        return True
    if len(data) < BLOCK:
        return False
    try:
        tarfile.TarInfo.frombuf(data[:BLOCK], "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def _blocks(size: int) -> int:
    return (size + BLOCK - 1) // BLOCK


def _pax_records(payload: bytes) -> dict[str, str]:
    """`<len> <key>=<value>\\n` records; a malformed tail is ignored."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(payload):
        space = payload.find(b" ", pos)
        if space < 0:
            break
        try:
            length = int(payload[pos:space])
        except ValueError:
            break
        if length <= 0:
            break
        record = payload[space + 1 : pos + length - 1]
        key, sep, value = record.partition(b"=")
        if sep:
            records[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
        pos += length
    return records


def list_members(data: bytes, *, limit: int = 10_000) -> TarListing:
    """Every member whose header lies wholly inside `data`, in archive order."""
    members: list[TarMember] = []
    offset = 0
    long_name: str | None = None
    long_link: str | None = None
    pax: dict[str, str] = {}
    while len(members) < limit:
        block = data[offset : offset + BLOCK]
        if len(block) < BLOCK:
            return TarListing(tuple(members), complete=False)
        if block == _ZERO_BLOCK:
            return TarListing(tuple(members), complete=True)
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
        except tarfile.HeaderError as exc:
            return TarListing(tuple(members), complete=False, error=f"corrupt header: {exc}")
        payload_start = offset + BLOCK
        next_offset = payload_start + _blocks(info.size) * BLOCK
        if info.type in (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE):
            if next_offset > len(data):
                # The extension's payload is cut off, so the member it describes is too.
                return TarListing(tuple(members), complete=False)
            payload = data[payload_start : payload_start + info.size]
            if info.type == tarfile.XHDTYPE:
                pax = _pax_records(payload)
            else:
                text = payload.rstrip(b"\0").decode("utf-8", "replace")
                if info.type == tarfile.GNUTYPE_LONGNAME:
                    long_name = text
                else:
                    long_link = text
            offset = next_offset
            continue
        if info.type == tarfile.XGLTYPE:  # global PAX header: nothing to list
            offset = next_offset
            continue
        size = info.size
        if "size" in pax:
            try:
                size = int(pax["size"])
                next_offset = payload_start + _blocks(size) * BLOCK
            except ValueError:
                pass
        mtime = int(info.mtime)
        if "mtime" in pax:
            with contextlib.suppress(ValueError):
                mtime = int(float(pax["mtime"]))
        name = pax.get("path") or long_name or info.name
        link = pax.get("linkpath") or long_link or info.linkname
        kind = _KINDS.get(info.type, "other")
        if kind == "file" and info.type == tarfile.AREGTYPE and name.endswith("/"):
            kind = "dir"
        members.append(
            TarMember(
                name=name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
                size=size if kind == "file" else 0,
                mode=info.mode,
                mtime=mtime,
                kind=kind,
                linkname=link,
            )
        )
        long_name = long_link = None
        pax = {}
        offset = next_offset
    return TarListing(tuple(members), complete=False)
