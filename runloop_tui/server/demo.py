"""Seed a store with realistic demo objects, or with many small ones for benchmarks.

Both write through the same store layer the server uses, and work whether or not a
server is running on the same data directory (SQLite WAL handles the concurrency).
"""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from runloop_tui.server.ids import BASE62, ID_PREFIX, ID_RANDOM_LENGTH, account_of
from runloop_tui.server.records import DELETED, ERROR, READ_ONLY, UPLOADING, NewObject
from runloop_tui.server.store import Store

DAY_MS = 24 * 3600 * 1000
HOUR_MS = 3600 * 1000
MB = 1024 * 1024
GB = 1024 * MB
# Public objects that appear to come from another account, for list_public.
PUBLIC_ACCOUNT = account_of("runloop-tui-demo-public-account")

AGENTS = ("swe-agent", "planner", "coder-v2", "eval-harness", "triage-bot", "repro-bot")
ENVS = ("staging", "prod", "dev")
MODELS = ("coder-7b", "planner-13b", "reranker-small")
SERVICES = ("api-gateway", "scheduler", "devbox-manager", "sandbox-runner")
DATASETS = (
    ("datasets/swe-bench-lite.tar.gz", "tgz", 1_300 * MB),
    ("datasets/swe-bench-verified.tar.gz", "tgz", 2_700 * MB),
    ("datasets/humaneval.jsonl", "text", 0),
    ("datasets/mbpp/test.jsonl", "text", 0),
    ("datasets/repo-snapshots/django-4.2.tar", "tar", 410 * MB),
    ("datasets/tokenizer/vocab.json", "text", 0),
    ("datasets/embeddings/code-index.bin", "binary", 6 * GB),
)


_BASE62_TABLE = bytes(ord(BASE62[b % 62]) for b in range(256))


@dataclass
class _Seed:
    obj: NewObject
    content: bytes | None


def _rng_id(rng: random.Random) -> str:
    return ID_PREFIX + "".join(rng.choices(BASE62, k=ID_RANDOM_LENGTH))


def _trajectory(rng: random.Random, run_id: str, agent: str) -> bytes:
    actions = ("read_file", "run_tests", "edit_file", "search", "shell", "submit")
    lines = []
    for step in range(rng.randint(4, 40)):
        action = rng.choice(actions)
        lines.append(
            json.dumps(
                {
                    "step": step,
                    "run_id": run_id,
                    "agent": agent,
                    "action": action,
                    "ok": rng.random() > 0.15,
                    "tokens": rng.randint(80, 4000),
                }
            )
        )
    return ("\n".join(lines) + "\n").encode()


def _log_text(rng: random.Random, service: str, day: str) -> bytes:
    levels = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")
    events = (
        "devbox started",
        "snapshot restored",
        "tests passed",
        "retrying request",
        "container exited with code 1",
        "upload complete",
        "cache miss for layer",
    )
    lines = [
        f"{day}T{h:02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z "
        f"{rng.choice(levels):5} {service}: {rng.choice(events)}"
        for h in sorted(rng.randint(0, 23) for _ in range(rng.randint(10, 120)))
    ]
    return ("\n".join(lines) + "\n").encode()


def _tar(files: dict[str, bytes], *, compress: bool) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    data = raw.getvalue()
    return gzip.compress(data, mtime=0) if compress else data


def _day(ms: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))


