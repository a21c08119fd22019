"""Request body parsers: DRF's, with the limits a hostile body needs.

JSON nested deeper than any request of ours (the deepest, an amendment's
`changes`, is three levels) is refused before anything walks it: Python's
decoder raised RecursionError (a 500) at about a thousand levels, and what
it accepted below that could still exhaust the stack of code that recurses
over the value.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise _too_deep()
        return data


def _too_deep() -> ParseError:
    return ParseError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep.")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Iterative, so a deep value cannot exhaust the stack here either."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False
