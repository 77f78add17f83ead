"""Object ids, API keys and account identities."""

from __future__ import annotations

import hashlib
import re
import secrets
import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ID_PREFIX = "obj_"
ID_RANDOM_LENGTH = 22
_ID_RE = re.compile(r"obj_[0-9A-Za-z]{22}")


def new_object_id() -> str:
    """``obj_`` + 22 base62 characters (about 131 bits of randomness)."""
    return ID_PREFIX + "".join(secrets.choice(BASE62) for _ in range(ID_RANDOM_LENGTH))


def is_object_id(value: str) -> bool:
    return _ID_RE.fullmatch(value) is not None


def new_api_key() -> str:
    return "rk_local_" + "".join(secrets.choice(BASE62) for _ in range(32))


def account_of(api_key: str) -> str:
    """Accounts are identified by a hash of their key; raw keys are never stored."""
    return hashlib.sha256(api_key.encode("utf-8", "surrogatepass")).hexdigest()
