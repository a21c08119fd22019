"""Property: over random lots, consents, stock, times, administrators and
appointments, an administration is saved exactly when every gate holds, and a
refusal writes nothing.

The oracle below restates the rules from docs/product.md independently of the service.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clinic.core.codes import Indication, Route
from clinic.core.errors import RuleViolation
from clinic.core.roles import Role
from patients.models import SignedConsent
from tests.factories.clinic import AppointmentFactory, PractitionerFactory
from tests.factories.patients import ConsentFormFactory, PatientFactory
from tests.factories.treatments import LotFactory, ProductFactory
from tests.factories.users import UserFactory
from treatments.models import Administration, StockMovement
from treatments.services import administration_record

NOW = timezone.now().replace(microsecond=0)


def mostly(usual, other):
    """`usual` nine times in ten, else `other`: random cases that still reach
    the success path often enough to test it, and every gate's edge too."""
    return st.integers(min_value=0, max_value=9).flatmap(
        lambda n: other if n == 0 else usual
    )


ANY_HOURS = st.integers(min_value=-96, max_value=96)

consents = st.fixed_dictionaries(
    {
        # Hours before (-) or after (+) the administration.
        "signed": mostly(st.integers(min_value=-96, max_value=0), ANY_HOURS),
        "withdrawn_after": mostly(st.none(), st.integers(min_value=0, max_value=96)),
        "expires_after": st.none() | st.integers(min_value=1, max_value=96),
        "routes": mostly(
            st.just([Route.INTRAVENOUS, Route.INTRANASAL]),
            st.lists(
                st.sampled_from([Route.INTRAVENOUS, Route.INTRANASAL]),
                min_size=1,
                unique=True,
            ),
        ),
        "indications": mostly(
            st.just([Indication.TISSUE_REPAIR, Indication.NEUROLOGICAL]),
            st.lists(
                st.sampled_from([Indication.TISSUE_REPAIR, Indication.NEUROLOGICAL]),
                min_size=1,
                unique=True,
            ),
        ),
        "covers_product": mostly(st.just(True), st.booleans()),
        "published": mostly(st.just(True), st.booleans()),
    }
)


@st.composite
def cases(draw):
    stock = draw(st.integers(min_value=0, max_value=3))
    vials_used = draw(
        mostly(
            st.integers(min_value=1, max_value=max(stock, 1)),
            st.integers(min_value=0, max_value=4),
        )
    )
    return {
        "at": draw(
            mostly(
                st.integers(min_value=-72, max_value=0),
                st.integers(min_value=1, max_value=3),
            )
        ),  # hours from now
        "lot_status": draw(
            mostly(st.just("released"), st.sampled_from(["quarantined", "recalled"]))
        ),
        # Expiry relative to the administration day (0: used on its expiry day).
        "expires_in_days": draw(
            mostly(
                st.integers(min_value=0, max_value=3),
                st.integers(min_value=-3, max_value=-1),
            )
        ),
        "stock": stock,
        "vials_used": vials_used,
        "dose": draw(
            mostly(
                st.decimals(
                    min_value=Decimal("0.01"), max_value=Decimal("2.00"), places=2
                ),
                st.decimals(min_value=Decimal("-1"), max_value=Decimal("9"), places=2),
            )
        ),
        "route": draw(
            mostly(
                st.sampled_from([Route.INTRAVENOUS, Route.INTRANASAL]),
                st.just(Route.INHALED),
            )
        ),
        "indication": draw(
            st.sampled_from([Indication.TISSUE_REPAIR, Indication.NEUROLOGICAL])
        ),
        "patient_active": draw(mostly(st.just(True), st.just(False))),
        # Who gave it: an active practitioner, or a clinician who is not one.
        "administrator": draw(
            mostly(
                st.just("active_practitioner"),
                st.sampled_from(["no_profile", "inactive_profile", "inactive_user"]),
            )
        ),
        # (whose, status) of the appointment it was given in, or None.
        "appointment": draw(
            mostly(
                st.none()
                | st.sampled_from(["in_progress", "completed"]).map(
                    lambda status: ("own", status)
                ),
                st.tuples(
                    st.sampled_from(["own", "other"]),
                    st.sampled_from(
                        ["booked", "checked_in", "in_progress", "completed"]
                    ),
                ),
            )
        ),
        "consents": draw(
            mostly(
                st.lists(consents, min_size=1, max_size=2),
                st.lists(consents, max_size=0),
            )
        ),
    }


