from django.apps import AppConfig

from clinic.core.roles import CLINICAL_ROLES

_READ = [
    "patients.view_patient",
    "patients.view_consentform",
    "patients.view_signedconsent",
]


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and consent"
    # Fields only some roles read (and so write): the relevant history is
    # clinical. The API's serializers and every admin page apply this one
    # declaration (clinic/core/field_rules.py, clinic/core/admin_fields.py).
    field_read_roles = {"Patient": {"history_notes": CLINICAL_ROLES}}
    # Admin permissions; deletion is never granted (and refused by the models).
    role_permissions = {
        "front_desk": [
            *_READ,
            "patients.add_patient",
            "patients.change_patient",
            "patients.add_signedconsent",
            "patients.change_signedconsent",  # withdraw
        ],
        "clinician": [*_READ, "patients.change_signedconsent"],
        "manager": [
            *_READ,
            "patients.add_patient",
            "patients.change_patient",
            "patients.add_signedconsent",
            "patients.change_signedconsent",
            "patients.add_consentform",
            "patients.change_consentform",
        ],
    }