def _demo_seeds(account: str, count: int, now_ms: int, rng: random.Random) -> list[_Seed]:
    seeds: list[_Seed] = []

    def add(
        name: str, ctype: str, created: int, content: bytes, size: int = 0, **kw: object
    ) -> None:
        size = max(size, len(content))
        meta = kw.pop("metadata", None)
        obj = NewObject(
            id=_rng_id(rng),
            account=str(kw.pop("account", account)),
            name=name,
            content_type=ctype,
            create_time_ms=created,
            size_bytes=size,
            metadata=meta if isinstance(meta, dict) else None,
            is_public=bool(kw.pop("is_public", False)),
        )
        seeds.append(_Seed(obj, content))

    for name, ctype, size in DATASETS:
        created = now_ms - rng.randint(20, 60) * DAY_MS - rng.randint(0, DAY_MS)
        if ctype in ("tgz", "tar"):
            readme = b"# " + name.encode() + b"\nDemo dataset shipped by runloop-tui.\n"
            content = _tar(
                {"README.md": readme, "data/part-0000.jsonl": b'{"id": 1}\n'},
                compress=ctype == "tgz",
            )
        elif ctype == "binary":
            content = rng.randbytes(4096)
        else:
            content = b"".join(
                json.dumps({"task_id": f"task/{i}", "prompt": f"def f{i}(x):"}).encode() + b"\n"
                for i in range(rng.randint(20, 200))
            )
        meta = {"source": rng.choice(("huggingface", "internal")), "env": "prod"}
        add(name, ctype, created, content, size, metadata=meta, is_public=rng.random() < 0.5)

    while len(seeds) < count:
        created = now_ms - rng.randint(0, 60 * DAY_MS)
        agent, env = rng.choice(AGENTS), rng.choice(ENVS)
        roll = rng.random()
        if roll < 0.55:
            run_id = f"run-{rng.getrandbits(16):04x}"
            base = f"agent-runs/{_day(created)}/{run_id}"
            meta = {"agent": agent, "run_id": run_id, "env": env}
            add(
                f"{base}/trajectory.jsonl",
                "text",
                created,
                _trajectory(rng, run_id, agent),
                metadata=meta,
            )
            result = {"run_id": run_id, "passed": rng.randint(0, 50), "failed": rng.randint(0, 5)}
            add(
                f"{base}/result.json",
                "text",
                created + 1000,
                json.dumps(result, indent=2).encode(),
                metadata=meta,
            )
            if rng.random() < 0.4:
                files = {
                    "workspace/patch.diff": b"--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-x\n+y\n"
                }
                add(
                    f"{base}/workspace.tgz",
                    "tgz",
                    created + 2000,
                    _tar(files, compress=True),
                    rng.choice((0, 3 * MB, 40 * MB, 220 * MB)),
                    metadata=meta,
                )
        elif roll < 0.75:
            service = rng.choice(SERVICES)
            text = _log_text(rng, service, _day(created))
            meta = {"service": service, "env": env}
            if rng.random() < 0.5:
                add(f"logs/{service}/{_day(created)}.log", "text", created, text, metadata=meta)
            else:
                add(
                    f"logs/{service}/{_day(created)}.log.gz",
                    "gzip",
                    created,
                    gzip.compress(text, mtime=0),
                    rng.choice((0, 12 * MB, 90 * MB)),
                    metadata=meta,
                )
        elif roll < 0.85:
            model = rng.choice(MODELS)
            step = rng.randint(1, 200) * 500
            meta = {"model": model, "step": str(step), "env": env}
            add(
                f"checkpoints/{model}/step-{step:06d}.bin",
                "binary",
                created,
                rng.randbytes(1024),
                rng.choice((800 * MB, 2 * GB, 7 * GB, 14 * GB)),
                metadata=meta,
            )
        elif roll < 0.93:
            name = f"artifacts/{agent}/build-{rng.getrandbits(20):05x}.tar"
            add(
                name,
                "tar",
                created,
                _tar({"bin/tool": rng.randbytes(512)}, compress=False),
                rng.choice((0, 5 * MB, 60 * MB)),
                metadata={"agent": agent, "env": env},
            )
        else:
            name = rng.choice(
                ("notes/README.md", "scratch/output.txt", "tmp/blob", "misc/data.csv")
            )
            ctype = "unspecified" if name == "tmp/blob" else "text"
            body = (
                rng.randbytes(rng.randint(1, 64))
                if ctype == "unspecified"
                else (b"col_a,col_b\n1,2\n3,4\n" if name.endswith(".csv") else b"Scratch notes.\n")
            )
            add(
                name,
                ctype,
                created,
                body,
                metadata={"agent": agent} if rng.random() < 0.5 else None,
            )
    seeds = seeds[:count]
    _assign_states(seeds, now_ms, rng)
    return seeds


