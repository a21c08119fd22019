import secrets
from datetime import datetime
from typing import Any

from django.conf import settings

from clinic.models import ApiToken
from clinic.models.tokens import hash_token_key


def token_issue(*, user: Any, now: datetime, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user` expiring after API_TOKEN_TTL; returns it and the raw
    key, which is shown once and never stored."""
    raw_key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token_key(raw_key),
        key_prefix=raw_key[:8],
        name=name,
        created_at=now,
        expires_at=now + settings.API_TOKEN_TTL,
    )
    return token, raw_key


def token_revoke(*, token: ApiToken, now: datetime) -> None:
    """Revoke the token; revoking twice keeps the first revocation time."""
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])


def token_authenticate(*, raw_key: str, now: datetime) -> ApiToken | None:
    """The usable token with this key and an active user, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token_key(raw_key))
        .first()
    )
    if token is None or not token.is_usable(at=now) or not token.user.is_active:
        return None
    return token
