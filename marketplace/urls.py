from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from auctions import views as auction_views
from marketplace import views
from marketplace.forms import LoginForm
from search.views import search_page

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_page, name="search"),
    path("auctions/", auction_views.auction_list, name="auction-list"),
    path("auctions/<int:auction_id>/", auction_views.auction_live, name="auction-live"),
    path("machines/<int:machine_id>/", views.machine_detail, name="machine-detail"),
    path("machines/<int:machine_id>/watch/", views.watch_toggle, name="machine-watch"),
    path("machines/<int:machine_id>/auction/", auction_views.auction_start, name="auction-start"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("preferences/", views.preferences_update, name="preferences"),
    path("sell/", views.seller_dashboard, name="seller-dashboard"),
    path("sell/new/", views.listing_edit, name="listing-new"),
    path("sell/<int:machine_id>/edit/", views.listing_edit, name="listing-edit"),
    path("sell/<int:machine_id>/photos/", views.listing_photo_add, name="listing-photo-add"),
    re_path(
        r"^sell/(?P<machine_id>[0-9]+)/(?P<action>publish|unpublish|sold)/$",
        views.listing_status,
        name="listing-status",
    ),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
