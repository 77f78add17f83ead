"""Streaming building blocks for uploads and downloads: constant memory, cancellable.

Upload bodies are async iterators of large chunks read from disk (a file) or produced by a
thread that writes a gzip tar into a bounded queue (a directory). Downloads land in a hidden
part file next to the target and are renamed into place only when complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gzip
import os
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import BinaryIO

from runloop_tui.api.errors import TransferCancelled, UploadSourceError

# Called with (bytes_done, bytes_total or None when unknown).
ProgressCallback = Callable[[int, int | None], None]

# Large chunks keep per-chunk overhead (thread hops, syscalls) negligible next to the bytes.
CHUNK_SIZE = 1 << 20
# How many produced tar chunks may wait for the network: bounds memory to a few MiB.
_QUEUE_DEPTH = 4
# Compression level for directory uploads: 6 is gzip's default, far faster than tarfile's 9.
_GZIP_LEVEL = 6


class CancelToken:
    """Set by the UI to stop a transfer at the next chunk boundary."""

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise TransferCancelled("the transfer was cancelled")


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


class UploadSource:
    """What an upload sends: an opened regular file (known size) or a directory (tgz, unknown)."""

    def __init__(self, path: Path, handle: BinaryIO | None, size: int | None) -> None:
        self.path = path
        self._handle = handle
        self.size = size

    @classmethod
    def open(cls, path: Path) -> UploadSource:
        """Open before anything is created remotely: a bad path fails with nothing to undo."""
        if path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                raise PermissionError(errno.EACCES, "cannot read the directory", str(path))
            return cls(path, None, None)
        handle = path.open("rb")  # FileNotFoundError / PermissionError / IsADirectoryError
        try:
            size = os.fstat(handle.fileno()).st_size
        except OSError:
            handle.close()
            raise
        return cls(path, handle, size)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()

    def chunks(
        self,
        *,
        chunk_size: int = CHUNK_SIZE,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[bytes]:
        """A fresh body iterator (a retried PUT gets a new one)."""
        if self._handle is None:
            return tgz_chunks(self.path, chunk_size=chunk_size, progress=progress, cancel=cancel)
        assert self.size is not None
        return file_chunks(
            self._handle, self.size, chunk_size=chunk_size, progress=progress, cancel=cancel
        )


async def file_chunks(
    handle: BinaryIO,
    size: int,
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> AsyncIterator[bytes]:
    """Exactly ``size`` bytes from the start of ``handle``; reads run off the event loop."""
    handle.seek(0)
    done = 0
    while done < size:
        _check(cancel)
        chunk = await asyncio.to_thread(handle.read, min(chunk_size, size - done))
        if not chunk:
            # The declared Content-Length can no longer be met: say so rather than let the
            # HTTP layer fail with a cryptic protocol error.
            raise UploadSourceError(
                f"{handle.name} shrank while uploading ({done} of {size} bytes read)"
            )
        done += len(chunk)
        yield chunk
        if progress is not None:
            progress(done, size)
    _check(cancel)


class _QueueWriter:
    """A write-only file object for tarfile/gzip that hands full chunks to the event loop."""

    def __init__(self, deliver: Callable[[bytes], None], chunk_size: int) -> None:
        self._deliver = deliver
        self._chunk_size = chunk_size
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= self._chunk_size:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            chunk = bytes(self._buffer)
            self._buffer.clear()
            self._deliver(chunk)


class _ProducerStopped(Exception):
    """The consumer went away; the producer thread unwinds quietly."""


async def tgz_chunks(
    directory: Path,
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> AsyncIterator[bytes]:
    """A gzip tar of ``directory`` (member paths relative to it), produced while it streams.

    A daemon thread runs tarfile into a bounded hand-off, so memory stays at a few chunks
    however large the tree is. Closing this iterator (done, failed or cancelled) stops the
    thread at its next hand-off.
    """
    import tarfile  # here, not at the top: only directory uploads need it (launch time)

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue()
    slots = threading.Semaphore(_QUEUE_DEPTH)
    stop = threading.Event()

    def deliver(item: bytes | BaseException | None) -> None:
        # Wait for room, but give up as soon as the consumer is gone (bounded by `stop`).
        while not slots.acquire(timeout=0.1):
            if stop.is_set():
                raise _ProducerStopped
        if stop.is_set():
            raise _ProducerStopped
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the event loop is closed
            raise _ProducerStopped from None

    def produce() -> None:
        try:
            writer = _QueueWriter(deliver, chunk_size)
            with (
                gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=_GZIP_LEVEL) as zipped,
                tarfile.open(fileobj=zipped, mode="w|", format=tarfile.PAX_FORMAT) as tar,
            ):
                tar.add(directory, arcname=".")
            writer.flush()
            deliver(None)
        except _ProducerStopped:
            return
        except OSError as exc:
            with contextlib.suppress(_ProducerStopped):
                deliver(
                    UploadSourceError(f"could not read {exc.filename or directory}: {exc.strerror}")
                )
        except BaseException as exc:  # any other failure still reaches the consumer
            with contextlib.suppress(_ProducerStopped):
                deliver(UploadSourceError(f"could not pack {directory}: {exc}"))

    thread = threading.Thread(target=produce, name="runloop-tgz-producer", daemon=True)
    thread.start()
    done = 0
    try:
        while True:
            _check(cancel)
            item = await queue.get()
            slots.release()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            done += len(item)
            yield item
            if progress is not None:
                progress(done, None)
        _check(cancel)
    finally:
        stop.set()


# Received chunks (up to 256 KiB from the socket) are written in batches of this size by a
# thread with one writev: the event loop keeps receiving (and the UI keeps painting) meanwhile.
WRITE_BATCH = 2 << 20
# Written pages are dropped from the page cache this far behind the write position, by when
# the kernel has usually written them back (see _write_batch).
DROP_LAG = 8 * WRITE_BATCH
_FADVISE = getattr(os, "posix_fadvise", None)  # Linux and most Unixes; not macOS


def _write_all(fd: int, buffers: list[bytes | bytearray]) -> None:
    """writev until every byte is on its way to disk (short writes resume where they stopped)."""
    views = [memoryview(b) for b in buffers if b]
    while views:
        written = os.writev(fd, views)
        if written <= 0:
            raise OSError(errno.EIO, "the disk accepted no bytes")
        while views and written >= len(views[0]):
            written -= len(views[0])
            views.pop(0)
        if written:
            views[0] = views[0][written:]


def _write_batch(
    fd: int, buffers: list[bytes | bytearray], offset: int, size: int, dropped: int
) -> int:
    """Write one batch that starts at ``offset``; return how far the page cache is trimmed.

    A download writes each page once and does not read it back. Left in the page cache, a
    GiB of it pushes out more useful pages, and every write then needs new cache pages, which
    on a VM are costly to touch (page faults, host faults): that was 2-3 s of system CPU per
    GiB, half the client's CPU. POSIX_FADV_DONTNEED starts the writeback of the batch just
    written and drops the pages written DROP_LAG earlier, clean by now: the same few cache
    pages are reused, and the final fsync has little left to wait for. Pages that are still
    dirty are just kept (fsync covers them), and a failed hint changes nothing but speed.
    """
    _write_all(fd, buffers)
    if _FADVISE is None:
        return dropped
    with contextlib.suppress(OSError):
        _FADVISE(fd, offset, size, os.POSIX_FADV_DONTNEED)
        drop_to = offset - DROP_LAG
        if drop_to > dropped:
            _FADVISE(fd, dropped, drop_to - dropped, os.POSIX_FADV_DONTNEED)
            return drop_to
    return dropped


class LocalWriteError(OSError):
    """The download's target could not be written, said in the user's terms: the file they
    asked for, never the hidden part file beside it (`cannot write /proc/x.tgz: No such file
    or directory`)."""

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


def _cannot_write(dest: Path, exc: OSError) -> LocalWriteError:
    return LocalWriteError(exc.errno or errno.EIO, exc.strerror or str(exc), str(dest))


class PartFile:
    """A hidden ``.<name>.part-<random>`` beside the target; committed atomically or removed.

    At most one batch is being written (in a thread) while the next one fills up, so memory
    stays at about two batches.
    """

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.path = dest.with_name(f".{dest.name}.part-{secrets.token_hex(4)}")
        # O_EXCL: never clobber anything, even another download's part file.
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as exc:
            raise _cannot_write(dest, exc) from None
        self._batch: list[bytes | bytearray] = []
        self._batched = 0
        self._dropped = 0  # nothing of the file below this offset is left in the page cache
        self._writing: asyncio.Future[int] | None = None
        self._finished = False
        self.written = 0  # bytes handed to the disk so far

    async def append(self, chunk: bytes | bytearray) -> None:
        self._batch.append(chunk)
        self._batched += len(chunk)
        if self._batched >= WRITE_BATCH:
            await self._flush()

    async def _flush(self) -> None:
        if self._writing is not None:
            # One write in flight at a time; its error surfaces here. Cleared only once it has
            # ended: discard() must not close the fd under a thread still writing to it.
            try:
                self._dropped = await self._writing
            except OSError as exc:  # a full disk, an I/O error
                raise _cannot_write(self.dest, exc) from None
            self._writing = None
        if self._batch:
            batch, size, offset = self._batch, self._batched, self.written
            self._batch, self._batched = [], 0
            self._writing = asyncio.ensure_future(
                asyncio.to_thread(_write_batch, self._fd, batch, offset, size, self._dropped)
            )
            self.written += size

    async def commit(self, *, overwrite: bool) -> Path:
        """fsync, then move into place; without overwrite an existing target is never replaced."""
        await self._flush()
        await self._flush()  # wait for the last batch
        try:
            await asyncio.to_thread(os.fsync, self._fd)
        except OSError as exc:
            raise _cannot_write(self.dest, exc) from None
        os.close(self._fd)
        self._fd = -1
        try:
            return self._move_into_place(overwrite)
        except FileExistsError:
            raise
        except OSError as exc:
            raise _cannot_write(self.dest, exc) from None

    def _move_into_place(self, overwrite: bool) -> Path:
        if overwrite:
            os.replace(self.path, self.dest)
        else:
            try:
                # link() fails if the target exists: a no-clobber rename without a race.
                os.link(self.path, self.dest)
            except FileExistsError:
                raise target_exists(self.dest) from None
            except OSError:
                # Filesystems without hard links: check, then rename (a tiny race, accepted).
                if self.dest.exists():
                    raise target_exists(self.dest) from None
                os.replace(self.path, self.dest)
            else:
                os.unlink(self.path)
        self._finished = True
        return self.dest

    async def discard(self) -> None:
        """Remove the part file; safe to call more than once and after commit."""
        if self._finished:
            return
        self._finished = True
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        writing, fd = self._writing, self._fd
        self._fd = -1
        if fd < 0:
            return
        if writing is None or writing.done():
            if writing is not None and not writing.cancelled():
                writing.exception()  # retrieved: the error that matters is already raised
            os.close(fd)
            return
        # A thread may still be writing to fd: closing it now could let the number be reused
        # by another open file under that thread. Close only once the write has ended.
        writing.add_done_callback(lambda _: os.close(fd))
        with contextlib.suppress(BaseException):
            await asyncio.shield(writing)


def target_exists(dest: Path) -> FileExistsError:
    return FileExistsError(
        errno.EEXIST,
        f"{dest} already exists; choose another name or allow overwriting",
        str(dest),
    )


def safe_file_name(object_name: str, fallback: str) -> str:
    """A local file name for an object name: its last path part, never '.', '..' or empty."""
    base = object_name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip()
    base = base.replace("\x00", "")
    if base in ("", ".", ".."):
        return fallback
    return base
