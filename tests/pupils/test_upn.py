import pytest
from django.core.exceptions import ValidationError

from pupils.validators import upn_check_letter, validate_upn

# Worked by hand from the DfE algorithm (weights 2-13, mod 23, alphabet without I, O, S).
KNOWN_GOOD = ["A123456789012", "H801200001001", "B823000000001", "K92322010115A"]


@pytest.mark.parametrize("upn", KNOWN_GOOD)
def test_known_good_upns_pass(upn):
    validate_upn(upn)


def test_check_letter_matches_a_hand_computed_example():
    # 1*2+2*3+3*4+4*5+5*6+6*7+7*8+8*9+9*10+0*11+1*12+2*13 = 368; 368 % 23 = 0 -> "A"
    assert upn_check_letter("123456789012") == "A"


@pytest.mark.parametrize("position", range(1, 13))
def test_changing_any_digit_breaks_the_check_letter(position):
    upn = "A123456789012"
    digit = upn[position]
    changed = upn[:position] + str((int(digit) + 1) % 10) + upn[position + 1 :]

    with pytest.raises(ValidationError):
        validate_upn(changed)


@pytest.mark.parametrize(
    "upn",
    [
        "B123456789012",
        "I123456789012",
        "A12345678901",
        "A1234567890123",
        "A12345678901O",
        "",
        "a123456789012x",
    ],
)
def test_wrong_check_letter_or_shape_fails(upn):
    with pytest.raises(ValidationError):
        validate_upn(upn)
