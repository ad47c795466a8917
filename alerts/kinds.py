"""Every kind of notification: who gets it, how it reads in each language and how it is
delivered unless the person chose otherwise (their preferences, per kind and channel).

A notification stores its kind and the values its sentence needs (`params`); the sentence is
written when it is shown or mailed, in the reader's language of that moment.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Email(enum.StrEnum):
    """How a kind reaches someone's mailbox."""

    OFF = "off"
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class Audience(enum.StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


@dataclass(frozen=True)
class Kind:
    code: str
    audience: Audience
    label: Promise  # the kind's name on the preferences page
    title: Promise  # the sentence, formatted with the notification's params (`%(title)s`)
    email: Email = Email.IMMEDIATE  # by default
    site: bool = True
    # a param stored as a code, and the words for each code: {"result": {"no_bids": _("no bids")}}
    phrases: dict[str, dict[str, Promise]] = field(default_factory=dict)

    def sentence(self, params: dict[str, Any]) -> str:
        values = _Defaulted({key: in_language(value) for key, value in params.items()})
        for name, words in self.phrases.items():
            code = values.get(name)
            if isinstance(code, str) and code in words:
                values[name] = str(words[code]) % values
        return str(self.title) % values


class _Defaulted(dict[str, Any]):
    """Params as a sentence reads them: one that is missing reads as empty, not a KeyError
    (a sentence that gains a value keeps reading the notifications stored before it)."""

    def __missing__(self, key: str) -> str:
        return ""


def in_language(value: Any) -> Any:
    """A value written in several languages (a listing's title, {"en": …, "ja": …}) in the
    reader's, else English, else the first there is (as `Machine.display_title`)."""
    if not isinstance(value, dict):
        return value
    language = (get_language() or "en").split("-")[0]
    return value.get(language) or value.get("en") or next(iter(value.values()), "")


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "saved_search_match",
            Audience.BUYER,
            _("A new listing matches a saved search"),
            _("New for “%(search)s”: %(title)s"),
        ),
        Kind("outbid", Audience.BUYER, _("Outbid"), _("You were outbid on %(title)s: now %(price)s")),
        Kind(
            "auction_starting",
            Audience.BUYER,
            _("A watched auction starts"),
            _("The auction of %(title)s has started"),
        ),
        Kind(
            "auction_ending_1h",
            Audience.BUYER,
            _("An auction ends in an hour"),
            _("The auction of %(title)s ends in an hour"),
        ),
        Kind(
            "auction_ending_10m",
            Audience.BUYER,
            _("An auction ends in 10 minutes"),
            _("The auction of %(title)s ends in 10 minutes"),
        ),
        Kind(
            "auction_won",
            Audience.BUYER,
            _("Auction won"),
            _("You won the auction of %(title)s at %(price)s"),
        ),
        Kind(
            "auction_lost",
            Audience.BUYER,
            _("Auction lost"),
            _("The auction of %(title)s ended: it went to another bidder"),
        ),
        Kind(
            "auction_reserve_not_met",
            Audience.BUYER,
            _("Reserve not met"),
            _("The auction of %(title)s ended below its reserve price"),
        ),
        Kind(
            "price_changed",
            Audience.BUYER,
            _("A watched listing's price changed"),
            _("%(title)s: the price changed from %(old_price)s to %(price)s"),
        ),
        Kind("listing_sold", Audience.BUYER, _("A watched listing was sold"), _("%(title)s has been sold")),
        Kind(
            "enquiry_message",
            Audience.BUYER,
            _("A new message about a listing"),
            _("%(sender)s wrote about %(title)s"),
        ),
        Kind(
            "new_bid",
            Audience.SELLER,
            _("A new bid on your auction"),
            _("New bid on %(title)s: %(price)s"),
            email=Email.DIGEST,
        ),
        Kind(
            "auction_ended",
            Audience.SELLER,
            _("Your auction ended"),
            _("The auction of %(title)s ended: %(result)s"),
            phrases={
                "result": {
                    "sold": _("sold at %(price)s"),
                    "reserve_not_met": _("the reserve was not met (highest bid %(price)s)"),
                    "no_bids": _("no bids"),
                }
            },
        ),
    )
}


def kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind {code!r}") from None
