from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from clinic.core.codes import Route, unknown_codes


def validate_routes(value: object) -> None:
    bad = unknown_codes(value, Route)
    if bad or not value:
        raise ValidationError(
            "Give a non-empty list of route codes (%(choices)s); unknown: %(bad)s",
            params={"choices": ", ".join(Route.values), "bad": ", ".join(bad) or "-"},
        )


class Product(models.Model):
    """A biologic product; consent forms name the products they cover."""

    class SourceMaterial(models.TextChoices):
        UMBILICAL_CORD_MSC = "umbilical_cord_msc", "Umbilical-cord MSC"
        PLACENTAL = "placental", "Placental"
        ADIPOSE_MSC = "adipose_msc", "Adipose MSC"
        BONE_MARROW_MSC = "bone_marrow_msc", "Bone-marrow MSC"
        PLATELET_DERIVED = "platelet_derived", "Platelet-derived"
        OTHER = "other", "Other"

    class IsolationMethod(models.TextChoices):
        ULTRACENTRIFUGATION = "ultracentrifugation", "Ultracentrifugation"
        SIZE_EXCLUSION = "size_exclusion", "Size-exclusion chromatography"
        ULTRAFILTRATION_TFF = (
            "ultrafiltration_tff",
            "Ultrafiltration / tangential-flow filtration",
        )
        POLYMER_PRECIPITATION = "polymer_precipitation", "Polymer precipitation"
        IMMUNOAFFINITY = "immunoaffinity", "Immunoaffinity"

    name = models.CharField(max_length=200)
    manufacturer = models.CharField(max_length=200)
    source_material = models.CharField(max_length=32, choices=SourceMaterial.choices)
    isolation_method = models.CharField(max_length=32, choices=IsolationMethod.choices)
    allowed_routes = models.JSONField(validators=[validate_routes])
    ind_number = models.CharField("IND number", max_length=32, blank=True)
    ind_sponsor = models.CharField("IND sponsor", max_length=200, blank=True)
    regulatory_disclosure = models.TextField(
        blank=True,
        help_text="Required when not given under an IND, e.g. 'This product is not"
        " approved by the FDA.'",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "manufacturer"], name="unique_product_per_manufacturer"
            ),
            # Under an IND (number and sponsor), or else an explicit disclosure.
            models.CheckConstraint(
                condition=(~models.Q(ind_number="") & ~models.Q(ind_sponsor=""))
                | (
                    models.Q(ind_number="")
                    & models.Q(ind_sponsor="")
                    & ~models.Q(regulatory_disclosure="")
                ),
                name="product_ind_or_disclosure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.manufacturer})"

    @property
    def under_ind(self) -> bool:
        return bool(self.ind_number)

    def allows_route(self, route: str) -> bool:
        return route in self.allowed_routes
