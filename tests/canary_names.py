"""The canary patient name (see tests/canary.py); its own module so factories
can use it without importing the pytest plugin."""

CANARY = "Zzcanaryquokka"


def canary_family_name(n: int) -> str:
    return f"{CANARY}{n}"
