import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import F

from clinic.models import ApiToken
from clinic.models.tokens import hash_token_key
from clinic.roles import remember_roles


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
    """The usable token with this key and an active user, or None.

    One query: the token, its user and the user's group names (one row per
    group), so that the role check after it needs no query of its own."""
    rows = list(
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token_key(raw_key))
        .annotate(group_name=F("user__groups__name"))
    )
    if not rows:
        return None
    token = rows[0]
    if not token.is_usable(at=now) or not token.user.is_active:
        return None
    remember_roles(token.user, [row.group_name for row in rows if row.group_name])
    return token
