"""Presigned upload and download URLs, S3-style: HMAC over purpose, object id and expiry.

The purpose is signed, so an upload URL cannot be used to download and vice versa.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from runloop_tui.server.errors import Forbidden

UPLOAD = "upload"
DOWNLOAD = "download"
PURPOSES = (UPLOAD, DOWNLOAD)
BLOB_PATH = "/_blobs/"


class UrlSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, purpose: str, object_id: str, expires: int) -> str:
        message = f"{purpose}\n{object_id}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def url(self, base_url: str, purpose: str, object_id: str, expires: int) -> str:
        query = urlencode(
            {
                "X-Purpose": purpose,
                "X-Expires": str(expires),
                "X-Signature": self._mac(purpose, object_id, expires),
            }
        )
        return f"{base_url.rstrip('/')}{BLOB_PATH}{object_id}?{query}"

    def verify(
        self, purpose: str | None, object_id: str, expires: str | None, signature: str | None
    ) -> int:
        """Check a presented URL; returns its expiry (unix seconds). Raises Forbidden."""
        if purpose not in PURPOSES or expires is None or signature is None:
            raise Forbidden("the presigned URL is incomplete (X-Purpose, X-Expires, X-Signature)")
        try:
            when = int(expires)
        except ValueError:
            raise Forbidden("the presigned URL has an invalid X-Expires") from None
        # Compare bytes: compare_digest refuses non-ASCII str, and any text may arrive here.
        presented = signature.encode("utf-8", "surrogatepass")
        if not hmac.compare_digest(self._mac(purpose, object_id, when).encode(), presented):
            raise Forbidden("the presigned URL signature does not match")
        return when
