"""The TLS context for both HTTP clients: httpx's defaults, with the trust store loaded late.

Loading the CA certificates costs 40-50 ms of CPU at every start (measured), and against the
local server, the default without an API key, every URL is plain http and nothing needs
them. So they load on the first TLS handshake instead of at start-up. Verification itself is
the same as httpx's `create_ssl_context()`: hostname checked, certificate required, the
certifi bundle unless SSL_CERT_FILE or SSL_CERT_DIR names another.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from typing import Any


class LazyTrustContext(ssl.SSLContext):
    """An SSLContext that loads its trusted certificates just before the first handshake."""

    _environ: Mapping[str, str] = os.environ
    _trust_loaded = False

    def load_trust(self) -> None:
        if self._trust_loaded:
            return
        self._trust_loaded = True
        cafile = self._environ.get("SSL_CERT_FILE")
        capath = self._environ.get("SSL_CERT_DIR")
        if cafile:
            self.load_verify_locations(cafile=cafile)
        elif capath:
            self.load_verify_locations(capath=capath)
        else:
            import certifi  # httpx's own dependency

            self.load_verify_locations(cafile=certifi.where())

    # The two ways a handshake starts: asyncio and anyio wrap a BIO, blocking code a socket.
    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self.load_trust()
        return super().wrap_bio(*args, **kwargs)

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self.load_trust()
        return super().wrap_socket(*args, **kwargs)


def lazy_tls_context(environ: Mapping[str, str] | None = None) -> LazyTrustContext:
    """Hostname checks and certificate verification on, as ``ssl.create_default_context``."""
    context = LazyTrustContext(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname, CERT_REQUIRED
    if environ is not None:
        context._environ = environ
    return context
