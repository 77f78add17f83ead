"""Uploads and downloads against the real server: content, progress, cancel, cleanup."""

from __future__ import annotations

import asyncio
import io
import os
import tarfile
from pathlib import Path

import pytest

from runloop_tui.api import (
    CancelToken,
    ContentType,
    ObjectsClient,
    ObjectState,
    ObjectView,
    TransferCancelled,
    UploadSourceError,
)
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import MakeClient
from tests.support.uploads import names_in, still_uploading, upload_random

# Linux: /proc, where no file can be created, even by root.
HAS_PROC = Path("/proc/self").is_dir()


async def _download_bytes(client: ObjectsClient, object_id: str, where: Path) -> bytes:
    target = await client.download_to(object_id, where / f"check-{object_id}")
    return target.read_bytes()


async def test_upload_file_streams_with_progress(client: ObjectsClient, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    source = tmp_path / "data.json"
    source.write_bytes(data)
    progress: list[tuple[int, int | None]] = []
    created: list[ObjectView] = []
    done = await client.upload_path(
        source,
        metadata={"k": "v"},
        progress=lambda a, b: progress.append((a, b)),
        on_created=created.append,
    )
    assert done.state is ObjectState.READ_ONLY
    assert done.size_bytes == len(data)
    assert done.name == "data.json" and done.content_type is ContentType.TEXT
    assert done.metadata == {"k": "v"}
    assert [c.id for c in created] == [done.id]
    assert progress[-1] == (len(data), len(data))
    assert len(progress) >= 4  # 1 MiB chunks
    assert all(b == len(data) for _, b in progress)
    assert [a for a, _ in progress] == sorted(a for a, _ in progress)
    assert await _download_bytes(client, done.id, tmp_path) == data


async def test_upload_empty_file(client: ObjectsClient, tmp_path: Path) -> None:
    source = tmp_path / "empty.bin"
    source.write_bytes(b"")
    done = await client.upload_path(source, name="custom", content_type=ContentType.BINARY)
    assert done.size_bytes == 0 and done.name == "custom"
    assert done.content_type is ContentType.BINARY
    assert await _download_bytes(client, done.id, tmp_path) == b""
    assert await client.read_head(done.id, 100) == b""


async def test_upload_directory_as_streamed_tgz(client: ObjectsClient, tmp_path: Path) -> None:
    tree = tmp_path / "results"
    (tree / "sub" / "deeper").mkdir(parents=True)
    (tree / "a.txt").write_text("alpha")
    (tree / "sub" / "b.bin").write_bytes(os.urandom(2 * 1024 * 1024))
    (tree / "sub" / "deeper" / "c.md").write_text("# c")
    progress: list[tuple[int, int | None]] = []
    done = await client.upload_path(tree, progress=lambda a, b: progress.append((a, b)))
    assert done.name == "results.tar.gz" and done.content_type is ContentType.TGZ
    assert progress and all(total is None for _, total in progress)
    blob = await _download_bytes(client, done.id, tmp_path)
    assert done.size_bytes == len(blob) == progress[-1][0]
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        names = {m.name.removeprefix("./") for m in tar.getmembers() if m.isfile()}
        assert names == {"a.txt", "sub/b.bin", "sub/deeper/c.md"}
        member = tar.extractfile("./sub/b.bin")
        assert member is not None
        assert member.read() == (tree / "sub" / "b.bin").read_bytes()


async def test_upload_missing_path_creates_nothing(client: ObjectsClient, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await client.upload_path(tmp_path / "nope.txt")
    assert (await client.list_objects()).objects == []


@pytest.fixture
def chunked(
    server: EmbeddedServer, make_client: MakeClient, tmp_path: Path
) -> tuple[ObjectsClient, Path]:
    """A client that sends 64 KiB chunks, and a 2 MiB random file for it to upload."""
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(2 * 1024 * 1024))
    return make_client(server.base_url, chunk_size=64 * 1024), source


async def test_cancel_mid_upload_leaves_no_uploading_object(
    chunked: tuple[ObjectsClient, Path],
) -> None:
    api, source = chunked
    token = CancelToken()
    created: list[ObjectView] = []

    def on_progress(done: int, total: int | None) -> None:
        if done >= 256 * 1024:
            token.cancel()

    with pytest.raises(TransferCancelled):
        await api.upload_path(source, progress=on_progress, cancel=token, on_created=created.append)
    assert len(created) == 1
    assert await still_uploading(api) == []
    assert (await api.get_object(created[0].id)).state is ObjectState.DELETED


async def test_task_cancelled_mid_upload_still_cleans_up(
    chunked: tuple[ObjectsClient, Path],
) -> None:
    api, source = chunked
    created: list[ObjectView] = []
    task: asyncio.Task[ObjectView] | None = None

    def on_progress(done: int, total: int | None) -> None:
        if done >= 256 * 1024 and task is not None:
            task.cancel()  # what a Textual worker cancel does

    task = asyncio.create_task(
        api.upload_path(source, progress=on_progress, on_created=created.append)
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(created) == 1
    assert await still_uploading(api) == []
    assert (await api.get_object(created[0].id)).state is ObjectState.DELETED


async def test_failure_mid_upload_deletes_half_made_object(
    client: ObjectsClient, tmp_path: Path
) -> None:
    source = tmp_path / "shrinks.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024))

    def shrink(done: int, total: int | None) -> None:
        with source.open("r+b") as handle:  # the file shrinks under the upload
            handle.truncate(done)

    with pytest.raises(UploadSourceError) as info:
        await client.upload_path(source, progress=shrink)
    assert "shrank" in str(info.value)
    assert await still_uploading(client) == []


async def test_on_created_failure_also_cleans_up(client: ObjectsClient, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("x")

    def explode(created: ObjectView) -> None:
        raise RuntimeError("ui went away")

    with pytest.raises(RuntimeError):
        await client.upload_path(source, on_created=explode)
    assert await still_uploading(client) == []


async def test_download_refuses_to_overwrite(client: ObjectsClient, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("new content")
    done = await client.upload_path(source)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "existing.txt"
    target.write_text("precious")
    with pytest.raises(FileExistsError) as info:
        await client.download_to(done.id, target)
    assert "already exists" in str(info.value)
    assert target.read_text() == "precious"
    assert await client.download_to(done.id, target, overwrite=True) == target
    assert target.read_text() == "new content"
    assert names_in(out) == ["existing.txt"]  # no part files left behind


async def test_download_into_directory_uses_object_name(
    client: ObjectsClient, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_text("content")
    done = await client.upload_path(source, name="../../etc/evil name.txt")
    out = tmp_path / "out"
    out.mkdir()
    progress: list[tuple[int, int | None]] = []
    path = await client.download_to(done.id, out, progress=lambda a, b: progress.append((a, b)))
    assert path == out / "evil name.txt"
    assert path.read_text() == "content"
    assert progress[-1] == (7, 7)


async def test_cancelled_download_leaves_no_file(client: ObjectsClient, tmp_path: Path) -> None:
    done, out = await upload_random(client, tmp_path, 4 * 1024 * 1024)
    token = CancelToken()

    def on_progress(got: int, total: int | None) -> None:
        token.cancel()

    with pytest.raises(TransferCancelled):
        await client.download_to(done.id, out / "x.bin", progress=on_progress, cancel=token)
    assert names_in(out) == []


async def test_task_cancelled_download_leaves_no_file(
    client: ObjectsClient, tmp_path: Path
) -> None:
    done, out = await upload_random(client, tmp_path, 4 * 1024 * 1024)
    task: asyncio.Task[Path] | None = None

    def on_progress(got: int, total: int | None) -> None:
        if task is not None:
            task.cancel()

    task = asyncio.create_task(client.download_to(done.id, out / "x.bin", progress=on_progress))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert names_in(out) == []


async def test_read_head_is_ranged(client: ObjectsClient, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    source = tmp_path / "a.bin"
    source.write_bytes(data)
    done = await client.upload_path(source)
    assert await client.read_head(done.id, 10) == data[:10]
    assert await client.read_head(done.id) == data[:65536]
    assert await client.read_head(done.id, 1_000_000) == data


async def test_a_download_that_cannot_be_written_says_so_in_the_users_terms(
    client: ObjectsClient, tmp_path: Path
) -> None:
    """The error names the file asked for, never the hidden part file beside it."""
    source = tmp_path / "a.txt"
    source.write_text("content")
    done = await client.upload_path(source)
    not_a_folder = tmp_path / "plain-file"
    not_a_folder.write_text("")
    targets = [not_a_folder / "x.tgz"]
    if HAS_PROC:
        targets.append(Path("/proc/x.tgz"))  # no file can be created there, even by root
    for target in targets:
        with pytest.raises(OSError) as info:
            await client.download_to(done.id, target)
        message = str(info.value)
        assert message.startswith(f"cannot write {target}: "), message
        assert ".part-" not in message and "Errno" not in message
    assert "plain-file" in names_in(tmp_path) and not any(".part-" in n for n in names_in(tmp_path))
