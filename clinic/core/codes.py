"""Clinical vocabularies shared by consent (patients) and administrations
(treatments). Plumbing level, so both apps can import it."""

from django.db import models


class Route(models.TextChoices):
    """Route of administration; SNOMED CT codes in ROUTE_SNOMED."""

    INTRAVENOUS = "intravenous", "Intravenous"
    INTRAMUSCULAR = "intramuscular", "Intramuscular"
    SUBCUTANEOUS = "subcutaneous", "Subcutaneous"
    INTRADERMAL = "intradermal", "Intradermal"
    INTRANASAL = "intranasal", "Intranasal"
    INTRA_ARTICULAR = "intra_articular", "Intra-articular"
    TOPICAL = "topical", "Topical"
    INHALED = "inhaled", "Inhaled"


ROUTE_SNOMED: dict[str, str] = {
    Route.INTRAVENOUS: "47625008",
    Route.INTRAMUSCULAR: "78421000",
    Route.SUBCUTANEOUS: "34206005",
    Route.INTRADERMAL: "372464004",
    Route.INTRANASAL: "46713006",
    Route.INTRA_ARTICULAR: "12130007",
    Route.TOPICAL: "6064005",
    Route.INHALED: "447694001",  # respiratory tract route (inhalation)
}

# Routes that need a body site recorded (where on the body it went in).
ROUTES_NEEDING_BODY_SITE = frozenset(
    {
        Route.INTRAMUSCULAR,
        Route.SUBCUTANEOUS,
        Route.INTRADERMAL,
        Route.INTRA_ARTICULAR,
        Route.TOPICAL,
    }
)


class Indication(models.TextChoices):
    TISSUE_REPAIR = "tissue_repair", "Tissue repair"
    ONCOLOGY = "oncology", "Oncology"
    NEUROLOGICAL = "neurological", "Neurological"
    IMMUNE = "immune", "Immune / autoimmune"
    OTHER = "other", "Other"


def unknown_codes(values: object, choices: type[models.TextChoices]) -> list[str]:
    """The entries of `values` that are not codes of `choices` (all, if not a list)."""
    if not isinstance(values, list):
        return [repr(values)]
    return [repr(v) for v in values if v not in choices.values]
