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
    server_cpu: list[tuple[float, float]] = []  # (during curl, during the client) per run
    try:
        with api(ctx, "transfer") as http:
            for i in range(sizes.transfer_runs):
                created = http.post(
                    "/v1/objects", json={"name": f"curl-{i}.bin", "content_type": "binary"}
                ).json()
                cpu_before = ctx.server.cpu_seconds()
                seconds, rss = curl(["-T", str(source), "-o", "/dev/null", created["upload_url"]])
                curl_cpu = ctx.server.cpu_seconds() - cpu_before
                http.post(f"/v1/objects/{created['id']}/complete").raise_for_status()
                curl_s.append(seconds)
                curl_rss.append(rss)
                # Each upload is deleted (the server drops its content) before the next one
                # starts, so both start from the same state: deleting both after the pair let
                # curl's upload always follow the freeing of 2 GiB of page cache. The server's
                # CPU for the same upload varies 2x with such state on this VM (see the note).
                http.post(f"/v1/objects/{created['id']}/delete").raise_for_status()
                result = ctx.child(
                    "upload-client", {"path": str(source), "name": f"client-{i}.bin"}, "transfer"
                )
                client_s.append(float(result["seconds"]))
                growth.append(float(result["rss_growth_mb"]))
                server_cpu.append((curl_cpu, float(result["server_cpu_s"])))
                http.post(f"/v1/objects/{result['value']}/delete").raise_for_status()
    finally:
        source.unlink(missing_ok=True)
    rows = transfer_rows(
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
    rows[0].notes.append(
        "server CPU seconds per run (curl / client): "
        + ", ".join(f"{a:.2f} / {b:.2f}" for a, b in server_cpu)
    )
    return rows
