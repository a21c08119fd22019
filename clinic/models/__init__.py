from clinic.models.idempotency import IdempotencyRecord
from clinic.models.locations import Location
from clinic.models.tokens import ApiToken

__all__ = ["ApiToken", "IdempotencyRecord", "Location"]
