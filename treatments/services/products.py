"""Products: the biologics the clinic gives, and what patients consent to."""

from typing import Any

from django.db import transaction

from clinic.core.audit import audited_save
from clinic.core.locking import lock
from clinic.core.users import User
from treatments.errors import (
    DuplicateProduct,
    ProductCoveredByConsent,
    RegulatoryStatusIncomplete,
)
from treatments.models import Product

# A patient consents to a named product and its regulatory status; once a
# published consent form names the product these stay as they were.
CONSENTED_FIELDS = frozenset(
    {
        "name",
        "manufacturer",
        "source_material",
        "isolation_method",
        "ind_number",
        "ind_sponsor",
        "regulatory_disclosure",
    }
)
EDITABLE_FIELDS = CONSENTED_FIELDS | {"allowed_routes", "active"}


def _check_regulatory_status(product: Product) -> None:
    """Under an IND (number and sponsor both), or else the disclosure."""
    if bool(product.ind_number) != bool(product.ind_sponsor):
        missing = "ind_sponsor" if product.ind_number else "ind_number"
        raise RegulatoryStatusIncomplete.for_field(
            missing, "An IND needs both its number and its sponsor."
        )
    if not product.ind_number and not product.regulatory_disclosure:
        raise RegulatoryStatusIncomplete.for_field(
            "regulatory_disclosure",
            "A product not given under an IND must carry the disclosure that it"
            " is not FDA-approved.",
        )


def _check_unique(product: Product) -> None:
    taken = Product.objects.filter(
        name=product.name, manufacturer=product.manufacturer
    ).exclude(pk=product.pk)
    if taken.exists():
        raise DuplicateProduct.for_field(
            "name", "This manufacturer already has a product with this name."
        )


@transaction.atomic
def product_create(
    *,
    name: str,
    manufacturer: str,
    source_material: str,
    isolation_method: str,
    allowed_routes: list[str],
    ind_number: str = "",
    ind_sponsor: str = "",
    regulatory_disclosure: str = "",
    actor: User,
) -> Product:
    """Create a product; raises RuleViolation for an incomplete regulatory
    status or a duplicate name, ValidationError for bad codes."""
    product = Product(
        name=name,
        manufacturer=manufacturer,
        source_material=source_material,
        isolation_method=isolation_method,
        allowed_routes=allowed_routes,
        ind_number=ind_number,
        ind_sponsor=ind_sponsor,
        regulatory_disclosure=regulatory_disclosure,
    )
    _check_regulatory_status(product)
    _check_unique(product)
    product.full_clean()
    audited_save(product, actor=actor)
    return product


@transaction.atomic
def product_update(*, product: Product, actor: User, **changes: Any) -> Product:
    """Change a product. Raises ProductCoveredByConsent when a published consent
    form names it and a consented field would change; RuleViolation as create."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"product_update() got unexpected fields {sorted(unknown)}")
    product = lock(Product, product.pk)
    changed = {f for f, v in changes.items() if getattr(product, f) != v}
    consented = sorted(changed & CONSENTED_FIELDS)
    if consented and product.consent_forms.filter(status="published").exists():
        raise ProductCoveredByConsent(
            "Patients have consented to this product as it is described;"
            " create a new product instead.",
            errors={f: ["Fixed by a published consent form."] for f in consented},
        )
    for field, value in changes.items():
        setattr(product, field, value)
    _check_regulatory_status(product)
    _check_unique(product)
    product.full_clean()
    audited_save(product, actor=actor)
    return product
