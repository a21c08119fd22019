"""Admin registrations of the treatments app."""

from treatments.admin import administrations, inventory

__all__ = ["administrations", "inventory"]
