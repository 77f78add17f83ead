"""Random values that a JSON schema admits, biased towards the edges a client forgets.

The schemas are the Objects API's own (tests/support/objects_schemas.json, vendored from the
spec). Only the subset the spec uses is understood: object, array, string, integer, boolean,
enum, null, $ref. Integers lean on their bounds (int64 extremes, 0, -1, today's clock), and
strings on what breaks a terminal (empty, control, bidi and zero-width characters, very long,
wide characters), so a few hundred responses reach the odd corners. Seeded: a seed replays.
"""

from __future__ import annotations

import json
import random
import string
import time
from pathlib import Path
from typing import Any

SCHEMAS_PATH = Path(__file__).with_name("objects_schemas.json")

_ODD_STRINGS = (
    "",
    " ",
    "\x1b[31mred\x1b[0m",
    "\x1b]52;c;aGk=\x07",
    "exe.\u202etxt",
    "zero\u200bwidth",
    "\u2028line",
    "[bold]markup[/]",
    "[link=http://x]y[/link]",
    "😀" * 40,
    "\uff57\uff49\uff44\uff45",  # fullwidth letters
    "a" * 5000,
    "\x00nul",
    "../../etc/passwd",
    "obj_" + "x" * 20,
)
_ALPHABET = string.ascii_letters + string.digits + "_-./ "


class SchemaRandom:
    def __init__(self, seed: int, path: Path = SCHEMAS_PATH) -> None:
        self.rng = random.Random(seed)
        self.definitions: dict[str, Any] = json.loads(path.read_text())["definitions"]

    def value(self, name: str) -> Any:
        return self._gen(self.definitions[name], depth=0)

    def _gen(self, schema: dict[str, Any], depth: int) -> Any:
        rng = self.rng
        if "$ref" in schema:
            return self._gen(self.definitions[schema["$ref"].rsplit("/", 1)[-1]], depth)
        if "enum" in schema:
            return rng.choice(schema["enum"])
        kinds = schema.get("type", "string")
        kind = rng.choice(kinds) if isinstance(kinds, list) else kinds
        if kind == "null":
            return None
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "integer":
            return self._integer(schema)
        if kind == "string":
            return self._string()
        if kind == "array":
            items = schema.get("items", {})
            # Mostly small pages, sometimes a big one (the paging and parsing paths).
            count = rng.choice((0, 1, 2, 3, 5, 10, 50)) if rng.random() < 0.9 else 1000
            if depth > 2:
                count = min(count, 3)
            return [self._gen(items, depth + 1) for _ in range(count)]
        if kind == "object":
            return self._object(schema, depth)
        raise ValueError(f"unsupported schema type {kind!r}")

    def _integer(self, schema: dict[str, Any]) -> int:
        low = int(schema.get("minimum", -(2**63)))
        high = int(schema.get("maximum", 2**63 - 1))
        now_ms = int(time.time() * 1000)
        edges = [low, high, 0, -1, 1, now_ms, now_ms + 3_600_000, now_ms - 86_400_000]
        pick = self.rng.random()
        if pick < 0.4:
            value = self.rng.choice(edges)
        elif pick < 0.7:
            value = self.rng.randint(0, 10**7)
        else:
            value = self.rng.randint(low, high)
        return max(low, min(high, value))

    def _string(self) -> str:
        rng = self.rng
        pick = rng.random()
        if pick < 0.3:
            return rng.choice(_ODD_STRINGS)
        if pick < 0.4:
            return "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(1, 30)))
        return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 24)))

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        rng = self.rng
        out: dict[str, Any] = {}
        required = set(schema.get("required", ()))
        for key, sub in schema.get("properties", {}).items():
            if key in required or rng.random() < 0.7:
                out[key] = self._gen(sub, depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for _ in range(rng.choice((0, 0, 1, 3))):
                out[self._string()] = self._gen(extra, depth + 1)
        return out
