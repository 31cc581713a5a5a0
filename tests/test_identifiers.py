import pytest

from clusterkit.identifiers import (
    IdentifierError,
    bin_check_digit,
    validate_bin,
    validate_oked,
)

VALID = "060240113698"  # a sample BIN from the example dataset


def test_valid_bin_passes() -> None:
    assert validate_bin(VALID) == VALID


def test_changed_check_digit_is_caught() -> None:
    wrong = VALID[:11] + str((int(VALID[11]) + 1) % 10)
    with pytest.raises(IdentifierError, match="check digit does not match"):
        validate_bin(wrong)


@pytest.mark.parametrize(
    "value", ["12345", "0602401136981", "06024011369A", "０６０２４０１１３６９８"]
)
def test_bin_must_be_twelve_ascii_digits(value: str) -> None:
    with pytest.raises(IdentifierError, match="12 digits"):
        validate_bin(value)


def test_bin_month_must_exist() -> None:
    first = "061340113"  # month 13
    digits = first + "00"
    check = bin_check_digit(digits)
    assert check is not None
    with pytest.raises(IdentifierError, match="month"):
        validate_bin(digits + str(check))


def test_second_weighting_pass_is_used_when_the_first_gives_ten() -> None:
    # Find eleven digits whose first pass gives 10; the check digit then comes from the
    # second weights, and a BIN with the first-pass result must not validate.
    for serial in range(100000):
        first = f"0602400{serial:04d}"
        if sum(int(d) * w for d, w in zip(first, range(1, 12), strict=True)) % 11 == 10:
            break
    check = bin_check_digit(first)
    second = sum(
        int(d) * w for d, w in zip(first, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)
    )
    if second % 11 == 10:
        assert check is None
    else:
        assert check == second % 11
        assert validate_bin(first + str(check))


@pytest.mark.parametrize("code", ["23.61", "10.51.1", "23610", "31"])
def test_oked_codes(code: str) -> None:
    assert validate_oked(code) == code


def test_bad_oked_code() -> None:
    with pytest.raises(IdentifierError, match="OKED"):
        validate_oked("building")
