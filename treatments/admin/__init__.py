"""Admin registrations of the treatments app."""

from treatments.admin import administrations, inventory, outcomes

__all__ = ["administrations", "inventory", "outcomes"]
