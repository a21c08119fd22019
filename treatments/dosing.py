"""Dose arithmetic: particle counts from a lot's concentration and a volume."""

from decimal import ROUND_HALF_EVEN, Decimal


def particle_count(*, particles_per_ml: int, dose_volume_ml: Decimal) -> int:
    """Particles in a dose: concentration x volume, to the nearest whole particle."""
    exact = Decimal(particles_per_ml) * dose_volume_ml
    return int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))


def volume_in_vials_ml(*, vials: int, vial_volume_ml: Decimal) -> Decimal:
    return vial_volume_ml * vials
