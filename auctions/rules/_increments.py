"""Bid increments by price band. A table is data: `((lower_bound, increment), ...)` in minor
units, the band with the greatest lower bound not above the price applies."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from auctions.rules._errors import InvalidIncrementTableError, InvalidStateError
from auctions.rules._money import minor_units


@dataclass(frozen=True, slots=True)
class IncrementTable:
    """Bands `(lower_bound, increment)`: the first starts at 0, lower bounds strictly rise and
    increments never shrink. The last rule is what makes `next_amount` strictly increasing
    (with a shrinking increment, 999 + 50 could exceed 1000 + 10), which the proxy logic relies
    on: a higher maximum must never produce a lower counter-bid."""

    bands: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if not self.bands:
            raise InvalidIncrementTableError("an increment table needs at least one band")
        previous: tuple[int, int] | None = None
        for band in self.bands:
            if (
                not isinstance(band, tuple)
                or len(band) != 2
                or not all(isinstance(part, int) and not isinstance(part, bool) for part in band)
            ):
                raise InvalidIncrementTableError(
                    f"a band is a (lower_bound, increment) pair of ints, got {band!r}"
                )
            lower_bound, increment = band
            if increment <= 0:
                raise InvalidIncrementTableError(f"increments must be positive, got {band!r}")
            if previous is None:
                if lower_bound != 0:
                    raise InvalidIncrementTableError(f"the first band must start at 0, got {band!r}")
            elif lower_bound <= previous[0]:
                raise InvalidIncrementTableError(
                    f"lower bounds must strictly rise: {previous!r} then {band!r}"
                )
            elif increment < previous[1]:
                raise InvalidIncrementTableError(f"increments must not shrink: {previous!r} then {band!r}")
            previous = band

    @classmethod
    def of(cls, bands: Sequence[Sequence[int]]) -> IncrementTable:
        """Build from any pairs, e.g. the lists a JSON column gives back."""
        pairs: list[tuple[int, int]] = []
        for band in bands:
            if len(band) != 2:
                raise InvalidIncrementTableError(f"a band is a (lower_bound, increment) pair, got {band!r}")
            pairs.append((band[0], band[1]))
        return cls(tuple(pairs))

    def increment_for(self, amount: int) -> int:
        if amount < 0:
            raise InvalidIncrementTableError(f"no increment for a negative amount {amount}")
        index = bisect_right(self.bands, amount, key=lambda band: band[0]) - 1
        return self.bands[index][1]

    def next_amount(self, amount: int) -> int:
        """The smallest amount that beats `amount` by a full increment."""
        return amount + self.increment_for(amount)

    def to_list(self) -> list[list[int]]:
        return [list(band) for band in self.bands]

    @classmethod
    def from_list(cls, value: object) -> IncrementTable:
        if not isinstance(value, list | tuple) or not all(isinstance(band, list | tuple) for band in value):
            raise InvalidStateError(f"an increment table must be a list of pairs, got {value!r}")
        return cls.of(value)


def _scaled(table: IncrementTable, factor: int) -> IncrementTable:
    return IncrementTable(
        tuple((lower_bound * factor, increment * factor) for lower_bound, increment in table.bands)
    )


# For currencies worth roughly a euro per major unit, in cents. Construction equipment sells
# from a few hundred to a few million, so increments stay a small fraction of the price
# (about 1-5 %) across that whole range.
CENT_INCREMENTS: Final = IncrementTable(
    (
        (0, 5_00),
        (100_00, 10_00),
        (500_00, 25_00),
        (1_000_00, 50_00),
        (5_000_00, 100_00),
        (10_000_00, 250_00),
        (25_000_00, 500_00),
        (50_000_00, 1_000_00),
        (100_000_00, 2_500_00),
        (250_000_00, 5_000_00),
        (500_000_00, 10_000_00),
        (1_000_000_00, 25_000_00),
    )
)

# For zero-decimal currencies of the yen's magnitude (about 150 per euro), in whole units.
ZERO_DECIMAL_INCREMENTS: Final = IncrementTable(
    (
        (0, 500),
        (10_000, 1_000),
        (50_000, 2_500),
        (100_000, 5_000),
        (500_000, 10_000),
        (1_000_000, 25_000),
        (2_500_000, 50_000),
        (5_000_000, 100_000),
        (10_000_000, 250_000),
        (25_000_000, 500_000),
        (50_000_000, 1_000_000),
        (100_000_000, 2_500_000),
    )
)

# Three-decimal currencies (KWD, BHD, OMR...) are worth a few euros per unit: the cent table
# in thousandths is close enough.
THOUSANDTH_INCREMENTS: Final = _scaled(CENT_INCREMENTS, 10)

DEFAULT_INCREMENTS: Final[Mapping[int, IncrementTable]] = MappingProxyType(
    {0: ZERO_DECIMAL_INCREMENTS, 2: CENT_INCREMENTS, 3: THOUSANDTH_INCREMENTS}
)


def default_increments(currency: str) -> IncrementTable:
    """The default table for `currency`, chosen by its number of decimals. Currencies far from
    the euro's or the yen's magnitude (KRW, VND, IDR) deserve a table of their own, carried
    by the auction."""
    return DEFAULT_INCREMENTS[minor_units(currency)]
