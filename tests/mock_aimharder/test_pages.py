"""The pages kappys1 scrapes for the member's boxes, read with its own patterns.

kappys1/aim-harder-webbot:modules/boxes/constants/box.constants.ts: ``/home`` links match
``href="https://([^.]+)\\.aimharder\\.com"`` (``www`` skipped), ``/schedule?cl`` holds
``box:\\s*(\\d+)``, and the box's name is the first text of ``.box-name``, ``h1``, ``.title``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.mock_aimharder.support import PASSWORD, a_class, config_with, email, served, users

BOX_LINK = re.compile(r'href="https://([^.]+)\.aimharder\.com"')
BOX_ID = re.compile(r"box:\s*(\d+)")
BOXES = [
    {"id": 10122, "subdomain": "crossfitcerdanyola300", "name": "CrossFit Cerdanyola"},
    {"id": 3984, "subdomain": "lahuellacrossfit", "name": "La Huella"},
]


class _FirstH1(HTMLParser):
    """The text of the first ``h1`` (kappys1 takes the first of ``.box-name``, ``h1``)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "h1" and not self.text

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        self.inside = False


def _box_name(html: str) -> str:
    parser = _FirstH1()
    parser.feed(html)
    return parser.text.strip()


def _form_login() -> dict[str, str]:
    return {"login": "Iniciar sesión", "loginiframe": "0", "mail": email(0), "pw": PASSWORD}


async def test_home_links_every_box_of_the_member_by_its_subdomain() -> None:
    config = config_with(users=users(1), boxes=BOXES, classes=[a_class()])
    async with served(config, host="aimharder.com") as client:
        await client.post("http://login.aimharder.com/", data=_form_login())
        home = await client.get("/home")
    assert home.headers["content-type"].startswith("text/html")
    assert BOX_LINK.findall(home.text) == ["crossfitcerdanyola300", "lahuellacrossfit"]


async def test_home_without_a_session_is_the_login_page_with_no_boxes() -> None:
    config = config_with(users=users(1), boxes=BOXES)
    async with served(config) as client:
        home = await client.get("/home")
    assert (home.status_code, BOX_LINK.findall(home.text)) == (200, [])
    assert "loginForm" in home.text


@pytest.mark.parametrize(
    ("host", "prefix"),
    [("lahuellacrossfit.aimharder.com", ""), ("127.0.0.1", "/lahuellacrossfit"),
     ("127.0.0.1", "/3984")],
)  # fmt: skip
async def test_a_boxs_schedule_and_home_page_give_its_id_and_name(host: str, prefix: str) -> None:
    async with served(config_with(boxes=BOXES), host=host) as client:
        schedule = await client.get(f"{prefix}/schedule", params={"cl": ""})
        home = await client.get(prefix or "/")
    assert BOX_ID.findall(schedule.text) == ["3984"]
    assert (_box_name(schedule.text), _box_name(home.text)) == ("La Huella", "La Huella")


async def test_the_login_hosts_root_is_the_login_form_and_an_unknown_box_page_is_404() -> None:
    async with served(config_with(boxes=BOXES), host="login.aimharder.com") as client:
        root = await client.get("/")
        schedule = await client.get("/schedule")
        unknown = await client.get("/nosuchbox/schedule")
    assert "loginForm" in root.text and BOX_ID.findall(root.text) == []
    assert (schedule.status_code, unknown.status_code) == (404, 404)
    assert "login.aimharder.com" in schedule.text


async def test_an_unknown_box_in_an_api_path_is_echoed_cut_to_80_characters() -> None:
    """Issue 22, item 6: the 404 repeated the whole box name (60 KB in, 60 KB out)."""
    box = "b" * 60_000
    async with served(config_with(boxes=BOXES)) as client:
        unknown = await client.get(f"/{box}/api/bookings")
    assert unknown.status_code == 404
    assert len(unknown.text) < 300 and "(60002 characters)" in unknown.text
