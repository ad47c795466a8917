"""The good-value percentile (marketplace/valuation.py): properties that hold whatever the
listings, and a family where the answer is known."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marketplace.valuation import MIN_PEERS, Peer, valuations

peers_strategy = st.lists(
    st.builds(
        Peer,
        id=st.integers(min_value=1, max_value=10**9),
        price=st.integers(min_value=100_000, max_value=10**10),
        year=st.integers(min_value=1995, max_value=2026),
        hours=st.one_of(st.none(), st.integers(min_value=0, max_value=60_000)),
    ),
    min_size=MIN_PEERS,
    max_size=60,
    unique_by=lambda peer: peer.id,
)


@given(peers_strategy)
def test_every_peer_gets_a_percentile_between_0_and_1(peers: list[Peer]) -> None:
    found = valuations(peers)

    assert set(found) == {peer.id for peer in peers}
    assert all(0 <= value.percentile <= 1 and value.ratio > 0 for value in found.values())
    assert all(value.peers == len(peers) for value in found.values())


@given(peers_strategy, st.integers(min_value=2, max_value=1000))
def test_the_currency_does_not_matter(peers: list[Peer], factor: int) -> None:
    scaled = [Peer(p.id, p.price * factor, p.year, p.hours) for p in peers]

    assert {k: v.percentile for k, v in valuations(scaled).items()} == {
        k: v.percentile for k, v in valuations(peers).items()
    }


@given(peers_strategy, st.data())
def test_a_lower_price_never_makes_a_listing_worse_value(peers: list[Peer], data: st.DataObject) -> None:
    chosen = data.draw(st.sampled_from(peers))
    cheaper = [Peer(p.id, p.price // 2 if p.id == chosen.id else p.price, p.year, p.hours) for p in peers]

    assert valuations(cheaper)[chosen.id].percentile <= valuations(peers)[chosen.id].percentile
    assert valuations(cheaper)[chosen.id].ratio < valuations(peers)[chosen.id].ratio


def test_too_few_peers_give_no_percentile() -> None:
    peers = [Peer(i, 1_000_000, 2015, 5000) for i in range(MIN_PEERS - 1)]

    assert valuations(peers) == {}


def test_a_cheap_machine_for_its_age_is_the_best_value_even_if_not_the_cheapest() -> None:
    # newer machines cost more: 2010 at about 40k, 2020 at about 80k (in cents)
    peers = [
        Peer(year - 2000, int((40_000 + (year - 2010) * 4_000) * 100), year, 5_000)
        for year in range(2010, 2021)
    ]
    bargain = Peer(99, 60_000 * 100, 2020, 5_000)  # a 2020 machine at a 2015 price
    oldest = peers[0]

    found = valuations([*peers, bargain])

    assert found[bargain.id].percentile == 0  # the best value, though five machines are cheaper
    assert found[bargain.id].good
    assert oldest.price < bargain.price
    assert not found[oldest.id].good
    assert [peer.id for peer in peers if found[peer.id].good] == []  # on the trend: no discount
