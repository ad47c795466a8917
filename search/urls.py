from django.urls import path

from search.views import search_page, spec_facets_fragment

urlpatterns = [
    path("search/", search_page, name="search"),
    path("search/spec-facets/", spec_facets_fragment, name="search-spec-facets"),
]
