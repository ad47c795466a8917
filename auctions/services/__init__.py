from auctions.services.bidding import BidPlaced, BidSubmission, bid_place, bids_place
from auctions.services.closing import AuctionClosed, auction_close, auctions_close_due
from auctions.services.setup import auction_create

__all__ = [
    "AuctionClosed",
    "BidPlaced",
    "BidSubmission",
    "auction_close",
    "auction_create",
    "auctions_close_due",
    "bid_place",
    "bids_place",
]
