"""Name normalisation shared by duplicate detection and search."""

import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'José  Núñez' -> 'jose nunez'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
