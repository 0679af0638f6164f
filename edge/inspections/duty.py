"""Import duty and VAT on goods, from the tariff and rates in the reference data.

Money is ``Decimal`` throughout and every amount is rounded half-up to the
penny where it is stated (customs value converted, duty, VAT), so the sum
on the receipt is the sum of the printed lines and anyone can redo it by
hand. The customs value is the transaction value, or CIF: FOB plus freight
plus insurance. Duty is ad valorem on the customs value in local currency;
VAT is on that value plus the duty. Pure functions only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from common.reference import ReferenceData

PENNY = Decimal("0.01")


class DutyError(ValueError):
    """A quote that cannot be made: an API error code, a message, the field at fault."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code, self.field = code, field


def decimal(number: float | int) -> Decimal:
    """A JSON number as the decimal a person wrote (0.1 stays 0.1)."""
    return Decimal(str(number))


def money(amount: Decimal) -> str:
    """Two places, rounded half-up: ``Decimal("1969.056")`` → ``"1969.06"``."""
    return str(amount.quantize(PENNY, rounding=ROUND_HALF_UP))


def customs_value(request: dict[str, Any]) -> tuple[Decimal, str]:
    """The customs value in the invoice currency and its basis (transaction or CIF)."""
    if ("value" in request) == ("fob" in request):
        raise DutyError("invalid_field", "give either value (the transaction value) or fob "
                                         "(with freight and insurance if paid)", "value")
    if "value" in request:
        for extra in ("freight", "insurance"):
            if extra in request:
                raise DutyError("invalid_field", f"{extra} goes with fob (CIF), not with value", extra)
        return decimal(request["value"]), "transaction"
    parts = (request["fob"], request.get("freight", 0), request.get("insurance", 0))
    return sum((decimal(p) for p in parts), Decimal(0)), "CIF"


def quote(request: dict[str, Any], reference: ReferenceData) -> dict[str, Any]:
    """The BREAKDOWN of docs/officer-api.md for a quote request; raises :class:`DutyError`."""
    tariff = reference.tariff_for(request["hs_code"])
    if tariff is None:
        raise DutyError("unknown_hs_code", f"no tariff line covers HS code {request['hs_code']}", "hs_code")
    currency = request["currency"]
    if currency not in reference.exchange_rates:
        raise DutyError("unknown_currency", f"no exchange rate for {currency} in reference data "
                                            f"{reference.version}", "currency")
    value, basis = customs_value(request)
    rate = reference.exchange_rates[currency]
    value_local = (value * decimal(rate)).quantize(PENNY, rounding=ROUND_HALF_UP)
    duty = (value_local * decimal(tariff["duty_rate"])).quantize(PENNY, rounding=ROUND_HALF_UP)
    vat_base = value_local + duty
    vat = (vat_base * decimal(reference.vat_rate)).quantize(PENNY, rounding=ROUND_HALF_UP)
    return {
        "hs_code": request["hs_code"], "tariff": dict(tariff), "currency": currency,
        "customs_value": money(value), "basis": basis, "exchange_rate": rate,
        "local_currency": reference.currency, "customs_value_local": money(value_local),
        "duty_rate": tariff["duty_rate"], "duty": money(duty), "vat_rate": reference.vat_rate,
        "vat_base": money(vat_base), "vat": money(vat), "total": money(duty + vat),
        "quantity": request.get("quantity"), "reference_version": reference.version,
    }
