from django.urls import path

from search import apis

urlpatterns = [
    path("", apis.SearchApi.as_view(), name="api-search"),
    path("suggest/", apis.SuggestApi.as_view(), name="api-search-suggest"),
]
