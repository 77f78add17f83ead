"""Real engines for the backend tests: a throwaway PostgreSQL cluster and moto's S3 server.

Where an engine is missing the tests skip with the reason; with
RUNLOOP_TUI_REQUIRE_ENGINES=1 (set by .ci/run) they fail instead, so CI never skips them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE_ENV = "RUNLOOP_TUI_REQUIRE_ENGINES"
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
S3_BUCKET = "runloop-test"
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
}


def missing(reason: str) -> None:
    """Skip with ``reason``, or fail when CI requires every engine."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


def _pg_bin() -> Path | None:
    for directory in PG_BIN_DIRS:
        if (directory / "pg_ctl").exists() and (directory / "initdb").exists():
            return directory
    on_path = shutil.which("initdb")  # Debian keeps initdb off PATH; other systems do not
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresCluster:
    root: Path
    port: int
    run_as: list[str]
    bin_dir: Path
    options: str = ""  # pg_ctl -o: what restart() starts it with again

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(statement.encode())
            return list(cursor.fetchall()) if cursor.description else []

    def restart(self) -> None:
        """Stop the server (fast: connections are cut) and start it again on the same port."""
        pg_ctl = [*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data")]
        env = {**os.environ, "LC_ALL": "C"}
        subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], check=True, capture_output=True)
        subprocess.run(
            [*pg_ctl, "-l", str(self.root / "log"), "-o", self.options, "-w", "-t", "60", "start"],
            check=True,
            capture_output=True,
            env=env,
            timeout=90,
        )

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.sql(f"CREATE DATABASE {name}")
        return self.url(name)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        missing("PostgreSQL is not installed (no pg_ctl on PATH or in /usr/lib/postgresql)")
        raise AssertionError("unreachable")
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            missing("running as root without runuser: cannot start PostgreSQL as 'postgres'")
        run_as = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="runloop-pg-"))
    if run_as:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run(
        [
            *run_as,
            *(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"),
            *("--no-sync", "-E", "UTF8", "--locale=C"),
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [
            *run_as,
            *(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log")),
            *("-o", options, "-w", "-t", "60", "start"),
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=90,
    )
    try:
        yield PostgresCluster(root, port, run_as, bin_dir, options)
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class S3Server:
    endpoint: str

    def env(self) -> dict[str, str]:
        return {**S3_ENV, "AWS_ENDPOINT_URL": self.endpoint}

    def new_prefix(self) -> str:
        return f"s3://{S3_BUCKET}/{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def s3_server() -> Iterator[S3Server]:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        missing("moto[server] is not installed (pip install -e '.[test]')")
        raise AssertionError("unreachable") from None
    import boto3

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, **_boto_env())
    client.create_bucket(Bucket=S3_BUCKET)
    try:
        yield S3Server(endpoint)
    finally:
        server.stop()


def _boto_env() -> dict[str, str]:
    return {
        "aws_access_key_id": S3_ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_ENV["AWS_SECRET_ACCESS_KEY"],
        "region_name": S3_ENV["AWS_REGION"],
    }


def s3_keys(server: S3Server, prefix_url: str) -> list[str]:
    """The keys under an s3://bucket/prefix URL, straight from the S3 server."""
    import boto3

    client = boto3.client("s3", endpoint_url=server.endpoint, **_boto_env())
    prefix = prefix_url.split(f"{S3_BUCKET}/", 1)[1] + "/"
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=S3_BUCKET, Prefix=prefix)
    return [item["Key"][len(prefix) :] for page in pages for item in page.get("Contents", [])]


def wait_for(check: object, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert callable(check)
        if check():
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
