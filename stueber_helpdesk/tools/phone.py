"""Phone numbers as agents type them, made comparable.

Callers read out or paste numbers in any format ("0431 555-1200",
"+49 (0)431 5551200", "0049 431 5551200"); contacts store them as someone
typed them. Both become E.164 ("+494315551200") through ``phone_validation``.
"""

from odoo.addons.phone_validation.tools.phone_validation import phone_format
from odoo.exceptions import UserError

DEFAULT_REGION, DEFAULT_PHONE_CODE = "DE", 49


def normalize_phone(number, region=DEFAULT_REGION):
    """The E.164 form of ``number`` read in ``region`` (German numbers
    without country code), or ``None`` when it is no valid number."""
    number = (number or "").strip().replace("(0)", "")
    if not number:
        return None
    try:
        return phone_format(number, region, None, force_format="E164", raise_exception=True)
    except UserError:
        return None


def national_phone(e164, region=DEFAULT_REGION, phone_code=DEFAULT_PHONE_CODE):
    """The national digits of an E.164 number ("+494315551200" -> "04315551200"),
    as contacts without country code often store it."""
    try:
        return phone_format(e164, region, phone_code, force_format="NATIONAL", raise_exception=True).replace(" ", "")
    except UserError:
        return None
