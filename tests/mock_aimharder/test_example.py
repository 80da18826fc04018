"""The example box with credits and limits (examples/gym-credits.toml) loads and behaves as its
comments say, served over HTTP in process."""

from __future__ import annotations

from pathlib import Path

import httpx

from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.dates import class_start
from mock_aimharder.model.journal import Stamp
from mock_aimharder.server.app import create_app

EXAMPLE = Path(__file__).parents[2] / "examples" / "gym-credits.toml"
DAY, NEXT_DAY = "20300928", "20300929"
# Inside every class's window (4 days) and before any closes or turns late.
NOW = class_start(DAY, "07:00", "Europe/Madrid") - 2 * 86_400


def _clock() -> Stamp:
    return Stamp(monotonic=0.0, wall=NOW)


async def _book(
    client: httpx.AsyncClient, who: str, class_id: int, day: str
) -> tuple[int, str | None]:
    body = {"username": f"{who}@example.test", "password": f"{who}-pw", "fingerprint": "f"}
    client.cookies.clear()
    (await client.post("/api/login", json=body)).raise_for_status()
    answer = await client.post(
        "/crossfitcerdanyola300/api/book", data={"id": str(class_id), "day": day, "insist": "0"}
    )
    body = answer.json()
    return body["bookState"], body.get("errorMssgLang")


async def test_the_example_box_refuses_by_credits_plan_limits_and_payment() -> None:
    config = MockConfig.from_file(EXAMPLE)
    app = create_app(config, clock=_clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        states = [
            await _book(client, who, class_id, day)
            for who, class_id, day in (
                ("bruno", 1, DAY),  # his one credit
                ("bruno", 4, NEXT_DAY),  # none left
                ("ana", 2, DAY),
                ("ana", 1, DAY),  # a second class that day
                ("ana", 3, DAY),  # Yoga is not in her plan
                ("carla", 1, DAY),  # the last spot
                ("carla", 4, NEXT_DAY),
                ("carla", 2, DAY),  # a third live reservation
                ("dani", 4, NEXT_DAY),  # outstanding payment
            )
        ]
    assert states == [
        (1, None), (-2, "SIN_CREDITOS"), (1, None), (-8, "LIMITE_DIARIO"),
        (-2, "NO_INCLUIDA_EN_TARIFA"), (1, None), (1, None), (-12, "HASSUPERADOLIMITCONTR"),
        (-5, "PAGO_PENDIENTE"),
    ]  # fmt: skip
    assert [box.subdomain for box in config.boxes] == ["crossfitcerdanyola300"]


async def test_the_example_box_says_too_early_in_days_before_its_window() -> None:
    config = MockConfig.from_file(EXAMPLE)
    early = class_start(NEXT_DAY, "10:00", "Europe/Madrid") - 5 * 86_400

    def clock() -> Stamp:
        return Stamp(monotonic=0.0, wall=early)

    transport = httpx.ASGITransport(app=create_app(config, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        body = {"username": "ana@example.test", "password": "ana-pw", "fingerprint": "f"}
        await client.post("/api/login", json=body)
        answer = (await client.post("/api/book", data={"id": "4", "day": NEXT_DAY})).json()
    assert (answer["bookState"], answer["errorMssgLang"]) == (-12, "ERROR_ANTELACION_CLIENTE")
    assert "más de 4 días de antelación" in answer["errorMssg"]
