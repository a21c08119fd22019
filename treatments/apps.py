from django.apps import AppConfig

_READ = [
    "treatments.view_product",
    "treatments.view_lot",
    "treatments.view_stockmovement",
    "treatments.view_administration",
    "treatments.view_administrationamendment",
    "treatments.view_followupnote",
    "treatments.view_followupnoteamendment",
    "treatments.view_adverseevent",
]
# Clinicians write and sign follow-up notes and adverse events (managers hold
# the clinician role too: "everything above", docs/product.md "Who uses it").
_OUTCOMES = [
    "treatments.add_followupnote",
    "treatments.change_followupnote",
    "treatments.add_adverseevent",
    "treatments.change_adverseevent",
]


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"
    # Admin permissions per role (the API checks roles itself). Front desk sees
    # nothing here; nobody may delete.
    role_permissions: dict[str, list[str]] = {
        "clinician": [
            *_READ,
            "treatments.add_administration",
            "treatments.change_administration",
            *_OUTCOMES,
        ],
        "manager": [
            *_READ,
            "treatments.add_administration",
            "treatments.change_administration",
            "treatments.add_product",
            "treatments.change_product",
            "treatments.add_lot",
            "treatments.change_lot",
            "treatments.add_stockmovement",
            *_OUTCOMES,
        ],
    }
