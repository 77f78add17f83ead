"""Directory content shared by replicas: one signing key file, URLs valid on every replica."""

from __future__ import annotations

from pathlib import Path

import httpx

from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.storage.select import StorageConfig
from tests.conftest import API_KEY
from tests.server.conftest import client_for, complete, create, expect_error
from tests.server.engines import PostgresCluster


def test_replicas_sharing_a_key_file_accept_each_others_urls(
    pg_cluster: PostgresCluster, tmp_path: Path
) -> None:
    key_file = tmp_path / "signing.key"
    key_file.write_text("0123456789abcdef" * 4)
    shared = tmp_path / "shared-content"
    storage = StorageConfig(
        metadata_url=pg_cluster.new_database(),
        content_url=str(shared),
        signing_key_file=key_file,
    )
    with (
        EmbeddedServer(tmp_path / "a", [API_KEY], storage=storage) as a,
        EmbeddedServer(tmp_path / "b", [API_KEY], storage=storage) as b,
        client_for(a, API_KEY) as on_a,
        client_for(b, API_KEY) as on_b,
    ):
        view = create(on_a)
        assert view["upload_url"].startswith(a.base_url)
        # The same signed URL, sent to the other replica (as a load balancer would).
        via_b = view["upload_url"].replace(a.base_url, b.base_url)
        assert httpx.put(via_b, content=b"through b").status_code == 200
        assert complete(on_a, view["id"])["size_bytes"] == len(b"through b")
        link = on_b.get(f"/v1/objects/{view['id']}/download").json()["download_url"]
        assert httpx.get(link.replace(b.base_url, a.base_url)).content == b"through b"
        assert not (tmp_path / "a" / "signing.key").exists()  # the file given is the key
    # A replica with another key rejects those URLs.
    other = StorageConfig(metadata_url=storage.metadata_url, content_url=str(shared))
    with EmbeddedServer(tmp_path / "c", [API_KEY], storage=other) as c:
        forged = link.replace(b.base_url, c.base_url)
        expect_error(httpx.get(forged), 403, "signature")


def test_postgres_with_a_directory_removes_this_hosts_dead_uploads(
    pg_cluster: PostgresCluster, tmp_path: Path
) -> None:
    import subprocess
    import sys

    from runloop_tui.server.storage.directory import HOST_TAG

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # gone: its pid names a dead process
    content = tmp_path / "content"
    (content / "tmp").mkdir(parents=True)
    ours = content / "tmp" / f"{child.pid}-0123456789abcdef-{HOST_TAG}.part"
    other_host = content / "tmp" / f"{child.pid}-0123456789abcdef-00000000.part"
    for path in (ours, other_host):
        path.write_bytes(b"partial")
    storage = StorageConfig(metadata_url=pg_cluster.new_database(), content_url=str(content))
    with EmbeddedServer(tmp_path / "a", [API_KEY], storage=storage):
        assert not ours.exists()
        assert other_host.exists()  # another host's replica may still be writing it
