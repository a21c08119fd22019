"""Administrations and follow-up notes share one signed-record admin
(treatments/admin/signing.py): the signature cell offers only what the
record's status allows (Sign a draft, Amend a signed record, nothing once
entered in error), and the sign and amend pages open only for that status."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories.users import DEFAULT_PASSWORD
from treatments.services import (
    administration_mark_entered_in_error,
    administration_sign,
    follow_up_mark_entered_in_error,
    follow_up_record,
    follow_up_sign,
)


def _note(administration, clinician):
    return follow_up_record(
        patient=administration.patient,
        administration=administration,
        noted_at=administration.administered_at + dt.timedelta(days=1),
        contact_kind="phone",
        outcome_score=6,
        actor=clinician,
    )


def _sign_note(note, clinician):
    return follow_up_sign(
        note=note, actor=clinician, password=DEFAULT_PASSWORD, meaning="performed"
    )


def _sign_administration(administration, clinician):
    return administration_sign(
        administration=administration,
        actor=clinician,
        password=DEFAULT_PASSWORD,
        meaning="performed",
    )


def _mark_note(note, clinician):
    return follow_up_mark_entered_in_error(
        note=note, actor=clinician, reason="Written on the wrong patient."
    )


def _mark_administration(administration, clinician):
    return administration_mark_entered_in_error(
        administration=administration, actor=clinician, reason="Wrong patient."
    )


# Admin model name -> (sign, mark entered in error).
KINDS = {
    "followupnote": (_sign_note, _mark_note),
    "administration": (_sign_administration, _mark_administration),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request):
    return request.param


@pytest.fixture
def make(kind, record, administration, clinician):
    """make(status) -> a new record of this kind in that status."""
    sign, mark = KINDS[kind]

    def _make(status):
        if kind == "administration":
            made = record()
        else:
            made = _note(administration, clinician)
        if status in ("signed", "signed_then_entered_in_error"):
            made = sign(made, clinician)
        if status in ("entered_in_error", "signed_then_entered_in_error"):
            made = mark(made, clinician)
        return made

    return _make


@pytest.fixture
def clinician_web(client, clinician):
    client.force_login(clinician)
    return client


def _url(kind, page, record):
    return reverse(f"admin:treatments_{kind}_{page}", args=[record.pk])


def _offered(page_content, kind, record):
    return {
        page
        for page in ("sign", "amend")
        if _url(kind, page, record).encode() in page_content
    }


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("draft", {"sign"}),
        ("signed", {"amend"}),
        ("entered_in_error", set()),
        ("signed_then_entered_in_error", set()),
    ],
)
def test_the_change_page_offers_only_what_the_status_allows(
    clinician_web, kind, make, status, offered
):
    """The notes' own copy of this page offered Sign on an entered-in-error
    draft and Amend on an entered-in-error signed note."""
    record = make(status)

    page = clinician_web.get(_url(kind, "change", record))

    assert page.status_code == 200
    assert _offered(page.content, kind, record) == offered
    assert ("Not signed." in page.content.decode()) == (record.signed_at is None)


@pytest.mark.parametrize(
    ("status", "page"),
    [
        ("entered_in_error", "sign"),
        ("signed_then_entered_in_error", "amend"),
        ("signed", "sign"),
        ("draft", "amend"),
    ],
)
def test_a_signature_page_opens_only_for_the_status_it_acts_on(
    clinician_web, kind, make, status, page
):
    record = make(status)
    before = (record.status, record.signed_at)

    opened = clinician_web.get(_url(kind, page, record))
    posted = clinician_web.post(
        _url(kind, page, record),
        {"meaning": "reviewed", "password": DEFAULT_PASSWORD, "reason": "Typo."},
    )

    for response in (opened, posted):
        assert response.status_code == 302
        assert response["Location"] == _url(kind, "change", record)
    record.refresh_from_db()
    assert (record.status, record.signed_at) == before
    assert not record.amendments.exists()
    shown = clinician_web.get(_url(kind, "change", record))
    assert ("only a draft is signed" if page == "sign" else "only a signed") in (
        shown.content.decode()
    )


def test_both_signature_pages_render_the_one_template(clinician_web, kind, make):
    for status, page in (("draft", "sign"), ("signed", "amend")):
        record = make(status)
        response = clinician_web.get(_url(kind, page, record))
        assert response.status_code == 200
        assert response.templates[0].name == "admin/treatments/signature_form.html"
        assert str(record) in response.content.decode()
