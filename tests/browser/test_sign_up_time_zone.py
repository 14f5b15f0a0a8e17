"""Sign-up starts the time zone list at the browser's own zone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.journeys import PASSWORD, main


def test_sign_up_preselects_the_browsers_time_zone_and_keeps_it(new_page):
    page = new_page(timezone_id="Europe/Warsaw")
    page.goto("/signup")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Warsaw")
    page.get_by_label("Your name").fill("Oksana")
    page.get_by_label("Email").fill("warsaw@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    with page.expect_navigation():
        main(page).get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/decks$"))
    page.goto("/settings")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Warsaw")
