"""Figure 5: download a large object through the client (to a part file, fsync, rename).

Baseline: ``curl -o`` of a presigned download URL of the same object on the same server.
The client runs in its own process, which reports its RSS before and its peak after.
"""

from __future__ import annotations

from pathlib import Path

from bench.core import Row
from bench.server import BenchContext
from bench.transfer import api, curl, make_source, transfer_rows


def run(ctx: BenchContext, work_dir: Path | None = None) -> list[Row]:
    sizes = ctx.sizes
    size = sizes.transfer_bytes
    directory = work_dir or ctx.server.work_dir
    source = make_source(directory / "download-source.bin", size)
    dest = directory / "downloaded.bin"
    client_s: list[float] = []
    curl_s: list[float] = []
    growth: list[float] = []
    curl_rss: list[float] = []
    try:
        with api(ctx, "transfer") as http:
            created = http.post(
                "/v1/objects", json={"name": "download-me.bin", "content_type": "binary"}
            ).json()
            _, _ = curl(["-T", str(source), "-o", "/dev/null", created["upload_url"]])
            source.unlink()
            http.post(f"/v1/objects/{created['id']}/complete").raise_for_status()
            object_id = created["id"]
            for _ in range(sizes.transfer_runs):
                url = http.get(f"/v1/objects/{object_id}/download").json()["download_url"]
                seconds, rss = curl(["-o", str(dest), url])
                if dest.stat().st_size != size:
                    raise RuntimeError("curl downloaded the wrong number of bytes")
                dest.unlink()
                curl_s.append(seconds)
                curl_rss.append(rss)
                result = ctx.child(
                    "download-client", {"object_id": object_id, "dest": str(dest)}, "transfer"
                )
                if dest.stat().st_size != size:
                    raise RuntimeError("the client downloaded the wrong number of bytes")
                dest.unlink()
                client_s.append(float(result["seconds"]))
                growth.append(float(result["rss_growth_mb"]))
            http.post(f"/v1/objects/{object_id}/delete").raise_for_status()
    finally:
        source.unlink(missing_ok=True)
        dest.unlink(missing_ok=True)
    return transfer_rows(
        5,
        "Download",
        size,
        client_s,
        curl_s,
        growth,
        curl_rss,
        speed_note="the client also fsyncs the file before renaming it into place, curl does not",
        memory_target_text="≤ 64 MB (constant)",
    )
