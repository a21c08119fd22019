import hashlib
from datetime import datetime

from django.conf import settings
from django.db import models

from clinic.dates import validate_stored_date_in_range


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
