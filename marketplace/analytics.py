"""The staff's analytics page: what buyers search, what finds nothing, how searches turn into
views, watches, bids and wins, and how fast search answers; from the events the sink kept."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from events.selectors import FUNNEL, funnel, searches_by_day, top_queries

PERIODS = (7, 30, 90)


@staff_member_required
def analytics(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    days = days if days in PERIODS else 30
    now = timezone.now()
    by_day = searches_by_day(now=now, days=days)
    stages = funnel(now=now, days=days)
    first = stages[FUNNEL[0]] or 1
    latencies = sorted(day.median_latency_ms for day in by_day if day.median_latency_ms is not None)
    return render(
        request,
        "marketplace/analytics.html",
        {
            "days": days,
            "periods": PERIODS,
            "by_day": by_day,
            "searches": [day.searches for day in by_day],
            "zero_results": [day.zero_results for day in by_day],
            "latency": [round(day.median_latency_ms or 0, 1) for day in by_day],
            "total_searches": sum(day.searches for day in by_day),
            "total_zero": sum(day.zero_results for day in by_day),
            "median_latency": latencies[len(latencies) // 2] if latencies else None,
            "top": top_queries(now=now, days=days),
            "zero": [
                (item, "/search/?" + urlencode({"q": item.query, "lang": item.language, **item.filters}))
                for item in top_queries(now=now, days=days, zero_results=True)
            ],
            "funnel": [(stage, stages[stage], round(100 * stages[stage] / first)) for stage in FUNNEL],
        },
    )
