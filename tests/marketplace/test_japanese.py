"""The Japanese pages speak Japanese: walking the buyer's and the seller's pages in Japanese,
no English is left in the interface (text, labels, placeholders). What people wrote (titles,
descriptions, names, model numbers) is marked `translate="no"`, as HTML has it for text that
is not to be translated, and is not the interface's to translate."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction

from alerts.services import Draft, notify
from marketplace.models import Currency, Machine
from marketplace.services import watch_add
from tests.factories import SellerFactory, UserFactory, open_auction
from tests.marketplace.test_pages import log_in
from tests.search.catalogue import build_catalogue, fresh_machine_index

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Interface text in the DOM, outside what people wrote: text nodes, and the attributes a
# reader hears or sees (labels, placeholders, titles, alternative texts).
INTERFACE_TEXT = """() => {
  const skip = "script, style, noscript, select, datalist, [translate=no], [hidden]";
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest(skip) || !node.textContent.trim()) continue;
    texts.push(node.textContent.trim());
  }
  document.querySelectorAll("[aria-label], [placeholder], [title], img[alt]").forEach(element => {
    if (element.closest("[translate=no]")) return;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      const value = element.getAttribute(name);
      if (value && value.trim()) texts.push(value.trim());
    }
  });
  return texts;
}"""
# Latin letters the Japanese interface keeps: the brand, unit symbols, and (below) currency
# codes and symbols (CN¥, US$)
ALLOWED = {
    "IronMarket",
    "kW",
    "hp",
    "lb",
    "lbf",
    "kN",
    "ft",
    "mm",
    "mph",
    "km",
    "gal",
    "yd",
    "h",
    "t",
    "m",
    "L",
}


def english_words(page: Any) -> list[str]:
    currencies = Currency.objects.values_list("code", "symbol")
    allowed = ALLOWED | {
        word for pair in currencies for text in pair for word in re.findall(r"[A-Za-z]+", text)
    }
    words = []
    for text in page.evaluate(INTERFACE_TEXT):
        words += [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in allowed]
    return words


@pytest.fixture
def catalogue() -> dict[str, Any]:
    fresh_machine_index()
    seller = SellerFactory.create(
        username="osaka-iron", company_name="Osaka Iron Works", primary_language_id="ja"
    )
    ids = build_catalogue(seller)
    buyer = UserFactory.create(username="sato", primary_language_id="ja")
    UserFactory.create(username="kanri", primary_language_id="ja", is_staff=True)
    watch_add(user=buyer, machine_id=ids["pc200-ja"])
    auction = open_auction(machine=Machine.objects.get(pk=ids["zx200-ja"]))
    watch_add(user=buyer, machine_id=auction.machine_id)
    with transaction.atomic():  # the notifications page has one to show: outbid on the auction
        notify(
            [
                Draft(
                    user_id=buyer.pk,
                    kind="outbid",
                    dedupe_key="japanese-walk",
                    link=f"/auctions/{auction.pk}/",
                    params={"title": auction.machine.title, "price": "\u00a51,500,000"},
                )
            ]
        )
    return {"ids": ids, "auction": auction, "seller": seller}


def test_no_english_is_left_on_the_japanese_pages(
    live_server: Any, browser: Any, screenshot: Any, catalogue: dict[str, Any]
) -> None:
    ids, auction = catalogue["ids"], catalogue["auction"]
    journeys = {
        None: {
            "home": "/",
            "search": "/search/?q=%E6%B2%B9%E5%9C%A7%E3%82%B7%E3%83%A7%E3%83%99%E3%83%AB&maker=komatsu&year_min=2010",
            "search-empty": "/search/?q=zzzzqqq",
            "listing": f"/machines/{ids['pc200-ja']}/",
            "seller": f"/sellers/{catalogue['seller'].pk}/",
            "auctions": "/auctions/",
            "auction": f"/auctions/{auction.pk}/",
            "login": "/accounts/login/",
            "signup": "/accounts/signup/",
            "not-found": "/machines/999999999/",
        },
        "sato": {
            "watchlist": "/watchlist/",
            "listing-as-buyer": f"/machines/{ids['pc30-all']}/",
            "notifications": "/notifications/",
        },
        "kanri": {"analytics": "/staff/analytics/"},
        "osaka-iron": {
            "dashboard": "/sell/",
            "listing-form": f"/sell/{ids['pc200-ja']}/edit/",
            "new-listing": "/sell/new/",
        },
    }
    left: dict[str, list[str]] = {}
    for username, pages in journeys.items():
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP")
        page = context.new_page()
        if username:
            log_in(page, live_server.url, username)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")  # the spec facets and live parts filled in
            assert page.locator("html").get_attribute("lang") == "ja"
            words = english_words(page)
            if words:
                left[name] = sorted(set(words))
            screenshot(page, name)
        context.close()

    assert left == {}, "\n".join(f"{name}: {words}" for name, words in left.items())
