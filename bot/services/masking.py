"""Masks NIKs and phone numbers in free text, however they are written.

One function for every place that shows or writes what a person typed beyond the people who
must see it: the log filter (bot/logs.py) and the staff reports (/pertanyaan). Workers write
numbers as they read them off a card or a screen: "3509 2145 0890 0001",
"35.09.21-450890-0001", "0812-3456-7890", "+62 812 3456 7890", "(0331) 123456".

A number is a run of digits joined by any mix of spaces, dots, dashes and brackets (a
leading "+" or "(" included). Masked: 16 digits or more (a NIK, or a NIK glued to something
else); 9 digits or more starting with "0", "+" or "(" (a phone number); 11 digits or more
starting with "62" or "8" (a phone number without its 0), unless an amount after "Rp".
Kept readable: amounts ("Rp1.500.000", "Rp1.000.000.000", "2,5 juta", "1.500.000 -
2.000.000"), dates ("17-08-2025", "17.08.2025 16.30"), "175", Telegram ids in log lines.
When in doubt it masks: "01-08-2025 10.00" has 12 digits from a 0 as "0108-2025 10.00"
would; "gaji 800.000 - 900.000" reads as 800 000 900 000 (after "Rp" it is kept).
"""

from __future__ import annotations

import re

MASK = "[…]"
NIK_DIGITS = 16
PHONE_MIN_DIGITS = 9
BARE_MIN_DIGITS = 11

# Between two digits: any run of white space, dots, dashes of any kind and brackets.
_JOIN = r"[\s.\-\u2010-\u2015\u2212()]"
# An opening bracket belongs to the number only around an area code: "(0331) 123456".
# Runs of fewer than PHONE_MIN_DIGITS digits never match: most text is scanned only once.
_NUMBER = re.compile(rf"\+?(?:\((?=\d{{2,5}}\)))?\d(?:{_JOIN}*\d){{{PHONE_MIN_DIGITS - 1},}}")
# Indonesian thousands, up to Rp999.999.999.999 (no worker asks about more): 1.500.000
_AMOUNT = re.compile(r"[1-9]\d{0,2}(?:\.\d{3}){1,3}")
_RANGE = re.compile(r"\s*[-\u2010-\u2015\u2212]\s*|\s+")  # "1.500.000 - 2.000.000"
_CURRENCY_BEFORE = re.compile(r"(?:rp|idr)\.?\s?$", re.IGNORECASE)
# Without the trunk 0 or a "+", a phone number starts with 62 or 8 and has 11 digits or more
# (62 + 331 123456; 812 3456 7890). Telegram ids (in our logs) have 10 digits at most.
_BARE_START = ("62", "8")


def mask_personal_numbers(text: str, mask: str = MASK) -> str:
    """`text` with every NIK and phone number replaced by `mask`; the rest as it was."""
    if not text:
        return text
    return _NUMBER.sub(lambda found: mask if _personal(found) else found.group(), text)


def _personal(found: re.Match[str]) -> bool:
    written = found.group()
    digits = "".join(char for char in written if char.isdecimal())
    if len(digits) >= NIK_DIGITS:
        return True
    if len(digits) < PHONE_MIN_DIGITS:
        return False
    if written.startswith(("+", "(")) or digits.startswith("0"):  # 0812…, +62 812…, (0331)…
        return True
    if not digits.startswith(_BARE_START) or len(digits) < BARE_MIN_DIGITS:
        return False
    # 62812…, 812…: a phone number, unless it is an amount after "Rp"
    return not (_is_amount(written) and _CURRENCY_BEFORE.search(
        found.string, max(0, found.start() - 5), found.start()))


def _is_amount(written: str) -> bool:
    """1.500.000, or a range such as 1.500.000 - 2.000.000."""
    return all(_AMOUNT.fullmatch(part) for part in _RANGE.split(written))
