from django.urls import path

from auctions import views

urlpatterns = [
    path("auctions/", views.auction_list, name="auction-list"),
    path("auctions/<int:auction_id>/", views.auction_live, name="auction-live"),
    path("machines/<int:machine_id>/auction/", views.auction_start, name="auction-start"),
]
