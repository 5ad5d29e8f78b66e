"""System checks of the consultations app."""

from django.core.checks import Warning, register
from django.utils import timezone

from .dates import BANK_HOLIDAYS_KNOWN_UNTIL


@register()
def bank_holidays_cover_next_year(app_configs, **kwargs):
    """Concern due dates skip bank holidays: the list must reach at least next year."""
    if timezone.now().year + 1 > BANK_HOLIDAYS_KNOWN_UNTIL:
        return [
            Warning(
                f"The bank holidays in consultations/dates.py end in {BANK_HOLIDAYS_KNOWN_UNTIL}.",
                hint="Add the next year's bank holidays for England and Wales from "
                "https://www.gov.uk/bank-holidays.json (see the module docstring).",
                id="consultations.W001",
            )
        ]
    return []
