"""API tokens: the model and its verbs (issue, revoke, authenticate). Plumbing:
the API's authentication reads it, and no domain module is needed for it."""

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F

from clinic.core.dates import validate_stored_date_in_range
from clinic.core.roles import remember_roles


def hash_token_key(raw_key: str) -> str:
    # Keys are 256-bit random, so a fast hash is enough: no dictionary to attack.
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiToken(models.Model):
    """An expiring, revocable API token. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, shown in the admin to tell tokens apart.
    key_prefix = models.CharField(max_length=8, editable=False)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(validators=[validate_stored_date_in_range])
    revoked_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )
    last_used_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_stored_date_in_range]
    )

    class Meta:
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    def is_usable(self, *, at: datetime) -> bool:
        return self.revoked_at is None and at < self.expires_at


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