def _allowed(case, at, lot, product) -> bool:
    """The rules of docs/product.md 'Administrations', written out independently."""

    def valid(c) -> bool:
        signed = at + dt.timedelta(hours=c["signed"])
        withdrawn = (
            None
            if c["withdrawn_after"] is None
            else signed + dt.timedelta(hours=c["withdrawn_after"])
        )
        expires = (
            None
            if c["expires_after"] is None
            else signed + dt.timedelta(hours=c["expires_after"])
        )
        return (
            c["published"]
            and c["covers_product"]
            and case["route"] in c["routes"]
            and case["indication"] in c["indications"]
            and signed <= at
            and (withdrawn is None or at < withdrawn)
            and (expires is None or at < expires)
        )

    appointment = case["appointment"]
    return (
        at <= NOW
        and case["patient_active"]
        and case["administrator"] == "active_practitioner"
        and (
            appointment is None
            or (
                appointment[0] == "own"
                and appointment[1] in ("in_progress", "completed")
            )
        )
        and case["dose"] > 0
        and case["vials_used"] > 0
        and case["dose"] <= case["vials_used"] * lot.vial_volume_ml
        and case["lot_status"] == "released"
        and timezone.localdate(at) <= lot.expires_on
        and case["route"] in product.allowed_routes
        and case["vials_used"] <= case["stock"]
        and any(valid(c) for c in case["consents"])
    )


@pytest.mark.django_db
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=cases())
def test_no_administration_is_saved_past_a_gate(case, clinician):
    at = NOW + dt.timedelta(hours=case["at"])
    with transaction.atomic():
        product = ProductFactory(allowed_routes=[Route.INTRAVENOUS, Route.INTRANASAL])
        lot = LotFactory(
            product=product,
            status=case["lot_status"],
            expires_on=timezone.localdate(at)
            + dt.timedelta(days=case["expires_in_days"]),
            manufactured_on=timezone.localdate(at) - dt.timedelta(days=200),
            received_on=timezone.localdate(at) - dt.timedelta(days=100),
            vials=case["stock"],
            **(
                {
                    "recalled_on": timezone.localdate(NOW),
                    "recall_reason": "Recall",
                    "recalled_by": clinician,
                }
                if case["lot_status"] == "recalled"
                else {}
            ),
        )
        patient = PatientFactory(
            active=case["patient_active"],
            deactivated_at=None if case["patient_active"] else NOW,
        )
        witness = UserFactory()
        for c in case["consents"]:
            form = ConsentFormFactory(
                covered_products=[product] if c["covers_product"] else [],
                covered_routes=c["routes"],
                covered_indications=c["indications"],
                status="published" if c["published"] else "draft",
                published_at=NOW if c["published"] else None,
            )
            signed = at + dt.timedelta(hours=c["signed"])
            SignedConsent.objects.create(
                patient=patient,
                form=form,
                signed_at=signed,
                signed_by="patient",
                witness=witness,
                created_by=witness,
                expires_at=None
                if c["expires_after"] is None
                else signed + dt.timedelta(hours=c["expires_after"]),
                withdrawn_at=None
                if c["withdrawn_after"] is None
                else signed + dt.timedelta(hours=c["withdrawn_after"]),
                withdrawn_by=None if c["withdrawn_after"] is None else witness,
                withdrawal_reason="" if c["withdrawn_after"] is None else "Withdrew",
            )
        administrator = {
            "active_practitioner": lambda: PractitionerFactory().user,
            "no_profile": lambda: UserFactory(roles=[Role.CLINICIAN]),
            "inactive_profile": lambda: PractitionerFactory(active=False).user,
            "inactive_user": lambda: PractitionerFactory(user__is_active=False).user,
        }[case["administrator"]]()
        appointment = None
        if case["appointment"] is not None:
            whose, status = case["appointment"]
            appointment = AppointmentFactory(
                patient=patient if whose == "own" else PatientFactory(),
                status=status,
            )
        ledger_before = StockMovement.objects.count()

        try:
            administration_record(
                patient=patient,
                lot=lot,
                route=case["route"],
                indication=case["indication"],
                dose_volume_ml=case["dose"],
                vials_used=case["vials_used"],
                administered_at=at,
                administered_by=administrator,
                appointment=appointment,
                actor=clinician,
                now=NOW,
            )
        except RuleViolation:
            saved = False
            assert not Administration.objects.exists()
            assert StockMovement.objects.count() == ledger_before
        else:
            saved = True
            assert StockMovement.objects.on_hand(lot.pk) == (
                case["stock"] - case["vials_used"]
            )

        event("saved" if saved else "refused")
        assert saved == _allowed(case, at, lot, product)
        transaction.set_rollback(True)  # each example starts from an empty clinic