def _assign_states(seeds: list[_Seed], now_ms: int, rng: random.Random) -> None:
    """Mostly READ_ONLY, plus stale uploads, errors, expiring, expired, deleted and public."""
    n = len(seeds)
    order = list(range(len(DATASETS), n))
    rng.shuffle(order)
    quota = {
        "uploading": max(2, n // 25),
        "error": max(2, n // 40),
        "deleted": max(2, n // 40),
        "expired": max(2, n // 40),
        "expiring": max(3, n // 30),
        "public": max(2, n // 40),
    }
    for kind, howmany in quota.items():
        for _ in range(howmany):
            if not order:
                return
            seed = seeds[order.pop()]
            o = seed.obj
            if kind in ("uploading", "expired", "expiring"):
                created = _retime(kind, now_ms, rng)
                # Names carry their day (agent-runs/<day>/..., logs/<svc>/<day>.log): keep it true.
                name = o.name.replace(_day(o.create_time_ms), _day(created))
                o = replace(o, create_time_ms=created, name=name)
            if kind == "uploading":
                seed.obj = replace(o, state=UPLOADING, size_bytes=None)
                seed.content = None
            elif kind == "error":
                seed.obj = replace(o, state=ERROR, size_bytes=None)
                seed.content = None
            elif kind == "deleted":
                seed.obj = replace(o, state=DELETED)
                seed.content = None
            elif kind == "expired":
                ttl = rng.randint(HOUR_MS, DAY_MS)
                seed.obj = replace(o, delete_after_time_ms=o.create_time_ms + ttl)
            elif kind == "expiring":
                left = rng.choice((4 * 60_000, 25 * 60_000, 3 * HOUR_MS, 2 * DAY_MS, 9 * DAY_MS))
                seed.obj = replace(o, delete_after_time_ms=now_ms + left)
            else:
                seed.obj = replace(
                    o, is_public=True, account=PUBLIC_ACCOUNT if rng.random() < 0.5 else o.account
                )


def _retime(kind: str, now_ms: int, rng: random.Random) -> int:
    if kind == "uploading":  # stale: hours to days old
        return now_ms - rng.randint(2 * HOUR_MS, 6 * DAY_MS)
    if kind == "expired":
        return now_ms - rng.randint(2 * DAY_MS, 20 * DAY_MS)
    return now_ms - rng.randint(10 * 60_000, 20 * HOUR_MS)


def seed_demo(
    data_dir: Path, api_key: str, *, count: int = 240, now_ms: int | None = None, seed: int = 7
) -> None:
    """Write ``count`` realistic objects for the account of ``api_key`` (deterministic per seed)."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    rng = random.Random(seed)
    seeds = _demo_seeds(account_of(api_key), count, now, rng)
    store = Store(Path(data_dir))
    try:
        existing = store.existing_ids([s.obj.id for s in seeds])
        fresh = [s for s in seeds if s.obj.id not in existing]
        for s in fresh:
            if s.obj.state == READ_ONLY and s.content is not None and (s.obj.size_bytes or 0) > 0:
                store.write_content(s.obj.id, s.content, s.obj.size_bytes)
        store.insert_objects([s.obj for s in fresh])
    finally:
        store.close()


def seed_bulk(
    data_dir: Path, api_key: str, count: int, *, now_ms: int | None = None, seed: int = 1
) -> list[str]:
    """``count`` small READ_ONLY objects in one transaction; returns their ids, newest first."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    rng = random.Random(seed)
    account = account_of(api_key)
    kinds = ("text", "binary", "unspecified", "gzip")
    # Random base62 ids, made in bulk (a byte -> base62 table; the slight bias is harmless).
    letters = rng.randbytes(ID_RANDOM_LENGTH * count).translate(_BASE62_TABLE).decode("ascii")
    batches = [{"batch": f"b{b}"} for b in range(count // 1000 + 1)]
    objects = [
        NewObject(
            id=ID_PREFIX + letters[i * ID_RANDOM_LENGTH : (i + 1) * ID_RANDOM_LENGTH],
            account=account,
            name=f"bulk/{i // 1000:04d}/object-{i:07d}.txt",
            content_type=kinds[i % len(kinds)],
            create_time_ms=now - i * 1000,
            size_bytes=0,
            metadata=batches[i // 1000],
        )
        for i in range(count)
    ]
    store = Store(Path(data_dir))
    try:
        store.insert_objects(objects)
    finally:
        store.close()
    return [o.id for o in objects]
