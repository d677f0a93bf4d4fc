"""Reading CRM phones: national numbers are kept for the hub to read with the record's country."""

from __future__ import annotations

import pytest

from mappings.errors import TransformError
from mappings.transforms.text import from_crm_phone


def test_international_numbers_become_e164() -> None:
    assert from_crm_phone("+82 10-2345-6789", None) == "+821023456789"


def test_a_national_number_without_a_configured_region_is_kept_as_written() -> None:
    assert from_crm_phone("010-2345-6789", None) == "010-2345-6789"


def test_a_configured_region_reads_national_numbers() -> None:
    assert from_crm_phone("(415) 555-0100", "US") == "+14155550100"


@pytest.mark.parametrize("value", ["call reception", "12", "+1 0"])
def test_text_that_is_no_phone_number_is_refused(value: str) -> None:
    with pytest.raises(TransformError):
        from_crm_phone(value, None)
