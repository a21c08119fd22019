"""Reusable read-only filters for patients and consents."""

import datetime as dt
import re

import phonenumbers
from django.conf import settings
from django.db import models

from clinic.core.audit import NoDeleteQuerySet
from patients.mrn import PREFIX
from patients.naming import fold

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
# A search is at most a full name (two 100-character parts and a space).
MAX_SEARCH_LENGTH = 201


def _as_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


def _as_e164(text: str) -> str | None:
    if len(re.sub(r"\D", "", text)) < 7 or re.search(r"[A-Za-z]", text):
        return None
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PatientQuerySet(NoDeleteQuerySet):
    def active(self) -> "PatientQuerySet":
        return self.filter(active=True)

    def search(self, text: str) -> "PatientQuerySet":
        """MRN (or its start), date of birth, phone, or name fragments, any of them.

        Name matching is case- and accent-insensitive over the folded
        `search_name`; on PostgreSQL a trigram index serves the LIKE.
        """
        text = text.strip()
        if not text:
            return self
        if len(text) > MAX_SEARCH_LENGTH:
            # Longer than any name, MRN, phone or date: it matches nobody, and
            # SQLite refuses a LIKE pattern past 50,000 bytes (was a 500).
            return self.none()
        condition = models.Q()
        upper = text.upper().replace(" ", "")
        if upper.startswith(PREFIX) or upper.isdigit():
            condition |= models.Q(
                mrn__startswith=upper
                if upper.startswith(PREFIX)
                else f"{PREFIX}{upper}"
            )
        day = _as_date(text)
        if day is not None:
            condition |= models.Q(date_of_birth=day)
        e164 = _as_e164(text)
        if e164 is not None:
            condition |= models.Q(phone=e164)
        tokens = fold(text).split()
        if tokens and day is None and e164 is None:
            name = models.Q()
            for token in tokens:
                name &= models.Q(search_name__contains=token)
            condition |= name
        return self.filter(condition) if condition else self.none()


class SignedConsentQuerySet(NoDeleteQuerySet):
    def in_force_at(self, at: dt.datetime) -> "SignedConsentQuerySet":
        """Signed by `at`, not withdrawn or expired by then (coverage not checked)."""
        return self.filter(
            models.Q(signed_at__lte=at),
            models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_at__gt=at),
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at),
        )
