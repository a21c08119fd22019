import datetime as dt

import pytest

from patients.models import Patient
from tests.factories.patients import PatientFactory


@pytest.fixture
def people(db):
    return {
        "jose": PatientFactory(
            given_name="José",
            family_name="Núñez",
            search_name="jose nunez",
            date_of_birth=dt.date(1980, 5, 17),
            phone="+12125550123",
        ),
        "ann": PatientFactory(
            given_name="Ann",
            family_name="Smith",
            search_name="ann smith",
            date_of_birth=dt.date(1990, 1, 2),
            phone="+12125550999",
        ),
    }


def _found(text):
    return set(Patient.objects.search(text).values_list("given_name", flat=True))


@pytest.mark.parametrize("text", ["nunez", "NÚÑEZ", "jos", "José Nú", "ez"])
def test_name_fragments_match_ignoring_case_and_accents(people, text):
    assert _found(text) == {"José"}


def test_mrn_and_its_prefix_match(people):
    mrn = people["ann"].mrn
    assert _found(mrn) == {"Ann"}
    assert _found(mrn.lower()) == {"Ann"}


@pytest.mark.parametrize("text", ["1990-01-02", "01/02/1990"])
def test_date_of_birth_matches(people, text):
    assert _found(text) == {"Ann"}


@pytest.mark.parametrize("text", ["+12125550123", "(212) 555-0123", "212 555 0123"])
def test_phone_matches_in_any_format(people, text):
    assert _found(text) == {"José"}


def test_unrelated_text_matches_nobody(people):
    assert _found("zzz") == set()


def test_a_search_longer_than_any_full_name_matches_nobody(people):
    # SQLite refused the LIKE pattern of a 100,000-character search (a 500).
    longest = "José " + "n" * 196
    assert len(longest) == 201
    assert _found(longest) == set()
    assert _found("nunez " * 20_000) == set()
