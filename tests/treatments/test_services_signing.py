import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clinic.core.codes import Route
from clinic.core.errors import Conflict, DeletionRefused, NotPermitted, RuleViolation
from clinic.core.roles import Role
from tests.factories.users import DEFAULT_PASSWORD, UserFactory
from treatments.models import Administration, AdministrationAmendment
from treatments.services import (
    administration_amend,
    administration_mark_entered_in_error,
    administration_sign,
    administration_update,
)
from treatments.verification import signature_mismatches

HOUR = dt.timedelta(hours=1)


def _sign(administration, signer, **overrides):
    values = {
        "administration": administration,
        "actor": signer,
        "password": DEFAULT_PASSWORD,
        "meaning": "performed",
    }
    values.update(overrides)
    return administration_sign(**values)


def _amend(administration, actor, **overrides):
    values = {
        "administration": administration,
        "actor": actor,
        "password": DEFAULT_PASSWORD,
        "reason": "Dose volume misread from the syringe",
        "changes": {"dose_volume_ml": Decimal("1.20")},
    }
    values.update(overrides)
    return administration_amend(**values)


@pytest.fixture
def signed(record, clinician):
    return _sign(record(), clinician)


def test_signing_records_signer_meaning_and_a_verifiable_digest(record, clinician):
    draft = record()
    now = timezone.now()

    signed = _sign(draft, clinician, now=now)

    signed.refresh_from_db()
    assert signed.status == Administration.Status.SIGNED
    assert (signed.signed_by, signed.signed_at) == (clinician, now)
    assert signed.signature_meaning == "performed"
    assert len(signed.signature_digest) == 64
    assert signed.compute_digest() == signed.signature_digest
    assert list(signature_mismatches()) == []


def test_digest_is_sha256_of_sorted_canonical_json(signed):
    payload = signed.signed_payload()
    expected = hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()

    assert signed.signature_digest == expected
    assert payload["dose_volume_ml"] == "1.50"
    assert payload["administered_at"].endswith("+00:00")


def test_wrong_password_is_refused_and_nothing_changes(record, clinician):
    draft = record()

    with pytest.raises(RuleViolation) as refused:
        _sign(draft, clinician, password="not-my-password")

    assert refused.value.code == "signature_password_invalid"
    assert "password" in refused.value.errors
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.signature_digest == ""


def test_front_desk_cannot_sign(record):
    with pytest.raises(NotPermitted) as refused:
        _sign(record(), UserFactory(roles=[Role.FRONT_DESK]), meaning="reviewed")

    assert refused.value.code == "signer_not_clinician"
    assert not Administration.objects.filter(status="signed").exists()


def test_only_the_administrator_signs_as_performed(record):
    other = UserFactory(roles=[Role.CLINICIAN])
    draft = record()

    with pytest.raises(RuleViolation) as refused:
        _sign(draft, other, meaning="performed")
    assert refused.value.code == "signer_not_performer"

    assert _sign(draft, other, meaning="reviewed").signed_by == other


def test_intravenous_record_needs_infusion_times_before_signing(record, clinician):
    draft = record(route=Route.INTRAVENOUS)

    with pytest.raises(RuleViolation) as refused:
        _sign(draft, clinician)
    assert refused.value.code == "infusion_times_required"
    assert set(refused.value.errors) == {"infusion_started_at", "infusion_ended_at"}

    start = timezone.now() - HOUR
    administration_update(
        administration=draft,
        actor=clinician,
        changes={"infusion_started_at": start, "infusion_ended_at": start + HOUR / 2},
    )
    assert _sign(draft, clinician).status == "signed"


def test_signing_twice_is_a_conflict(signed, clinician):
    with pytest.raises(Conflict) as refused:
        _sign(signed, clinician)
    assert refused.value.code == "record_signed"


def test_signed_record_cannot_be_edited(signed, clinician):
    with pytest.raises(Conflict) as refused:
        administration_update(
            administration=signed, actor=clinician, changes={"notes": "later"}
        )

    assert refused.value.code == "record_signed"
    signed.refresh_from_db()
    assert signed.notes == ""


def test_draft_edit_recomputes_particle_count(record, clinician):
    draft = record()

    edited = administration_update(
        administration=draft,
        actor=clinician,
        changes={"dose_volume_ml": Decimal("2.00"), "notes": "Tolerated well"},
    )

    assert edited.particle_count == 200_000_000_000
    assert edited.notes == "Tolerated well"


@pytest.mark.parametrize(
    "field",
    ["lot", "patient", "route", "vials_used", "appointment", "observation_ends_at"],
)
def test_fields_deciding_gates_and_stock_are_not_correctable(record, clinician, field):
    with pytest.raises(RuleViolation) as refused:
        administration_update(
            administration=record(), actor=clinician, changes={field: None}
        )
    assert refused.value.code == "field_not_correctable"
    assert field in refused.value.errors


