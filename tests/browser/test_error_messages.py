"""What people are told when something is refused: a sentence of ours next to the field it is
about (never the server's validation text), every problem of a form at once, in view in a
scrolled dialog, a warning (not a success) when the session ended, and sizes in one unit."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.browser.conftest import MODULE_LOOP, PASSWORD, open_chat, sign_in, unique
from tests.browser.seeding import group, person

pytestmark = MODULE_LOOP

RAW = re.compile(r"should|pattern|validation|Value error|Input", re.I)


def feedback(form, label: str):
    """The sentence under the field labelled `label`."""
    return form.get_by_label(label, exact=True).locator(
        "xpath=following-sibling::*[contains(@class, 'field-error')]"
    )


async def test_registration_shows_every_problem_next_to_its_field(new_page):
    page = await new_page()
    await page.goto("/#/register")
    form = page.get_by_role("form", name="Create an account")
    await form.get_by_label("Email").fill("not an address")
    await form.get_by_label("Username").fill("a!")
    await form.get_by_label("Password").fill("short")
    await form.get_by_role("button", name="Create account").click()

    await expect(feedback(form, "Email")).to_have_text(re.compile("Enter an email address"))
    await expect(feedback(form, "Username")).to_have_text(re.compile("3 to 32 letters"))
    await expect(feedback(form, "Password")).to_have_text(re.compile("at least 8 characters"))
    for label in ("Email", "Username", "Password"):
        await expect(form.get_by_label(label, exact=True)).to_have_attribute("aria-invalid", "true")
    await expect(form.get_by_label("Display name")).not_to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#auth-error")).to_be_hidden()
    assert not RAW.search(await page.locator("#auth").inner_text())

    # a second try with one field fixed: only the others stay marked
    await form.get_by_label("Email").fill(f"{unique('ok')}@example.com")
    await form.get_by_role("button", name="Create account").click()
    await expect(feedback(form, "Username")).to_be_visible()
    await expect(feedback(form, "Email")).to_have_count(0)
    assert page.errors == []


async def test_sign_in_with_empty_fields_says_what_to_enter(new_page):
    page = await new_page()
    await page.goto("/")
    form = page.get_by_role("form", name="Sign in")
    await form.get_by_role("button", name="Sign in").click()
    await expect(feedback(form, "Email or username")).to_have_text("Enter your email or username.")
    assert not RAW.search(await page.locator("#auth").inner_text())


async def test_account_dialog_says_it_beside_the_form_in_view(new_page, live):
    ana = await person(live, "ana", "Ana")
    page = await new_page(height=600)
    await sign_in(page, ana.username)
    await page.get_by_role("button", name="Account settings").click()
    dialog = page.get_by_role("dialog", name="Account")
    await expect(dialog.get_by_role("list", name="Signed-in devices")).to_contain_text(
        "this device"
    )

    await dialog.get_by_label("Phone").fill("call me maybe")
    await dialog.get_by_role("button", name="Save profile").click()
    phone = feedback(dialog, "Phone")
    await expect(phone).to_have_text(re.compile("digits, spaces and"))
    await expect(phone).to_be_in_viewport()
    assert not RAW.search(await dialog.inner_text())

    await dialog.get_by_label("Current password").fill("not my password")
    await dialog.get_by_label("New password").fill("a long new passphrase")
    await dialog.get_by_role("button", name="Change password").click()
    wrong = feedback(dialog, "Current password")
    await expect(wrong).to_have_text("Your current password is not right.")
    await expect(wrong).to_be_in_viewport()
    await expect(feedback(dialog, "Phone")).to_have_count(0)  # that attempt is over

    await dialog.get_by_label("Phone").fill("+44 20 7946 0958")
    await dialog.get_by_role("button", name="Save profile").click()
    saved = dialog.locator("#profile-info")
    await expect(saved).to_have_text("Profile saved.")
    await expect(saved).to_be_in_viewport()
    assert page.errors == []


async def test_an_ended_session_is_a_warning_not_a_success(new_page, live):
    ana = await person(live, "ana", "Ana")
    page = await new_page()
    await sign_in(page, ana.username)
    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/users/me/password",
            headers=ana.headers,
            json={"current_password": PASSWORD, "new_password": "a long new passphrase"},
        )
        assert response.status_code == 204, response.text
    notice = page.locator("#auth-info")
    await expect(notice).to_have_text(re.compile("Your session has ended"))
    await expect(notice).to_have_class(re.compile("alert-warning"))
    await expect(notice).not_to_have_class(re.compile("alert-success"))


async def test_a_too_large_file_is_refused_in_the_units_of_its_chip(
    new_page, live, settings, tmp_path
):
    ana = await person(live, "ana", "Ana")
    await group(live, ana, "Sizes")
    page = await new_page()
    await sign_in(page, ana.username)
    await open_chat(page, "Sizes")
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        out.truncate(settings.upload_max_bytes + 1024 * 1024)
    await page.locator("#file-input").set_input_files(big)
    chip = page.get_by_role("list", name="Files to send").get_by_role("listitem")
    await expect(chip.locator(".upload-error")).to_be_visible()
    size = await chip.locator(".file-size").inner_text()
    error = await chip.locator(".upload-error").inner_text()
    assert size == "26 MB"
    assert error == "Too large: this file is 26 MB; a file may be at most 25 MB."
