from django.apps import AppConfig

_READ = [
    "patients.view_patient",
    "patients.view_consentform",
    "patients.view_signedconsent",
]


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and consent"
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