def test_draft_edit_of_the_infusion_end_moves_the_observation_end(
    record, clinician, settings
):
    settings.DEFAULT_OBSERVATION_MINUTES = 30
    at = timezone.now() - 3 * HOUR
    draft = record(route=Route.INTRAVENOUS, administered_at=at)
    assert draft.observation_ends_at == at + dt.timedelta(minutes=30)

    edited = administration_update(
        administration=draft,
        actor=clinician,
        changes={"infusion_started_at": at, "infusion_ended_at": at + HOUR},
    )

    edited.refresh_from_db()
    assert edited.observation_ends_at == at + HOUR + dt.timedelta(minutes=30)


def test_amending_the_infusion_end_records_the_new_observation_end(
    record, clinician, settings
):
    settings.DEFAULT_OBSERVATION_MINUTES = 30
    at = timezone.now() - 3 * HOUR
    signed = _sign(
        record(
            route=Route.INTRAVENOUS,
            administered_at=at,
            infusion_started_at=at,
            infusion_ended_at=at + HOUR,
        ),
        clinician,
    )

    amendment = _amend(
        signed,
        clinician,
        reason="Pump stopped later than noted",
        changes={"infusion_ended_at": at + 2 * HOUR},
    )

    old_end, new_end = amendment.changes["observation_ends_at"]
    assert dt.datetime.fromisoformat(old_end) == at + HOUR + dt.timedelta(minutes=30)
    assert dt.datetime.fromisoformat(new_end) == at + 2 * HOUR + dt.timedelta(
        minutes=30
    )
    signed.refresh_from_db()
    assert signed.observation_ends_at == at + HOUR + dt.timedelta(minutes=30)
    assert signed.as_amended().observation_ends_at == dt.datetime.fromisoformat(new_end)
    assert list(signature_mismatches()) == []


def test_a_later_default_observation_does_not_rewrite_a_recorded_period(
    signed, clinician, settings
):
    recorded_end = signed.observation_ends_at
    settings.DEFAULT_OBSERVATION_MINUTES = 90

    amendment = _amend(
        signed, clinician, reason="Site noted", changes={"notes": "Left nostril"}
    )

    assert set(amendment.changes) == {"notes"}
    assert signed.as_amended().observation_ends_at == recorded_end


def test_draft_edit_is_checked_like_recording(record, clinician):
    draft = record()

    with pytest.raises(RuleViolation) as refused:
        administration_update(
            administration=draft,
            actor=clinician,
            changes={"dose_volume_ml": Decimal("5.00")},
        )

    assert refused.value.code == "dose_exceeds_vials"
    draft.refresh_from_db()
    assert draft.dose_volume_ml == Decimal("1.50")


def test_amendment_keeps_the_signed_original_and_records_the_change(signed, clinician):
    original_digest = signed.signature_digest

    amendment = _amend(signed, clinician)

    signed.refresh_from_db()
    assert signed.dose_volume_ml == Decimal("1.50")  # the row is as signed
    assert signed.signature_digest == original_digest
    assert signed.compute_digest() == original_digest
    assert amendment.amended_by == clinician
    assert amendment.reason == "Dose volume misread from the syringe"
    assert amendment.changes == {
        "dose_volume_ml": ["1.50", "1.20"],
        "particle_count": [150_000_000_000, 120_000_000_000],
    }
    current = signed.as_amended()
    assert current.dose_volume_ml == Decimal("1.20")
    assert current.particle_count == 120_000_000_000
    assert list(signature_mismatches()) == []


def test_amendments_chain_and_apply_in_order(signed, clinician):
    first = _amend(signed, clinician)
    second = _amend(
        signed, clinician, reason="Site noted", changes={"notes": "Left nostril"}
    )

    assert first.previous_digest == signed.signature_digest
    assert second.previous_digest == first.digest
    current = signed.as_amended()
    assert (current.dose_volume_ml, current.notes) == (Decimal("1.20"), "Left nostril")


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"password": "wrong"}, "signature_password_invalid", "password"),
        ({"reason": "  "}, "reason_required", "reason"),
        ({"changes": {"lot": 1}}, "field_not_correctable", "lot"),
        ({"changes": {"appointment": None}}, "field_not_correctable", "appointment"),
        (
            {"changes": {"observation_ends_at": timezone.now()}},
            "field_not_correctable",
            "observation_ends_at",
        ),
        (
            {"changes": {"dose_volume_ml": Decimal("1.50")}},
            "amendment_changes_nothing",
            "changes",
        ),
        (
            {"changes": {"dose_volume_ml": Decimal("0")}},
            "dose_not_positive",
            "dose_volume_ml",
        ),
        (
            {"changes": {"infusion_started_at": timezone.now()}},
            "infusion_only_intravenous",
            "infusion_started_at",
        ),
    ],
)
def test_amendment_refusals_write_nothing(signed, clinician, overrides, code, field):
    with pytest.raises(RuleViolation) as refused:
        _amend(signed, clinician, **overrides)

    assert refused.value.code == code
    assert field in refused.value.errors
    assert not AdministrationAmendment.objects.exists()


