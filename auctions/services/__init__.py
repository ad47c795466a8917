from auctions.services.bidding import BidPlaced, bid_place
from auctions.services.closing import AuctionClosed, auction_close, auctions_close_due
from auctions.services.setup import auction_create

__all__ = ["AuctionClosed", "BidPlaced", "auction_close", "auction_create", "auctions_close_due", "bid_place"]
