from django.urls import path

from auctions import apis

urlpatterns = [
    path("", apis.AuctionListCreateApi.as_view(), name="api-auctions"),
    path("<int:auction_id>/", apis.AuctionDetailApi.as_view(), name="api-auction"),
    path("<int:auction_id>/bids/", apis.AuctionBidApi.as_view(), name="api-auction-bids"),
]
