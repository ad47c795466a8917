from django.urls import path

from auctions import apis
from auctions.sse import auction_events

urlpatterns = [
    path("", apis.AuctionListCreateApi.as_view(), name="api-auctions"),
    path("events/", auction_events, name="api-auction-events"),
    path("<int:auction_id>/", apis.AuctionDetailApi.as_view(), name="api-auction"),
    path("<int:auction_id>/bids/", apis.AuctionBidApi.as_view(), name="api-auction-bids"),
]
