"""The listing page's watcher count is live (issue 20): a watch or an unwatch by anyone, in any
server process, changes the count on every open page of the listing without a reload, in the
reader's language (the stream itself: test_watchers_stream.py)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from bench.common import asgi_server
from core.redis import get_redis
from core.topics import PREFIX
from marketplace.live import watchers_topic
from marketplace.services import watch_add
from tests.auctions.test_live_page import logged_in_page, server_environment
from tests.factories import MachineFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_watch_by_one_buyer_changes_the_count_on_another_buyer_s_open_page(
    browser: Any, screenshot: Any
) -> None:
    machine = MachineFactory.create()
    for username in ("watcher-a", "watcher-b"):
        UserFactory.create(username=username)
    third = UserFactory.create(username="watcher-c")

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        buyer_b = logged_in_page(browser, base, "watcher-b")
        buyer_b.goto(f"{base}/machines/{machine.pk}/")
        visitor = browser.new_context(locale="ja-JP").new_page()
        visitor.goto(f"{base}/machines/{machine.pk}/?lang=ja")
        count_b, count_ja = buyer_b.get_by_test_id("watchers"), visitor.get_by_test_id("watchers")
        # the stream's first event says it listens: from then on no watch is missed
        for count in (count_b, count_ja):
            expect(count).to_have_attribute("data-live", "true")
        expect(count_b).to_have_text("0 people watch this machine")

        buyer_a = logged_in_page(browser, base, "watcher-a")
        buyer_a.goto(f"{base}/machines/{machine.pk}/")
        buyer_a.get_by_test_id("watch").click()

        expect(count_b).to_have_text("1 person watches this machine")
        expect(count_ja).to_have_text("1 人がウォッチ中")
        screenshot(buyer_b, "watched")

        watch_add(user=third, machine_id=machine.pk)  # another process than the server's
        expect(count_b).to_have_text("2 people watch this machine")

        buyer_a.get_by_test_id("watch").click()  # now "Stop watching"
        expect(count_b).to_have_text("1 person watches this machine")
        expect(count_ja).to_have_text("1 人がウォッチ中")
        assert buyer_b.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
        for page in (buyer_a, buyer_b, visitor):
            page.context.close()


HIDE = "Object.defineProperty(document, 'hidden', {configurable: true, get: () => %s}); document.dispatchEvent(new Event('visibilitychange'))"


def test_a_hidden_tab_lets_its_stream_go_and_is_current_when_shown_again(browser: Any) -> None:
    """A browser opens at most six connections to a site: tabs in the background must not
    each hold a stream, or the tab in front could not load a page."""
    machine = MachineFactory.create()
    buyer = UserFactory.create(username="watcher-d")
    channel = PREFIX + watchers_topic(machine.pk)

    def subscribers() -> int:
        return int(dict(get_redis().pubsub_numsub(channel))[channel.encode()])

    def until(condition: Any) -> None:
        deadline = time.monotonic() + 15
        while not condition():
            assert time.monotonic() < deadline
            time.sleep(0.05)  # the server sees the stream close on its own time

    with asgi_server(settings="config.settings.test", extra_env=server_environment()) as base:
        before = subscribers()  # pub/sub channels are Redis-wide, whatever the database number
        page = browser.new_context().new_page()
        page.goto(f"{base}/machines/{machine.pk}/")
        count = page.get_by_test_id("watchers")
        expect(count).to_have_attribute("data-live", "true")
        until(lambda: subscribers() == before + 1)

        page.evaluate(HIDE % "true")
        until(lambda: subscribers() == before)
        watch_add(user=buyer, machine_id=machine.pk)  # while nobody follows
        expect(count).to_have_text("0 people watch this machine")

        page.evaluate(HIDE % "false")
        expect(count).to_have_text("1 person watches this machine")
        until(lambda: subscribers() == before + 1)
        page.context.close()
