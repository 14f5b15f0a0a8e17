"""A student studies flashcards with the keyboard alone until the day's cards are done."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.journeys import log_in, main

STUDY_URL = re.compile(r"/study/who-said-it$")
BACK_URL = re.compile(r"/study/cards/\d+\?")
NEW_CARDS_A_DAY = 3


def zone_where_it_is_midday(now: datetime) -> str:
    """A fixed-offset zone whose local time is within an hour of noon at `now` (UTC),
    so the learner's study day cannot end, and bring new cards, during the journey."""
    hours = 12 - now.hour  # from -11 to +12: Etc/GMT zones reach -12 to +14
    if hours == 0:
        return "UTC"
    # The Etc zones' signs are the POSIX ones: Etc/GMT-3 is three hours east of UTC.
    return f"Etc/GMT-{hours}" if hours > 0 else f"Etc/GMT+{-hours}"


def test_student_studies_flashcards_with_the_keyboard(
    page: Page, check_accessibility, screenshot, readme_shot
):
    log_in(page, "studier@example.com")

    # Few new cards a day, so the session ends after a handful of cards; and a time
    # zone where it is midday, so that a run at midnight does not start a new day.
    page.goto("/settings")
    check_accessibility(page, "settings page")
    page.get_by_label("Time zone").select_option(zone_where_it_is_midday(datetime.now(UTC)))
    page.get_by_label("New cards a day").fill(str(NEW_CARDS_A_DAY))
    with page.expect_navigation():
        main(page).get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    expect(page.get_by_label("New cards a day")).to_have_value(str(NEW_CARDS_A_DAY))

    page.goto("/study/who-said-it")
    rated = 0
    while not page.get_by_role("heading", name="Done for today").is_visible():
        assert rated < NEW_CARDS_A_DAY, "still studying after the day's new cards were rated"
        expect(page).to_have_url(STUDY_URL)
        show = page.get_by_role("link", name="Show answer")
        expect(show).to_be_focused()  # autofocus: the keyboard starts here
        expect(page.get_by_role("region", name="Answer")).to_have_count(0)
        if rated == 0:
            expect(page.get_by_text("Studying Who said it?")).to_be_visible()
            check_accessibility(page, "flashcard front")
            screenshot(page, "flashcard-front")

        with page.expect_navigation():
            page.keyboard.press("Space")
        expect(page).to_have_url(BACK_URL)
        expect(page.get_by_role("region", name="Answer")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("^Easy"))).to_be_visible()
        if rated == 0:
            check_accessibility(page, "flashcard back")
            screenshot(page, "flashcard-back")
            readme_shot(page, "flashcard-back")

        with page.expect_navigation():
            page.keyboard.press("4")  # Easy: the card leaves today's session
        rated += 1
        expect(page).to_have_url(STUDY_URL)

    assert rated == NEW_CARDS_A_DAY
    check_accessibility(page, "done page")

    page.goto("/dashboard")
    reviews = page.locator("dt", has_text="Reviews, last 30 days").locator(
        "xpath=following-sibling::dd"
    )
    expect(reviews).to_have_text(str(rated))
    check_accessibility(page, "learner dashboard")
    screenshot(page, "learner-dashboard")
    readme_shot(page, "learner-dashboard")


def test_enter_on_a_focused_link_of_the_card_page_follows_the_link(page: Page):
    # Space and Enter show the answer only when no other link or button has the focus:
    # the header's links and Log out must stay usable from the keyboard.
    log_in(page, "keys@example.com")
    page.goto("/study/what-ukraine-wants")
    expect(page.get_by_role("link", name="Show answer")).to_be_focused()
    decks = page.get_by_role("navigation", name="Main").get_by_role("link", name="Decks")
    decks.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/decks$"))

    # A click on the card itself (which focuses <main>) leaves Space to the card.
    page.goto("/study/what-ukraine-wants")
    main(page).locator(".prompt").first.click()
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page).to_have_url(BACK_URL)

    page.goto("/study/what-ukraine-wants")
    page.get_by_role("button", name=re.compile("^Log out")).focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_the_midday_zone_is_within_an_hour_of_noon_at_every_hour():
    for hour in range(24):
        now = datetime(2026, 11, 27, hour, 59, tzinfo=UTC)
        local = now.astimezone(ZoneInfo(zone_where_it_is_midday(now)))
        assert 11 <= local.hour <= 12, (hour, local)
