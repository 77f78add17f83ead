"""Figure 4: upload a large file through the client (create, PUT, complete).

Baseline: ``curl -T`` of the same file to a presigned upload URL of the same server (the
object is created and completed around it, untimed). The client runs in its own process,
which reports its RSS before the upload and its peak after.
"""

from __future__ import annotations

from pathlib import Path

from bench.core import Row
from bench.server import BenchContext
from bench.transfer import api, curl, make_source, transfer_rows


def run(ctx: BenchContext, source_dir: Path | None = None) -> list[Row]:
    sizes = ctx.sizes
    size = sizes.transfer_bytes
    directory = source_dir or ctx.server.work_dir
    source = make_source(directory / "upload-source.bin", size)
    client_s: list[float] = []
    curl_s: list[float] = []
    growth: list[float] = []
    curl_rss: list[float] = []
    try:
        with api(ctx, "transfer") as http:
            for i in range(sizes.transfer_runs):
                created = http.post(
                    "/v1/objects", json={"name": f"curl-{i}.bin", "content_type": "binary"}
                ).json()
                seconds, rss = curl(["-T", str(source), "-o", "/dev/null", created["upload_url"]])
                http.post(f"/v1/objects/{created['id']}/complete").raise_for_status()
                curl_s.append(seconds)
                curl_rss.append(rss)
                result = ctx.child(
                    "upload-client", {"path": str(source), "name": f"client-{i}.bin"}, "transfer"
                )
                client_s.append(float(result["seconds"]))
                growth.append(float(result["rss_growth_mb"]))
                # Keep the disk from filling up: delete both objects (the server drops content).
                for object_id in (created["id"], result["value"]):
                    http.post(f"/v1/objects/{object_id}/delete").raise_for_status()
    finally:
        source.unlink(missing_ok=True)
    return transfer_rows(
        4,
        "Upload",
        size,
        client_s,
        curl_s,
        growth,
        curl_rss,
        speed_note="MB = MiB here",
        memory_target_text="≤ 64 MB",
    )
