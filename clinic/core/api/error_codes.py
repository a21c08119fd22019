"""The API documentation's list of error codes, read from the one place they
are declared (clinic.core.errors.ERROR_CODES): a drf-spectacular
postprocessing hook that writes them into the `code` of the error body."""

from collections import defaultdict
from typing import Any

from django.utils.module_loading import autodiscover_modules

from clinic.core.api.exceptions import domain_status
from clinic.core.errors import ERROR_CODES


def codes_by_status() -> dict[int, list[str]]:
    """Every code a rule can answer, by the HTTP status it comes with. Each
    app's `errors` module is imported first, so none is missed."""
    autodiscover_modules("errors")
    table: dict[int, list[str]] = defaultdict(list)
    for code, error in ERROR_CODES.items():
        table[domain_status(error)].append(code)
    return {status: sorted(codes) for status, codes in sorted(table.items())}


def document_error_codes(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    code = result["components"]["schemas"]["Error"]["properties"]["code"]
    listed = "; ".join(
        f"{status}: " + ", ".join(f"`{c}`" for c in codes)
        for status, codes in codes_by_status().items()
    )
    code["description"] = (
        "Stable, machine-readable. Codes a rule answers, by HTTP status: "
        f"{listed}. The other statuses answer the codes their descriptions give."
    )
    return result
