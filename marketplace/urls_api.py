from django.urls import path

from marketplace import apis

urlpatterns = [
    path("auth/token/", apis.AuthTokenApi.as_view(), name="api-token"),
    path("auth/register/", apis.RegisterApi.as_view(), name="api-register"),
    path("categories/", apis.CategoryListApi.as_view(), name="api-categories"),
    path("makers/", apis.MakerListApi.as_view(), name="api-makers"),
    path("models/", apis.ModelListApi.as_view(), name="api-models"),
    path("spec-definitions/", apis.SpecDefinitionListApi.as_view(), name="api-spec-definitions"),
    path("machines/", apis.MachineListCreateApi.as_view(), name="api-machines"),
    path("machines/<int:machine_id>/", apis.MachineDetailApi.as_view(), name="api-machine"),
    path("machines/<int:machine_id>/photos/", apis.MachinePhotoApi.as_view(), name="api-machine-photos"),
    path(
        "machines/<int:machine_id>/photos/<int:photo_id>/",
        apis.MachinePhotoItemApi.as_view(),
        name="api-machine-photo",
    ),
    path(
        "machines/<int:machine_id>/publish/",
        apis.MachineTransitionApi.for_action("publish"),
        name="api-machine-publish",
    ),
    path(
        "machines/<int:machine_id>/unpublish/",
        apis.MachineTransitionApi.for_action("unpublish"),
        name="api-machine-unpublish",
    ),
    path(
        "machines/<int:machine_id>/sold/",
        apis.MachineTransitionApi.for_action("sold"),
        name="api-machine-sold",
    ),
    path("watchlist/", apis.WatchlistApi.as_view(), name="api-watchlist"),
    path("watchlist/<int:machine_id>/", apis.WatchlistItemApi.as_view(), name="api-watchlist-item"),
    path("enquiries/", apis.EnquiryListCreateApi.as_view(), name="api-enquiries"),
    path("enquiries/<int:enquiry_id>/", apis.EnquiryDetailApi.as_view(), name="api-enquiry"),
    path(
        "enquiries/<int:enquiry_id>/messages/", apis.EnquiryMessageApi.as_view(), name="api-enquiry-messages"
    ),
    path("enquiries/<int:enquiry_id>/read/", apis.EnquiryReadApi.as_view(), name="api-enquiry-read"),
]
