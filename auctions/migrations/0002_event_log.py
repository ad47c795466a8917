"""The auctions' event log, and the events of auctions that ran before it.

Before the log, only bids (as Bid rows) and an auction's end (in its state) were kept; each is
written into the log here as it was broadcast, as far as the rows tell: a bid's `ends_at` is
the auction's end as it stands now (extensions were never recorded, and neither were their
events, so a resuming client sees their seqs missing and catches up on the rest)."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    from auctions.rules import AuctionState
    from core.money import Money

    auctions = apps.get_model("auctions", "Auction")
    bids = apps.get_model("auctions", "Bid")
    records = apps.get_model("auctions", "AuctionEventRecord")
    users = apps.get_model("marketplace", "User")
    for auction in auctions.objects.all().iterator():
        state = AuctionState.from_dict(auction.state)
        terms = state.terms
        names = dict(users.objects.filter(bids__auction=auction).values_list("pk", "username").distinct())
        rows = []
        for count, bid in enumerate(bids.objects.filter(auction=auction).order_by("seq"), start=1):
            bidder = {"id": bid.bidder_id, "name": names.get(bid.bidder_id, "")}
            reserve = terms.reserve
            rows.append(
                {
                    "event": "new_bid",
                    "payload": {
                        "auction_id": auction.pk,
                        "seq": bid.seq,
                        "bid_count": count,
                        "highest_bidder": bidder,
                        "highest_bid": {
                            "price": Money(bid.amount, auction.currency).to_json(),
                            "user": bidder,
                            "automatic": bid.automatic,
                            "placed_at": bid.placed_at.isoformat(),
                        },
                        "ends_at": auction.ends_at.isoformat(),
                        "reserve_met": reserve is None or bid.amount >= reserve.amount,
                        "minimum_bid": Money(terms.increments.next_amount(bid.amount), auction.currency).to_json(),
                    },
                }
            )
        if state.closing is not None:
            result = state.closing.result
            winner = None
            if result.high_bidder_id and result.reserve_met:
                winner_id = int(result.high_bidder_id)
                winner = {"id": winner_id, "name": names.get(winner_id, "")}
            price = result.final_price
            rows.append(
                {
                    "event": "auction_ended",
                    "payload": {
                        "auction_id": auction.pk,
                        "seq": state.closing.seq,
                        "winner": winner,
                        "price": Money(price.amount, price.currency).to_json() if price else None,
                        "reserve_met": result.reserve_met,
                    },
                }
            )
        records.objects.bulk_create(
            records(auction=auction, seq=message["payload"]["seq"], message=message) for message in rows
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auctions", "0001_initial"),
        ("marketplace", "0003_photo_dimensions_explicit"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuctionEventRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveIntegerField()),
                (
                    "message",
                    models.JSONField(help_text='{"event": ..., "payload": ...} (auctions/asyncapi.py)'),
                ),
                (
                    "auction",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="events", to="auctions.auction"
                    ),
                ),
            ],
            options={
                "ordering": ["auction", "seq"],
                "constraints": [models.UniqueConstraint(fields=("auction", "seq"), name="unique_auction_event_seq")],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
