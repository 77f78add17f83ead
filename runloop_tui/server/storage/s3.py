"""S3-compatible content (AWS S3, Cloudflare R2, Ceph RGW, SeaweedFS, Garage).

Driver: aiobotocore, botocore's asyncio port: botocore's own SigV4 presigner (the one the AWS
CLI uses), AWS's standard settings (``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``) and its retry modes. Content bytes never pass
through this server: clients PUT and GET presigned URLs on the store itself.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any
from urllib.parse import urlsplit

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from runloop_tui.server.errors import InvalidArgument
from runloop_tui.server.storage.base import BackendUnavailable, Measure

DELETE_BATCH = 1000  # DeleteObjects' limit


class S3Error(BackendUnavailable):
    """The S3 store could not be reached or refused a request."""


class S3Content:
    served_here = False

    def __init__(self, bucket: str, prefix: str, public_endpoint: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
        self.public_endpoint = public_endpoint or self.endpoint
        self.region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        self.description = f"s3://{bucket}/{prefix}" + (
            f" at {self.endpoint}" if self.endpoint else ""
        )
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: Any = None
        self._presigner: Any = None

    @classmethod
    def from_url(cls, url: str, public_endpoint: str | None = None) -> S3Content:
        parts = urlsplit(url)
        if not parts.netloc:
            raise ValueError(f"--content-url {url!r}: expected s3://BUCKET/PREFIX")
        prefix = parts.path.lstrip("/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return cls(parts.netloc, prefix, public_endpoint)

    def key(self, object_id: str) -> str:
        return f"{self.prefix}{object_id}"

    def _config(self) -> AioConfig:
        # A custom endpoint (R2, Garage, a loopback test server) rarely has per-bucket DNS.
        style = "path" if self.endpoint else "auto"
        return AioConfig(
            signature_version="s3v4",
            s3={"addressing_style": style},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        )

    async def open(self) -> None:
        stack = contextlib.AsyncExitStack()
        session = get_session()

        async def client(endpoint: str | None) -> Any:
            return await stack.enter_async_context(
                session.create_client(
                    "s3", endpoint_url=endpoint, region_name=self.region, config=self._config()
                )
            )

        try:
            self._client = await client(self.endpoint)
            self._presigner = self._client
            if self.public_endpoint != self.endpoint:
                self._presigner = await client(self.public_endpoint)
            await self._client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            await stack.aclose()
            raise S3Error(f"cannot use bucket {self.bucket!r}: {exc}") from None
        self._stack = stack

    async def close(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def upload_target(
        self, base_url: str, object_id: str, expires_in: int
    ) -> tuple[str, dict[str, str] | None]:
        # Nothing but the host is signed, so the client sends no extra headers.
        url = await self._presigner.generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": self.key(object_id)},
            ExpiresIn=expires_in,
        )
        return str(url), None

    async def download_url(self, base_url: str, object_id: str, expires_in: int) -> str:
        url = await self._presigner.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self.key(object_id)},
            ExpiresIn=expires_in,
        )
        return str(url)

    async def measure(self, object_id: str) -> Measure:
        try:
            head = await self._client.head_object(Bucket=self.bucket, Key=self.key(object_id))
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                raise InvalidArgument(
                    f"object {object_id}: nothing was uploaded to its upload_url;"
                    " PUT the content (even empty) before completing"
                ) from None
            raise S3Error(f"HeadObject failed for {object_id}: {exc}") from None
        size = int(head["ContentLength"])
        return lambda: size

    async def remove(self, object_ids: list[str]) -> None:
        for start in range(0, len(object_ids), DELETE_BATCH):
            chunk = object_ids[start : start + DELETE_BATCH]
            try:
                answer = await self._client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": self.key(i)} for i in chunk], "Quiet": True},
                )
            except (BotoCoreError, ClientError) as exc:
                raise S3Error(f"DeleteObjects failed: {exc}") from None
            errors = [e for e in answer.get("Errors", []) if e.get("Code") != "NoSuchKey"]
            if errors:
                raise S3Error(f"DeleteObjects failed for {len(errors)} keys: {errors[0]}")
