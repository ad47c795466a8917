"""Is a listing good value? Its price against the listings of the same model on sale, allowing
for age and hours: within the model, the log of the price (in the pivot currency) is fitted
to the year and the log of the hours by least squares, and a listing's place among the
residuals (cheaper than expected = low) is its percentile. Pure: the caller reads the peers.

A badge needs enough peers to mean something (MIN_PEERS), a percentile at most
GOOD_VALUE_PERCENTILE (priced lower, for its age and hours, than four in five of its peers)
and a price at most GOOD_VALUE_RATIO of the fitted one (a fifth of any model is its
cheapest fifth; only a real discount earns the badge).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_PEERS = 8
GOOD_VALUE_PERCENTILE = 0.2
GOOD_VALUE_RATIO = 0.9


@dataclass(frozen=True)
class Valuation:
    percentile: float  # 0 = the best value among its peers, 1 = the dearest for its age and hours
    ratio: float  # its price over the price fitted for its year and hours
    peers: int  # how many listings it was compared with, itself included

    @property
    def good(self) -> bool:
        return self.percentile <= GOOD_VALUE_PERCENTILE and self.ratio <= GOOD_VALUE_RATIO


@dataclass(frozen=True)
class Peer:
    id: int
    price: int  # pivot-currency minor units, > 0
    year: int
    hours: int | None


def valuations(peers: Sequence[Peer]) -> dict[int, Valuation]:
    """Each peer's valuation among `peers`, the listings of one model; empty when they are too
    few to compare."""
    priced = [peer for peer in peers if peer.price > 0]
    if len(priced) < MIN_PEERS:
        return {}
    years = [float(p.year) for p in priced]
    hours = [math.log1p(p.hours or 0) for p in priced]
    mean_year, mean_hours = sum(years) / len(years), sum(hours) / len(hours)  # centred: well conditioned
    rows = [(1.0, y - mean_year, h - mean_hours) for y, h in zip(years, hours, strict=True)]
    targets = [math.log(p.price) for p in priced]
    coefficients = _least_squares(rows, targets)
    residuals = [
        target - sum(c * x for c, x in zip(coefficients, row, strict=True))
        for row, target in zip(rows, targets, strict=True)
    ]
    ranked = sorted(residuals)
    count = len(ranked)
    # the share of peers cheaper than this one for its age and hours (ties share a place)
    return {
        peer.id: Valuation(
            percentile=sum(1 for other in ranked if other < residual - 1e-12) / (count - 1),
            ratio=math.exp(residual),
            peers=count,
        )
        for peer, residual in zip(priced, residuals, strict=True)
    }


def _least_squares(rows: Sequence[tuple[float, ...]], targets: list[float]) -> list[float]:
    """Coefficients minimising the squared error (normal equations, Gaussian elimination; a
    column without spread, such as one year for all, gets no weight)."""
    size = len(rows[0])
    matrix = [[sum(r[i] * r[j] for r in rows) for j in range(size)] for i in range(size)]
    vector = [sum(r[i] * t for r, t in zip(rows, targets, strict=True)) for i in range(size)]
    for i in range(size):  # a little ridge keeps a flat column from making the system singular
        matrix[i][i] += 1e-9 * (1 + matrix[i][i])
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(matrix[r][column]))
        matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
        vector[column], vector[pivot] = vector[pivot], vector[column]
        if abs(matrix[column][column]) < 1e-300:
            continue
        for row in range(column + 1, size):
            factor = matrix[row][column] / matrix[column][column]
            for k in range(column, size):
                matrix[row][k] -= factor * matrix[column][k]
            vector[row] -= factor * vector[column]
    solution = [0.0] * size
    for row in reversed(range(size)):
        if abs(matrix[row][row]) < 1e-300:
            continue
        known = sum(matrix[row][k] * solution[k] for k in range(row + 1, size))
        solution[row] = (vector[row] - known) / matrix[row][row]
    return solution