def test_draft_is_edited_not_amended(record, clinician):
    with pytest.raises(Conflict) as refused:
        _amend(record(), clinician)
    assert refused.value.code == "record_not_signed"


def test_entered_in_error_keeps_the_record_and_its_signature(signed, manager):
    marked = administration_mark_entered_in_error(
        administration=signed, actor=manager, reason="Recorded for the wrong patient"
    )

    marked.refresh_from_db()
    assert marked.status == "entered_in_error"
    assert marked.entered_in_error_by == manager
    assert marked.entered_in_error_reason == "Recorded for the wrong patient"
    assert marked.signed_at is not None
    assert list(signature_mismatches()) == []


def test_entered_in_error_needs_a_reason_and_happens_once(signed, clinician):
    with pytest.raises(RuleViolation) as refused:
        administration_mark_entered_in_error(
            administration=signed, actor=clinician, reason=" "
        )
    assert refused.value.code == "reason_required"
    signed.refresh_from_db()
    assert signed.status == "signed"

    administration_mark_entered_in_error(
        administration=signed, actor=clinician, reason="Duplicate entry"
    )
    with pytest.raises(Conflict) as again:
        administration_mark_entered_in_error(
            administration=signed, actor=clinician, reason="Duplicate entry"
        )
    assert again.value.code == "record_entered_in_error"
    with pytest.raises(Conflict):
        _amend(signed, clinician)


def test_administrations_are_never_deleted(signed):
    with pytest.raises(DeletionRefused):
        signed.delete()
    with pytest.raises(DeletionRefused):
        Administration.objects.all().delete()


def test_digest_detects_a_change_made_behind_the_services_back(signed, capsys):
    Administration.objects.filter(pk=signed.pk).update(dose_volume_ml=Decimal("9.99"))

    mismatches = list(signature_mismatches())

    assert [m.record for m in mismatches] == [f"administration {signed.public_id}"]
    with pytest.raises(CommandError, match="1 signature mismatch"):
        call_command("verify_signatures")
    assert str(signed.public_id) in capsys.readouterr().out


def test_digest_covers_the_appointment_and_the_observation_end(signed):
    payload = signed.signed_payload()
    assert payload["_scheme"] == "treatments.administration/2"
    assert signed.signature_scheme == "treatments.administration/2"
    assert payload["appointment_id"] is None
    assert payload["observation_ends_at"].endswith("+00:00")

    Administration.objects.filter(pk=signed.pk).update(
        observation_ends_at=signed.observation_ends_at + dt.timedelta(minutes=5)
    )

    assert len(list(signature_mismatches())) == 1


def _as_signed_under_scheme_1(administration):
    """Re-sign the row the way records were signed before scheme /2."""
    Administration.objects.filter(pk=administration.pk).update(
        signature_scheme="treatments.administration/1"
    )
    administration.refresh_from_db()
    Administration.objects.filter(pk=administration.pk).update(
        signature_digest=administration.compute_digest()
    )
    administration.refresh_from_db()
    return administration


def test_records_signed_under_scheme_1_still_verify(signed):
    digest_under_scheme_2 = signed.signature_digest

    old = _as_signed_under_scheme_1(signed)

    payload = old.signed_payload()
    assert payload["_scheme"] == "treatments.administration/1"
    assert "observation_ends_at" not in payload
    assert "appointment_id" not in payload
    assert old.signature_digest != digest_under_scheme_2
    assert list(signature_mismatches()) == []
    call_command("verify_signatures")

    Administration.objects.filter(pk=old.pk).update(dose_volume_ml=Decimal("9.99"))
    assert len(list(signature_mismatches())) == 1


def test_an_unknown_digest_scheme_is_reported_not_guessed(signed):
    Administration.objects.filter(pk=signed.pk).update(
        signature_scheme="treatments.administration/99"
    )

    [mismatch] = signature_mismatches()

    assert mismatch.problem == "signed under an unknown digest scheme"


def test_digest_detects_a_changed_signer_or_time(signed):
    Administration.objects.filter(pk=signed.pk).update(
        signed_at=signed.signed_at + dt.timedelta(seconds=1)
    )
    assert len(list(signature_mismatches())) == 1


def test_digest_detects_a_tampered_amendment(signed, clinician):
    amendment = _amend(signed, clinician)
    AdministrationAmendment.objects.filter(pk=amendment.pk).update(
        changes={"dose_volume_ml": ["1.50", "0.50"]}
    )

    problems = [m.problem for m in signature_mismatches()]

    assert problems == ["content differs from what was signed"]


def test_digest_detects_a_broken_amendment_chain(signed, clinician):
    _amend(signed, clinician)
    second = _amend(signed, clinician, reason="Note", changes={"notes": "ok"})
    AdministrationAmendment.objects.filter(pk=second.pk).update(
        previous_digest="0" * 64
    )

    problems = [m.problem for m in signature_mismatches()]

    assert "does not chain to the previous signature" in problems


def test_verify_command_reports_success_when_all_match(signed, capsys):
    call_command("verify_signatures")
    assert "matches" in capsys.readouterr().out
