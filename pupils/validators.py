"""The DfE unique pupil number (UPN).

13 characters: a check letter, then the LA code (3 digits), the establishment number (4), the year
of allocation (2) and a serial number (3). A temporary UPN ends in a letter instead of a digit.
The LA code must be one the school census recognises (``LocalAuthorityCode``); an unknown one
is a warning the SENCo can confirm, not an error, since the list may lag a new authority.
The check letter is the weighted sum of characters 2-13 (weights 2-13) modulo 23, mapped onto the
alphabet without I, O and S; a trailing letter counts as its position in that same alphabet.
"""

import re
from collections.abc import Collection

from django.core.exceptions import ValidationError

CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_SHAPE = re.compile(r"^[ABCDEFGHJKLMNPQRTUVWXYZ]\d{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]$")


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters that follow it."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else CHECK_ALPHABET.index(char)
        total += weight * value
    return CHECK_ALPHABET[total % 23]


def normalise_upn(value: str) -> str:
    return (value or "").strip().upper()


def validate_upn(value: str) -> None:
    upn = normalise_upn(value)
    if len(upn) != 13:
        raise ValidationError(
            "A UPN has 13 characters (it has %(n)s).", code="upn_length", params={"n": len(upn)}
        )
    if not UPN_SHAPE.match(upn):
        raise ValidationError(
            "A UPN is a check letter, 11 digits and a final digit or letter (not I, O or S).",
            code="upn_format",
        )
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError(
            "This UPN's check letter does not match its digits: check it was copied correctly.",
            code="upn_check_letter",
        )


def la_code(upn: str) -> str:
    """Characters 2-4: the code of the local authority that allocated the UPN."""
    return normalise_upn(upn)[1:4]


def unrecognised_la_code(upn: str, recognised: Collection[str]) -> str:
    """A warning if the UPN's LA code is not among ``recognised`` (the census would reject it,
    error 1530); "" if it is."""
    code = la_code(upn)
    if code in recognised:
        return ""
    return (
        f"UPN {normalise_upn(upn)}: characters 2–4 ({code}) are not a local authority code the "
        "school census recognises, so the census would reject it (error 1530). Check it was "
        "copied correctly."
    )
