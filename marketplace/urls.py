from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from marketplace import analytics, live, views

urlpatterns = [
    path("", views.home, name="home"),
    path("machines/<int:machine_id>/", views.machine_detail, name="machine-detail"),
    path("machines/<int:machine_id>/watch/", views.watch_toggle, name="machine-watch"),
    path("machines/<int:machine_id>/watchers/stream/", live.watcher_stream, name="machine-watchers-stream"),
    path("machines/<int:machine_id>/enquire/", views.machine_enquire, name="machine-enquire"),
    path("enquiries/", views.enquiry_inbox, name="enquiry-inbox"),
    path("enquiries/<int:enquiry_id>/", views.enquiry_detail, name="enquiry-detail"),
    path("sellers/<int:seller_id>/", views.seller_detail, name="seller-detail"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("preferences/", views.preferences_update, name="preferences"),
    path("sell/", views.seller_dashboard, name="seller-dashboard"),
    path("staff/analytics/", analytics.analytics, name="staff-analytics"),
    path("sell/new/", views.listing_edit, name="listing-new"),
    path("sell/<int:machine_id>/edit/", views.listing_edit, name="listing-edit"),
    path("sell/<int:machine_id>/photos/", views.listing_photo_add, name="listing-photo-add"),
    path(
        "sell/<int:machine_id>/photos/<int:photo_id>/<str:move>/",
        views.listing_photo_move,
        name="listing-photo-move",
    ),
    re_path(
        r"^sell/(?P<machine_id>[0-9]+)/(?P<action>publish|unpublish|sold)/$",
        views.listing_status,
        name="listing-status",
    ),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
