"""The auction part of a listing's page, drawn by the auctions app: a link to its live
auction, or for its seller the form that starts one (the listing's page itself belongs to the
marketplace, which knows nothing of auctions); and the words the auction pages write times,
titles, places and prices with."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from auctions.forms import AuctionStartForm
from auctions.models import Auction
from auctions.rules import default_increments
from auctions.selectors import auction_open_for_machine, auctions_index
from core.money import Money, minor_units
from core.pages import page_language
from marketplace.models import Currency, Machine, Photo
from marketplace.money import convert, format_money

register = template.Library()

# A symbol this long or shorter stands before an amount, as marketplace.money.format_money writes it.
MAX_SYMBOL_LENGTH = 3


@register.inclusion_tag("auctions/panel.html", takes_context=True)
def auction_panel(context: dict[str, Any], machine: Any, is_owner: bool) -> dict[str, Any]:
    return {
        "machine": machine,
        "is_owner": is_owner,
        "open_auction": auction_open_for_machine(machine.pk),
        "auction_form": AuctionStartForm() if is_owner else None,
        "csrf_token": context.get("csrf_token"),
    }


# The units a duration is written in, largest first: (key, seconds).
DURATION_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


@register.simple_tag
def duration_units() -> dict[str, str]:
    """Each unit's short form in the reader's language, "{n}" standing for the number: the
    live page's script ticks its countdown in the same words as `countdown`."""
    words = {
        "d": _("%(n)sd"),
        "h": _("%(n)sh"),
        "m": _("%(n)sm"),
        "s": _("%(n)ss"),
    }
    return {key: word % {"n": "{n}"} for key, word in words.items()}


def _spelled(unit: str, count: int, shown: object) -> str:
    """`count` of `unit` in words ("2 minutes"), the number written as `shown`."""
    words = {
        "d": ngettext("%(n)s day", "%(n)s days", count),
        "h": ngettext("%(n)s hour", "%(n)s hours", count),
        "m": ngettext("%(n)s minute", "%(n)s minutes", count),
        "s": ngettext("%(n)s second", "%(n)s seconds", count),
    }
    return words[unit] % {"n": shown}


@register.filter
def duration(seconds: float) -> str:
    """A span of time in words, its two largest units: "2 days 3 hours", "1 minute", "45 seconds".
    The live page's script (`spell` in live.html) writes the same."""
    left = max(0, int(seconds))
    parts = []
    for unit, size in DURATION_UNITS:
        count, left = divmod(left, size)
        if count:
            parts.append(_spelled(unit, count, count))
    return " ".join(parts[:2]) or _spelled("s", 0, 0)


@register.filter
def countdown(seconds: float) -> str:
    """Time left to the second ("3h 0m 5s", "4m 5s"), to the minute when it is days ("2d 3h 4m");
    the live page's script (`countdown` in live.html) ticks it on in the same words."""
    left = max(0, int(seconds))
    units = duration_units()
    counts = []
    for key, size in DURATION_UNITS:
        count, left = divmod(left, size)
        counts.append((key, count))
    while len(counts) > 1 and counts[0][1] == 0:
        counts.pop(0)
    if counts[0][0] == "d":
        counts = counts[:3]
    return " ".join(units[key].replace("{n}", str(count)) for key, count in counts)


@register.filter
def pseudonym(number: int) -> str:
    """A bidder as others see them: "Bidder 3", numbered by their first bid in the auction."""
    return _("Bidder %(number)s") % {"number": number}


@register.filter
def bid_count(count: int) -> str:
    """ "3 bids", the number in `#bid-count` for the live page's script to keep current."""
    number = format_html('<span class="count" id="bid-count">{}</span>', count)
    return format_html(
        escape(ngettext("%(counter)s bid", "%(counter)s bids", count)).replace("%(counter)s", "{}"), number
    )


@register.filter
def currency_mark(currency: str) -> str:
    """What stands before a typed amount: the currency's symbol as prices show it, else its code."""
    symbol = Currency.objects.filter(code=currency).values_list("symbol", flat=True).first() or ""
    return symbol if 0 < len(symbol) <= MAX_SYMBOL_LENGTH else currency


@register.filter
def approx_in(price: dict[str, Any], currency: str) -> str:
    """An amount (the API's money shape) in another currency, after the sign for "almost
    equal to" (U+2248): the live page's script writes the same (`approx` in live.html)."""
    amount = convert(int(price["minor"]), str(price["currency"]), currency)
    return f"\u2248 {format_money(amount, currency)}"


@register.filter
def typed_money(price: dict[str, Any]) -> str:
    """An amount as a bidder types it: major units with digit groups, no symbol ("1,050.00")."""
    money = Money(int(price["minor"]), str(price["currency"]))
    return f"{money.major:,.{minor_units(money.currency)}f}"


