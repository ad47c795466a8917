"""The live auction events as an AsyncAPI 3.0 document, served at /api/v1/asyncapi.json beside
the OpenAPI one: the WebSocket `/ws/auctions/{auction_id}/` and the server-sent event stream
`/api/v1/auctions/events/`, what each sends and what a client may send.

The payloads are JSON Schema, closed (`additionalProperties: false`), in the same casing and
money shape as the REST API; the tests validate the events real sockets and streams emit
against them, and check that `Auction` here is the OpenAPI document's `Auction`."""

from __future__ import annotations

from typing import Any

from core.money import AMOUNT_PATTERN

_ref = "#/components/schemas/{}".format


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


INTEGER = {"type": "integer"}
STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
INSTANT = {"type": "string", "format": "date-time"}
MONEY = {"$ref": _ref("Money")}
REPLAYED = {"type": "boolean", "description": "Sent again from the event log to a client resuming from `seq`"}

AUCTION: dict[str, Any] = {
    "id": INTEGER,
    "machine": INTEGER,
    "kind": {"type": "string", "enum": ["soft_close", "sudden_death"]},
    "status": {"type": "string", "enum": ["not_started", "open", "ended", "closed"]},
    "currency": STRING,
    "starting_price": MONEY,
    "current_price": _nullable(MONEY),
    "minimum_bid": MONEY,
    "bid_count": INTEGER,
    "seq": INTEGER,
    "starts_at": INSTANT,
    "ends_at": INSTANT,
    "extension_seconds": INTEGER,
    "reserve_met": BOOLEAN,
    "has_reserve": BOOLEAN,
    "winner": _nullable(INTEGER),
}

SCHEMAS: dict[str, Any] = {
    "Money": _object(
        {
            "amount": {"type": "string", "pattern": AMOUNT_PATTERN},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "minor": INTEGER,
        }
    ),
    # a bidder as others see them: their number in the auction, never their name
    "Person": _object({"id": INTEGER, "number": {"type": "integer", "minimum": 1}, "name": STRING}),
    "Auction": _object(AUCTION),
    "Snapshot": _object({**AUCTION, "watching": {"type": "integer", "minimum": 0}}),
    "NewBid": _object(
        {
            "auction_id": INTEGER,
            "seq": INTEGER,
            "bid_count": INTEGER,
            "highest_bidder": {"$ref": _ref("Person")},
            "highest_bid": _object(
                {"price": MONEY, "user": {"$ref": _ref("Person")}, "automatic": BOOLEAN, "placed_at": INSTANT}
            ),
            "ends_at": INSTANT,
            "reserve_met": BOOLEAN,
            "minimum_bid": MONEY,
            "replayed": REPLAYED,
        },
        optional=("replayed",),
    ),
    "AuctionExtended": _object(
        {
            "auction_id": INTEGER,
            "seq": INTEGER,
            "ends_at": INSTANT,
            "previous_ends_at": INSTANT,
            "replayed": REPLAYED,
        },
        optional=("replayed",),
    ),
    "AuctionEnded": _object(
        {
            "auction_id": INTEGER,
            "seq": INTEGER,
            "winner": _nullable({"$ref": _ref("Person")}),
            "price": _nullable(MONEY),
            "reserve_met": BOOLEAN,
            "replayed": REPLAYED,
        },
        optional=("replayed",),
    ),
    "Presence": _object({"auction_id": INTEGER, "watching": {"type": "integer", "minimum": 0}}),
    "BidAccepted": _object(
        {"key": STRING, "replayed": BOOLEAN, "seqs": {"type": "array", "items": INTEGER}},
    ),
    "SocketError": _object(
        {
            "code": STRING,
            "message": STRING,
            "key": STRING,
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": STRING}},
        },
        optional=("key", "fields"),
    ),
    "Reconnect": _object({"reason": {"type": "string", "enum": ["server_restart"]}, "seq": INTEGER}),
    "PlaceBid": _object(
        {
            "action": {"type": "string", "enum": ["bid"]},
            "key": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
            "amount": {"$ref": _ref("MoneyInput")},
            "max_amount": _nullable({"$ref": _ref("MoneyInput")}),
        },
        optional=("max_amount",),
    ),
    "MoneyInput": _object(
        {
            "amount": {"type": "string", "pattern": AMOUNT_PATTERN, "maxLength": 19},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        },
    ),
}

