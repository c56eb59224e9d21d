"""How the reporting pages write changes, effect sizes and money."""

from decimal import Decimal

from reports.templatetags.figures import number, pounds, signed


def test_changes_carry_their_sign_with_a_true_minus():
    assert [signed(1.449), signed(-0.25), signed(0), signed(-0.04), signed(None)] == [
        "+1.4",
        "−0.2",  # −0.25 rounds to even
        "0.0",
        "0.0",
        "—",
    ]
    assert signed(6, 0) == "+6"


def test_effect_sizes_use_a_true_minus_and_money_has_pence():
    assert [number(-0.031), number(1.13842), number(-0.001), number(None)] == [
        "−0.03",
        "1.14",
        "0.00",
        "—",
    ]
    assert pounds(Decimal("1234.5")) == "£1,234.50" and pounds(None) == "—"
