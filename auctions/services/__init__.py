from auctions.services.bidding import BidPlaced, BidSubmission, bid_place, bids_place
from auctions.services.closing import AuctionClosed, auction_close, auctions_close_due
from auctions.services.reminders import auction_remind, auction_reminders_due
from auctions.services.setup import auction_create

__all__ = [
    "AuctionClosed",
    "BidPlaced",
    "BidSubmission",
    "auction_close",
    "auction_create",
    "auction_remind",
    "auction_reminders_due",
    "auctions_close_due",
    "bid_place",
    "bids_place",
]