@register.simple_tag
def live_words() -> dict[str, Any]:
    """The live page script's words in the reader's language; "{n}"-style marks stand for what
    it fills in."""
    return {
        "bidder": _("Bidder %(number)s") % {"number": "{n}"},
        "bids": {
            "one": ngettext("%(counter)s bid", "%(counter)s bids", 1) % {"counter": "{n}"},
            "other": ngettext("%(counter)s bid", "%(counter)s bids", 2) % {"counter": "{n}"},
        },
        "you": pgettext("auction", "you"),
        "automatic": pgettext("auction", "automatic"),
        "current_bid": _("Current bid"),
        "ends_in": _("Ends in"),
        "starts_in": _("Starts in"),
        "ended": pgettext("auction", "Ended"),
        "extended": _("Extended by %(extended)s because of late bids.") % {"extended": "{duration}"},
        "sending": _("Placing your bid…"),
        "placed_leading": _("Your bid was placed."),
        "placed_outbid": _("Your bid was placed, but another bidder's maximum is higher."),
        "raised": _("Your maximum bid was raised."),
        "enter_amount": _("Enter an amount, such as %(example)s.") % {"example": "{example}"},
        "at_least": _("Bid at least %(minimum)s.") % {"minimum": "{minimum}"},
        "max_below_bid": _("Your maximum must be at least your bid."),
        "errors": {
            "bid_too_low": _("Your bid is too low: bid at least the minimum, or more than your own maximum."),
            "auction_closed": _("This auction has ended."),
            "auction_not_started": _("Bidding has not started yet."),
            "not_allowed": _("You cannot bid on this auction."),
            "rate_limited": _("Too many bids in a short time: wait a moment and try again."),
            "invalid_amount": _("That amount is not valid."),
            "validation_error": _("That amount is not valid."),
            "default": _("Your bid could not be placed. Please try again."),
        },
        "units": duration_units(),
        "spelled": {
            unit: {"one": _spelled(unit, 1, "{n}"), "other": _spelled(unit, 2, "{n}")}
            for unit, _size in DURATION_UNITS
        },
        "winning_bid": _("Winning bid"),
        "highest_bid": pgettext("auction", "Highest bid"),
    }


@register.filter
def increment_examples(currency: str) -> str:
    """The default bid steps of `currency` at three prices, for the seller starting an
    auction: "€50 at €1,000, €250 at €10,000, €1,000 at €50,000"."""
    bands = default_increments(currency).bands
    shown = [bands[index] for index in (len(bands) // 4, len(bands) // 2, 3 * len(bands) // 4)]
    return ", ".join(
        _("%(step)s at %(price)s")
        % {"step": format_money(step, currency), "price": format_money(price, currency)}
        for price, step in shown
    )


@register.filter
def seconds_until(moment: datetime) -> float:
    return (moment - timezone.now()).total_seconds()


@register.filter
def machine_title(machine: Machine) -> str:
    return machine.display_title(page_language())


@register.filter
def cover(machine: Machine) -> Photo | None:
    """The listing's first photo (from the prefetched photos when there are some)."""
    photos = list(machine.photos.all())
    return min(photos, key=lambda photo: (photo.position, photo.pk)) if photos else None


@register.filter
def place(machine: Machine) -> str:
    """Where the machine stands: the country in the reader's language, and the region."""
    country = (
        machine.country.names.get(page_language()) or machine.country.names.get("en") or machine.country_id
    )
    return f"{country}, {machine.region}" if machine.region else str(country)


@register.filter
def auction_price(auction: Auction) -> dict[str, Any]:
    """The highest bid, or the starting price before the first, in the API's money shape."""
    return Money(
        auction.current_price if auction.current_price is not None else auction.starting_price,
        auction.currency,
    ).to_json()


@register.inclusion_tag("auctions/_home.html", takes_context=True)
def home_auctions(context: dict[str, Any], limit: int = 4) -> dict[str, Any]:
    """The home page's live and upcoming auctions (ending or starting first)."""
    index = auctions_index(limit=limit, ended_within=timedelta(0))
    return {
        "request": context.get("request"),
        "sections": [("live", index.live), ("upcoming", index.upcoming)],
    }


@register.simple_tag
def open_auctions(machines: list[Machine]) -> dict[int, Auction]:
    """The running or upcoming auction of each of `machines` that has one, in one query."""
    running = Auction.objects.filter(machine__in=machines, closed_at__isnull=True)
    return {auction.machine_id: auction for auction in running}


@register.filter
def auction_of(auctions: dict[int, Auction], machine_id: int) -> Auction | None:
    return auctions.get(machine_id)


@register.filter
def currency_places(currency: str) -> int:
    return minor_units(currency)


@register.filter
def money_prefix(currency: str) -> str:
    """What goes before an amount in `currency`, as `format_money` writes it (¥, €, US$…)."""
    return format_money(0, currency).split("0", 1)[0]


@register.filter
def money_suffix(currency: str) -> str:
    """What goes after an amount in `currency`, as `format_money` writes it (" CHF")."""
    return format_money(0, currency).rsplit("0", 1)[1]
