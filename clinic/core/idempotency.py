from django.conf import settings
from django.db import models

from clinic.core.dates import validate_stored_date_in_range


class IdempotencyRecord(models.Model):
    """The first successful response to a create request sent with an
    Idempotency-Key, replayed to retries of the same request by the same user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and canonical body: same key + other body -> 422.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(
        db_index=True, validators=[validate_stored_date_in_range]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="unique_idempotency_key_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