# event name -> (schema of its payload, what it says); the socket wraps each as
# {"event": name, "payload": …}; the stream sends `event: name` and `data: payload`
SERVER_EVENTS: dict[str, tuple[str, str]] = {
    "snapshot": ("Snapshot", "First on the socket: the auction, its last seq and `watching`"),
    "new_bid": ("NewBid", "A bid was placed (typed, or by a proxy maximum)"),
    "auction_extended": ("AuctionExtended", "A late bid moved a soft-close auction's end"),
    "auction_ended": ("AuctionEnded", "The auction closed: the winner and price, or none"),
    "presence": ("Presence", "How many watch the auction now (not numbered, never replayed)"),
    "bid_accepted": ("BidAccepted", "The socket's own bid was placed (or was placed before)"),
    "error": ("SocketError", "The socket's message or bid was refused; the socket stays open"),
    "reconnect": ("Reconnect", "The server is stopping: reconnect, with ?seq= to resume"),
}
NUMBERED = ("new_bid", "auction_extended", "auction_ended")
STREAM_EVENTS = (*NUMBERED, "presence")


def message_schema(event: str) -> dict[str, Any]:
    """The JSON Schema of a socket message `{"event": event, "payload": …}`, with the
    components it refers to (for a validator)."""
    payload = {"$ref": _ref(SERVER_EVENTS[event][0])}
    return {
        "type": "object",
        "required": ["event", "payload"],
        "properties": {"event": {"const": event}, "payload": payload},
        "additionalProperties": False,
        "components": {"schemas": SCHEMAS},
    }


def document(*, server: str = "") -> dict[str, Any]:
    messages = {
        name: {
            "name": name,
            "title": name.replace("_", " "),
            "summary": summary,
            "contentType": "application/json",
            "payload": {"$ref": _ref(schema)},
        }
        for name, (schema, summary) in SERVER_EVENTS.items()
    }
    messages["place_bid"] = {
        "name": "place_bid",
        "title": "place bid",
        "summary": 'A bid from the client: {"action": "bid", "amount": <money>, "max_amount"?, "key"}',
        "contentType": "application/json",
        "payload": {"$ref": _ref("PlaceBid")},
    }
    socket_messages = {name: {"$ref": f"#/components/messages/{name}"} for name in messages}
    stream_messages = {name: {"$ref": f"#/components/messages/{name}"} for name in STREAM_EVENTS}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Used construction equipment marketplace: live auctions",
            "version": "1.0.0",
            "description": (
                "Live auction events. Every numbered event (new_bid, auction_extended, auction_ended) "
                "carries the auction's next `seq`, with no gaps; a client that reconnects with "
                "`?seq=N` (socket) or `Last-Event-ID` (stream) is first sent every event after N from "
                "the auction's event log, marked `replayed`. Socket messages are "
                '{"event": <name>, "payload": <payload>}; stream events are `event: <name>` and '
                "`data: <payload>`, with `id: <auction>:<seq>,…` the stream's position. Amounts are "
                'money objects, {"amount": "1250.00", "currency": "EUR", "minor": 125000}.'
            ),
        },
        "servers": {
            "site": {"host": server or "127.0.0.1:8000", "protocol": "ws", "description": "The site itself"}
        },
        "channels": {
            "auctionSocket": {
                "address": "/ws/auctions/{auction_id}/",
                "parameters": {"auction_id": {"description": "The auction's id"}},
                "messages": socket_messages,
                "description": "One auction, both ways. Authenticate with the session cookie or ?token=. "
                "Optional ?seq=N resumes after event N.",
            },
            "auctionStream": {
                "address": "/api/v1/auctions/events/",
                "messages": stream_messages,
                "description": "Server-sent events for up to 50 auctions: ?ids=1,2,3.",
            },
        },
        "operations": {
            "receiveAuctionEvents": {
                "action": "receive",
                "channel": {"$ref": "#/channels/auctionSocket"},
                "messages": [{"$ref": f"#/channels/auctionSocket/messages/{name}"} for name in SERVER_EVENTS],
            },
            "placeBid": {
                "action": "send",
                "channel": {"$ref": "#/channels/auctionSocket"},
                "messages": [{"$ref": "#/channels/auctionSocket/messages/place_bid"}],
            },
            "receiveStreamEvents": {
                "action": "receive",
                "channel": {"$ref": "#/channels/auctionStream"},
                "messages": [{"$ref": f"#/channels/auctionStream/messages/{name}"} for name in STREAM_EVENTS],
            },
        },
        "components": {"schemas": SCHEMAS, "messages": messages},
    }
