"""Medical record numbers: 'MRN' + 7 digits + a Luhn check digit, e.g. MRN00000018.

The check digit catches a mistyped digit or a swap of neighbours at the desk.
"""

PREFIX = "MRN"
DIGITS = 7


def luhn_check_digit(number: str) -> str:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def format_mrn(sequence_number: int) -> str:
    if not 0 < sequence_number < 10**DIGITS:
        raise ValueError(f"MRN sequence number out of range: {sequence_number}")
    body = f"{sequence_number:0{DIGITS}d}"
    return f"{PREFIX}{body}{luhn_check_digit(body)}"


def is_valid_mrn(value: str) -> bool:
    value = value.strip().upper()
    if not value.startswith(PREFIX) or len(value) != len(PREFIX) + DIGITS + 1:
        return False
    digits = value[len(PREFIX) :]
    return digits.isdigit() and luhn_check_digit(digits[:-1]) == digits[-1]
