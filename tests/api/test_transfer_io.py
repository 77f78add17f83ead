"""The download write path (PartFile batches, page-cache trimming) and the h11 body fast path."""

from __future__ import annotations

import os
from pathlib import Path

import h11
import httpx
import pytest
from h11._receivebuffer import ReceiveBuffer

from runloop_tui.api import ObjectsClient, transfers
from runloop_tui.api.http_speedups import BODY_READ_BYTES, _extract_whole_buffer, widen_reads
from runloop_tui.api.transfers import PartFile


def _pattern(size: int) -> bytes:
    # Position-dependent bytes: a chunk written at the wrong offset cannot go unnoticed.
    return b"".join(i.to_bytes(4, "little") for i in range(size // 4 + 1))[:size]


async def test_part_file_keeps_every_byte_while_trimming_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches and lag: many batches written, many trims, in a fast test.
    monkeypatch.setattr(transfers, "WRITE_BATCH", 64 * 1024)
    monkeypatch.setattr(transfers, "DROP_LAG", 128 * 1024)
    data = _pattern(3 * 1024 * 1024 + 5)
    part = PartFile(tmp_path / "out.bin")
    try:
        offset = 0
        sizes = [1, 4095, 65536, 70001, 262144, 3]
        step = 0
        while offset < len(data):
            size = sizes[step % len(sizes)]
            chunk = data[offset : offset + size]
            # h11 hands over bytearrays, tests and other servers bytes: both must work.
            await part.append(bytearray(chunk) if step % 2 else chunk)
            offset += len(chunk)
            step += 1
        target = await part.commit(overwrite=False)
    finally:
        await part.discard()
    assert target.read_bytes() == data
    assert not part.path.exists()
    if hasattr(os, "posix_fadvise"):
        # The trim really ran, and stayed behind what had been written.
        assert 0 < part._dropped <= len(data) - 128 * 1024


async def test_part_file_discard_while_a_batch_is_written_removes_the_part(tmp_path: Path) -> None:
    part = PartFile(tmp_path / "out.bin")
    await part.append(b"x" * (transfers.WRITE_BATCH + 1))  # one batch handed to the writer
    await part.discard()
    assert not part.path.exists()
    assert os.listdir(tmp_path) == []


def test_whole_buffer_extraction_matches_h11(speedups: None) -> None:
    fast = ReceiveBuffer()
    fast += b"abcdef"
    assert _extract_whole_buffer(fast, 2) == bytearray(b"ab")  # a part: h11's own path
    assert _extract_whole_buffer(fast, 100) == bytearray(b"cdef")  # the rest: the buffer
    assert len(fast) == 0
    assert _extract_whole_buffer(fast, 10) is None
    fast += b"gh"
    assert _extract_whole_buffer(fast, 2) == bytearray(b"gh")
    fast += b"ij"
    assert bytes(fast) == b"ij"  # the handed-over buffer is no longer shared


def test_a_read_consumed_whole_is_handed_on_uncopied(speedups: None) -> None:
    buffer = ReceiveBuffer()
    received = bytes(range(256)) * 1024
    buffer += received
    assert _extract_whole_buffer(buffer, 10 * len(received)) is received
    assert len(buffer) == 0
    # Data arriving while a received bytes is held: joined, in order, then cut as h11 does.
    buffer += b"head\r\nrest"
    buffer += b"-more"
    assert buffer.maybe_extract_next_line() == bytearray(b"head\r\n")
    assert _extract_whole_buffer(buffer, 100) == b"rest-more"


@pytest.mark.parametrize("chunked", [False, True])
def test_h11_parses_bodies_fed_in_pieces(chunked: bool, speedups: None) -> None:
    """With the speed-ups installed (as the app runs)."""
    body = _pattern(300_000)
    if chunked:
        framing = b"Transfer-Encoding: chunked\r\n\r\n"
        payload = b""
        for start in range(0, len(body), 70_000):
            piece = body[start : start + 70_000]
            payload += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        payload += b"0\r\n\r\n"
    else:
        framing = f"Content-Length: {len(body)}\r\n\r\n".encode()
        payload = body
    wire = b"HTTP/1.1 200 OK\r\n" + framing + payload
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    conn.send(h11.EndOfMessage())
    received = bytearray()
    done = False
    for start in range(0, len(wire), 65_537):  # odd sizes: pieces split headers and chunks
        conn.receive_data(wire[start : start + 65_537])
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                break
            if isinstance(event, h11.Data):
                received += event.data
            elif isinstance(event, h11.EndOfMessage):
                done = True
                break
    assert done
    assert bytes(received) == body


async def test_download_of_many_reads_is_exact(
    client: ObjectsClient, tmp_path: Path, speedups: None
) -> None:
    data = _pattern(5 * 1024 * 1024 + 123)  # many 256 KiB reads, several write batches
    where = tmp_path / "files"
    where.mkdir()
    source = where / "source.bin"
    source.write_bytes(data)
    obj = await client.upload_path(source, name="many-reads.bin")
    target = await client.download_to(obj.id, where / "copy.bin")
    assert target.read_bytes() == data
    assert sorted(os.listdir(where)) == ["copy.bin", "source.bin"]


async def test_widen_reads_raises_the_read_size_of_a_plain_connection(
    client: ObjectsClient, tmp_path: Path
) -> None:
    source = tmp_path / "small.bin"
    source.write_bytes(b"0123456789")
    obj = await client.upload_path(source, name="widen.bin")
    url = await client.download_url(obj.id)
    async with httpx.AsyncClient() as http, http.stream("GET", url) as response:
        stream = response.extensions["network_stream"]
        transport = stream._stream._transport
        assert transport.max_size < BODY_READ_BYTES  # asyncio's default, 256 KiB
        widen_reads(response)
        assert transport.max_size == BODY_READ_BYTES
        assert await response.aread() == b"0123456789"
    # A response with no connection behind it (or an unknown one) is left alone.
    widen_reads(httpx.Response(200, content=b"x"))
