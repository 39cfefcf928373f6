"""Phone numbers as one key: E.164, parsed with `phonenumbers` the way Chinese callers write them.

"138 0013 8000", "+86-138-0013-8000", "0086 13800138000" and "13800138000" are one caller; so are
"(010) 6552 9988" and "+86 10 6552 9988". Contacts are stored in E.164 and looked up by it, and a
ticket's caller phone is recorded the same way, so the hotline lookup, the ticket's "registered
contact" check and other services reading the number all compare like with like. A number without
a country prefix is read as Chinese (region CN); a foreign one keeps its own prefix.

`phonenumbers` (Google's libphonenumber metadata) is pinned in requirements; its number-plan data
knows which prefixes are valid, which a hand-written digit rule cannot.
"""

from __future__ import annotations

import phonenumbers

REGION = "CN"


def e164(raw: str) -> str | None:
    """The E.164 form (`+8613800138000`) of a valid number, else None (not a phone number we can use)."""
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
