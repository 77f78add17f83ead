"""Objects made and listed over raw httpx, beside the client under test (not through it)."""

from __future__ import annotations

import httpx

from tests.conftest import API_KEY


def _auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def put_object(
    base_url: str,
    name: str,
    *,
    api_key: str = API_KEY,
    data: bytes = b"x",
    content_type: str = "text",
) -> str:
    """Create, upload and complete an object; its id."""
    made = httpx.post(
        f"{base_url}/v1/objects",
        json={"name": name, "content_type": content_type},
        headers=_auth(api_key),
        timeout=10,
    )
    made.raise_for_status()
    body = made.json()
    httpx.put(body["upload_url"], content=data, timeout=10).raise_for_status()
    httpx.post(
        f"{base_url}/v1/objects/{body['id']}/complete", headers=_auth(api_key), timeout=10
    ).raise_for_status()
    object_id: str = body["id"]
    return object_id


def list_objects(
    base_url: str, *, api_key: str = API_KEY, limit: int = 1000, state: str | None = None
) -> list[dict[str, object]]:
    """One page of the listing (of the objects in ``state`` if given), as the server sends it."""
    params: dict[str, str | int] = {"limit": limit}
    if state is not None:
        params["state"] = state
    response = httpx.get(
        f"{base_url}/v1/objects", params=params, headers=_auth(api_key), timeout=10
    )
    response.raise_for_status()
    objects: list[dict[str, object]] = response.json()["objects"]
    return objects


def get_object(base_url: str, object_id: str, *, api_key: str = API_KEY) -> dict[str, object]:
    response = httpx.get(f"{base_url}/v1/objects/{object_id}", headers=_auth(api_key), timeout=10)
    response.raise_for_status()
    view: dict[str, object] = response.json()
    return view
