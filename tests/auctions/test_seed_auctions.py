"""The demo's pages alive (issue 20): `seed_photos` draws photos for the newest listings and
`seed_auctions` puts some up for auction (live, upcoming, recently ended, with bids and
watchers), through the services a seller and buyers use."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image

from auctions.models import Auction, Bid
from marketplace.models import Machine, Photo, WatchlistEntry

pytestmark = pytest.mark.django_db  # one test: seeding even a small catalogue takes a while


@pytest.fixture
def demo() -> None:
    out = io.StringIO()
    call_command("seed_catalogue", "--machines", "40", stdout=out, verbosity=0)
    call_command("seed_photos", "--listings", "16", stdout=out, verbosity=0)
    call_command("seed_auctions", stdout=out, verbosity=0)


def test_the_newest_listings_get_photos_and_some_go_to_auction(demo: None, client: Client) -> None:
    # the newest listings get one to four real photos each
    counts = [machine.photos.count() for machine in Machine.objects.filter(photos__isnull=False).distinct()]

    assert len(counts) == 16
    assert all(1 <= count <= 4 for count in counts)
    photo = Photo.objects.first()
    assert photo is not None
    with Image.open(photo.image) as image:  # a JPEG the photo service made, as for an upload
        assert (image.format, image.size) == ("JPEG", (photo.width, photo.height))

    # auctions run live, come up and have ended, with bids and watchers
    now = timezone.now()
    auctions = list(Auction.objects.all())

    live = [a for a in auctions if a.closed_at is None and a.starts_at <= now < a.ends_at]
    upcoming = [a for a in auctions if a.closed_at is None and a.starts_at > now]
    ended = [a for a in auctions if a.closed_at is not None]
    assert (len(live), len(upcoming), len(ended)) == (6, 4, 6)
    assert all(a.bid_count == Bid.objects.filter(auction=a).count() for a in auctions)
    assert sum(a.bid_count for a in live) > 0
    assert sum(a.bid_count for a in ended) > 0
    assert not Bid.objects.filter(auction__in=upcoming).exists()
    assert all(a.machine.photos.exists() for a in auctions)
    assert WatchlistEntry.objects.filter(machine__auctions__isnull=False).exists()

    # and every page of them renders
    for auction in Auction.objects.all():
        assert client.get(f"/auctions/{auction.pk}/").status_code == 200
    assert client.get("/auctions/").status_code == 200

    # a second run adds none
    before = Auction.objects.count()
    out = io.StringIO()
    call_command("seed_auctions", stdout=out, verbosity=0)
    assert Auction.objects.count() == before
    assert "none added" in out.getvalue()
