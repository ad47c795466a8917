from django.urls import path

from search import apis

urlpatterns = [
    path("", apis.SearchApi.as_view(), name="api-search"),
    path("spec-facets/", apis.SpecFacetsApi.as_view(), name="api-search-spec-facets"),
    path("suggest/", apis.SuggestApi.as_view(), name="api-search-suggest"),
]
