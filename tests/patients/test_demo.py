import pytest
from django.core.management import call_command
from django.utils import timezone

from patients.models import Patient, SignedConsent
from tests.factories.treatments import ProductFactory


@pytest.mark.django_db
def test_demo_patients_have_realistic_consents_and_seeding_twice_adds_nothing():
    ProductFactory()  # the treatments seeder's products, in the real run
    call_command("seed_demo")
    counts = (Patient.objects.count(), SignedConsent.objects.count())
    call_command("seed_demo")

    assert (Patient.objects.count(), SignedConsent.objects.count()) == counts
    assert counts[0] >= 50
    assert SignedConsent.objects.filter(withdrawn_at__isnull=False).count() == 1
    assert SignedConsent.objects.filter(expires_at__lt=timezone.now()).exists()
    assert Patient.objects.filter(consents__isnull=True).exists()
