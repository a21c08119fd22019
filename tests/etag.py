"""Updates sent as a careful client sends them: PATCH and PUT carry the ETag
of a fresh read as If-Match (the API answers 428 without one)."""

from typing import Any


def current_etag(client: Any, path: str) -> dict[str, str]:
    """The If-Match header for `path`'s record as `client` reads it now (the
    representation, and so the ETag, can depend on the reader's role); empty
    when the client cannot read it."""
    etag = client.get(path).get("ETag")
    return {"HTTP_IF_MATCH": etag} if etag else {}


def patch(client: Any, path: str, data: Any = None, **extra: Any) -> Any:
    extra.setdefault("format", "json")
    return client.patch(path, data, **current_etag(client, path), **extra)
