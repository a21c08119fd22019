import datetime as dt

import pytest

from clinic.core.errors import RuleViolation
from patients.errors import PublishedFormImmutable
from patients.models import ConsentForm
from patients.services import (
    consent_form_create,
    consent_form_new_version,
    consent_form_publish,
    consent_form_update,
)
from tests.factories.treatments import ProductFactory


@pytest.fixture
def product(db):
    return ProductFactory()


def _draft(manager, product, **overrides):
    fields = {
        "title": "IV exosome consent",
        "body": "Full text.",
        "covered_routes": ["intravenous"],
        "covered_indications": ["tissue_repair"],
        "covered_products": [product],
        "effective_date": dt.date(2026, 1, 1),
    }
    fields.update(overrides)
    return consent_form_create(actor=manager, **fields)


def test_create_makes_a_draft_version_one(manager, product):
    form = _draft(manager, product)

    assert (form.version, form.status) == (1, "draft")
    assert list(form.covered_products.all()) == [product]


@pytest.mark.parametrize(
    ("field", "value"),
    [("covered_routes", ["intravenous", "telepathic"]), ("covered_indications", ["x"])],
)
def test_create_refuses_unknown_codes(manager, product, field, value):
    with pytest.raises(RuleViolation) as excinfo:
        _draft(manager, product, **{field: value})

    assert excinfo.value.code == "unknown_code"
    assert field in excinfo.value.errors
    assert not ConsentForm.objects.exists()


def test_draft_can_be_edited(manager, product):
    form = _draft(manager, product)

    consent_form_update(form=form, actor=manager, body="Better text.")

    form.refresh_from_db()
    assert form.body == "Better text."


def test_published_form_cannot_be_edited(manager, product):
    form = consent_form_publish(form=_draft(manager, product), actor=manager)

    with pytest.raises(PublishedFormImmutable, match="new version"):
        consent_form_update(form=form, actor=manager, body="Sneaky change.")
    with pytest.raises(PublishedFormImmutable):
        consent_form_update(form=form, actor=manager, covered_products=[])

    form.refresh_from_db()
    assert form.body == "Full text."
    assert form.covered_products.count() == 1


def test_publishing_twice_is_refused(manager, product):
    form = consent_form_publish(form=_draft(manager, product), actor=manager)

    with pytest.raises(PublishedFormImmutable):
        consent_form_publish(form=form, actor=manager)


def test_incomplete_draft_cannot_be_published(manager, product):
    form = _draft(manager, product, covered_routes=[], covered_products=[])

    with pytest.raises(RuleViolation) as excinfo:
        consent_form_publish(form=form, actor=manager)

    assert set(excinfo.value.errors) == {"covered_routes", "covered_products"}
    form.refresh_from_db()
    assert form.status == "draft"


def test_new_version_copies_a_published_form_as_next_draft(manager, product):
    published = consent_form_publish(form=_draft(manager, product), actor=manager)

    draft = consent_form_new_version(form=published, actor=manager)

    assert (draft.title, draft.version, draft.status) == (published.title, 2, "draft")
    assert list(draft.covered_products.all()) == [product]
    assert draft.covered_routes == published.covered_routes
