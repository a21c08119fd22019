"""One class per meaning, one code per class (clinic/core/errors.py ERROR_CODES)."""

import pytest

from clinic.core.errors import ERROR_CODES, RuleViolation


def test_a_second_class_cannot_claim_a_code_already_taken():
    with pytest.raises(TypeError, match="already means"):
        type("AnotherReason", (RuleViolation,), {"code": "reason_required"})


def test_the_codes_that_meant_one_thing_twice_are_one_class():
    import clinic.errors
    import patients.errors
    import treatments.errors

    assert treatments.errors.ReasonRequired is clinic.errors.ReasonRequired
    assert ERROR_CODES["reason_required"] is treatments.errors.ReasonRequired
    assert ERROR_CODES["witness_invalid"] is treatments.errors.WitnessInvalid
    assert "invalid_witness" not in ERROR_CODES
    assert all(c.code == code for code, c in ERROR_CODES.items())
    assert patients.errors.DuplicatePatient is ERROR_CODES["duplicate_patient"]


def test_the_api_documentation_lists_every_code_with_its_status():
    from drf_spectacular.generators import SchemaGenerator

    from clinic.core.api.exceptions import domain_status

    schema = SchemaGenerator().get_schema(request=None, public=True)
    listed = schema["components"]["schemas"]["Error"]["properties"]["code"]
    parts = dict(
        part.split(": ", 1)
        for part in listed["description"].split("HTTP status: ")[1].split("; ")
    )

    for code, error in ERROR_CODES.items():
        assert f"`{code}`" in parts[str(domain_status(error))], code
    assert "`duplicate_patient`" in parts["409"]
    assert "`reason_required`" in parts["400"]
