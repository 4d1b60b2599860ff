"""Phone numbers in one form (E.164), so that a participant is found whatever way a number is typed."""

import functools

import phonenumbers


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number that can receive texts."""


def normalize_phone(raw: str, default_region: str = "US") -> str:
    """Return `raw` as E.164 (+15105550100); raise InvalidPhoneNumber if it is not a valid number."""
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(f"not a phone number: {error}") from error
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=4096)
def display_phone(e164: str) -> str:
    """A number as people in its country write it: (510) 555-0199."""
    return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)
