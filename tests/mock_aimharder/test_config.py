"""Configuration: files, validation messages that name the field, and the admin API's PUT."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_aimharder.__main__ import main as mock_main
from mock_aimharder.model.config import MockConfig
from mock_aimharder.model.distributions import LogNormal
from mock_aimharder.model.endpoints import Endpoint
from mock_aimharder.model.errors import MockConfigError
from tests.mock_aimharder.support import StartMock, config_with

pytestmark = pytest.mark.long(12)  # seconds: see tests/conftest.py

GOOD_TOML = """
login_failure_status = 401

[[users]]
email = "ana@example.test"
password = "pw"

[[classes]]
id = 1
day = "20250115"
time = "18:00"
capacity = 2
waitlist = 1
opens_at = 1736362800.0

[latency.book]
capacity = 4
service = { kind = "lognormal", median = 0.2, p99 = 0.5 }
inbound = 0.01

[faults.book]
error_503 = 0.05
"""


def _problem_fields(exc: pytest.ExceptionInfo[MockConfigError]) -> list[str]:
    return [problem.field for problem in exc.value.problems]


def test_a_toml_file_loads_with_every_section(tmp_path: Path) -> None:
    path = tmp_path / "mock.toml"
    path.write_text(GOOD_TOML)
    config = MockConfig.from_file(path)
    assert config.users[0].id == 100001
    assert (config.classes[0].capacity, config.classes[0].opens_at) == (2, 1736362800.0)
    assert config.latency[Endpoint.BOOK].service == LogNormal(median=0.2, p99=0.5)
    assert config.latency[Endpoint.BOOK].capacity == 4
    assert config.faults[Endpoint.BOOK].error_503 == 0.05


def test_a_json_file_loads_the_same_configuration_as_its_dump(tmp_path: Path) -> None:
    toml = tmp_path / "mock.toml"
    toml.write_text(GOOD_TOML)
    config = MockConfig.from_file(toml)
    path = tmp_path / "mock.json"
    path.write_text(json.dumps(config.model_dump(mode="json")))
    assert MockConfig.from_file(path) == config


def test_a_toml_syntax_error_names_the_line_and_the_expected_form(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[latency.book\ncapacity = 1\n")
    with pytest.raises(MockConfigError, match=r"line 1.*expected valid TOML") as exc:
        MockConfig.from_file(path)
    assert str(path) in str(exc.value)


def test_a_wrong_field_in_a_file_names_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"classes": [{"id": 1, "day": "20250115", "time": "6pm"}]}))
    with pytest.raises(MockConfigError, match=r"classes\.0\.time: .*HH:MM") as exc:
        MockConfig.from_file(path)
    assert _problem_fields(exc) == ["classes.0.time"]


def test_an_unknown_file_suffix_is_refused_naming_the_forms(tmp_path: Path) -> None:
    path = tmp_path / "mock.yaml"
    path.write_text("users: []")
    with pytest.raises(MockConfigError, match=r"expected a \.toml or \.json file"):
        MockConfig.from_file(path)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(MockConfigError, match="cannot be read"):
        MockConfig.from_file(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"latency": {"book": {"service": {"kind": "weibull"}}}}, "latency.book.service",
         "'fixed', 'uniform', 'normal', 'lognormal', 'exponential', 'empirical'"),
        ({"classes": [{"id": 1, "day": "20250115", "time": "18:00", "capacity": -1}]},
         "classes.0.capacity", "greater than or equal to 0"),
        ({"classes": [{"id": 1, "day": "2025-01-15", "time": "18:00"}]}, "classes.0.day",
         "YYYYMMDD"),
        ({"latency": {"book": {"capacity": 0}}}, "latency.book.capacity",
         "greater than or equal to 1"),
        ({"latency": {"book": {"service": {"kind": "uniform", "low": -1, "high": 1}}}},
         "latency.book.service.uniform.low", "greater than or equal to 0"),
        ({"latency": {"book": {"service": {"kind": "lognormal", "median": 0.5, "p99": 0.2}}}},
         "latency.book.service.lognormal", "p99 (0.2) must be greater than median (0.5)"),
        ({"latency": {"book": {"outbound": {"kind": "empirical", "samples": []}}}},
         "latency.book.outbound.empirical.samples", "at least 1 item"),
        ({"latency": {"checkout": {}}}, "latency.checkout.[key]", "'login', 'bookings', 'book'"),
        ({"faults": {"book": {"error_500": 0.6, "drop": 0.6}}}, "faults.book", "at most 1"),
        ({"users": [{"email": "a@x", "password": "p", "id": 7},
                    {"email": "b@x", "password": "p", "id": 7}]}, "users", "given to both"),
        ({"classes": [{"id": 1, "day": "20250115", "time": "18:00"},
                      {"id": 1, "day": "20250116", "time": "18:00"}]}, "classes", "appears twice"),
        ({"capacity": 3}, "capacity", "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_invalid_values_are_refused_naming_the_field_and_the_expected_form(
    data: dict[str, Any], field: str, says: str
) -> None:
    with pytest.raises(MockConfigError) as exc:
        MockConfig.from_data(data)
    assert field in _problem_fields(exc)
    assert says in str(exc.value)


def test_a_bare_number_is_a_fixed_delay() -> None:
    config = MockConfig.from_data({"latency": {"login": {"inbound": 0.25}}})
    assert config.latency[Endpoint.LOGIN].inbound.model_dump() == {"kind": "fixed", "value": 0.25}


def test_missing_user_ids_are_assigned_in_order_after_the_given_ones() -> None:
    config = MockConfig.from_data(
        {
            "users": [
                {"email": "a@x", "password": "p"},
                {"email": "b@x", "password": "p", "id": 100005},
            ]
        }
    )
    assert [user.id for user in config.users] == [100006, 100005]


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-1, 2) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_sections = st.fixed_dictionaries(
    {},
    optional={
        "latency": st.dictionaries(st.sampled_from([*Endpoint, "x"]), _json, max_size=2),
        "faults": st.dictionaries(st.sampled_from([*Endpoint, "x"]), _json, max_size=2),
        "classes": st.lists(_json, max_size=2),
        "users": st.lists(_json, max_size=2),
        "login_failure_status": _json,
    },
)


@settings(max_examples=60, deadline=None)
@given(data=_sections | _json)
def test_any_document_either_validates_or_raises_a_config_error(data: object) -> None:
    try:
        MockConfig.from_data(data)
    except MockConfigError as exc:
        assert exc.problems
        assert all(problem.field for problem in exc.problems)


async def test_put_config_with_an_invalid_value_is_422_naming_it_and_keeps_the_old_config(
    start_mock: StartMock,
) -> None:
    url = start_mock(config_with(login_failure_status=401))
    bad = {"latency": {"book": {"service": {"kind": "lognormal", "median": 1, "p99": 0.5}}}}
    async with httpx.AsyncClient(base_url=url) as client:
        refused = await client.put("/_admin/config", json=bad)
        kept = (await client.get("/_admin/config")).json()
        login = await client.post("/api/login", json={"username": "x", "password": "y"})
    assert refused.status_code == 422
    assert refused.json()["error"]["problems"][0]["field"] == "latency.book.service.lognormal"
    assert kept["login_failure_status"] == 401 and kept["latency"] == {}
    assert login.status_code == 401


async def test_put_config_that_is_not_json_is_422_naming_the_body(start_mock: StartMock) -> None:
    url = start_mock(config_with())
    async with httpx.AsyncClient(base_url=url) as client:
        refused = await client.put("/_admin/config", content=b"{not json")
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "body"


async def test_put_config_replaces_the_configuration_in_force(start_mock: StartMock) -> None:
    url = start_mock(config_with())
    new = {"login_failure_status": 403, "users": [{"email": "a@x", "password": "p"}]}
    async with httpx.AsyncClient(base_url=url) as client:
        put = await client.put("/_admin/config", json=new)
        refused = await client.post("/api/login", json={"username": "a@x", "password": "no"})
        accepted = await client.post("/api/login", json={"username": "A@X", "password": "p"})
    assert put.json()["users"][0]["id"] == 100001
    assert (refused.status_code, accepted.status_code) == (403, 200)


_FORMS = st.dictionaries(
    st.sampled_from(["id", "day", "insist", "familyId", "box", "late", "mail", "username", "x"]),
    st.text(max_size=10),
    max_size=5,
)
_FIELDS_NAMED = {"id", "day", "insist", "late", "box", "mail", "pw", "username", "password"}


def test_arbitrary_forms_never_cause_a_server_error(start_mock: StartMock) -> None:
    url = start_mock(config_with())  # one server for every example

    @settings(max_examples=40, deadline=None)
    @given(
        form=_FORMS, path=st.sampled_from(["/api/book", "/api/cancelBook", "/login", "/api/login"])
    )
    def check(form: dict[str, str], path: str) -> None:
        with httpx.Client(base_url=url) as client:
            response = client.post(path, data=form)
        assert response.status_code in {200, 422}
        if response.status_code == 422:
            assert response.json()["error"]["field"] in _FIELDS_NAMED

    check()


@pytest.mark.parametrize(
    ("path", "form", "field"),
    [
        ("/api/book", {"id": "1", "day": "2025-01-15"}, "day"),
        ("/api/book", {"id": "abc", "day": "20250115"}, "id"),
        ("/api/book", {"day": "20250115"}, "id"),
        ("/api/book", {"id": "1"}, "day"),
        ("/api/cancelBook", {}, "id"),
        ("/login", {"mail": "a@x"}, "pw"),
    ],
)
async def test_bad_input_is_422_naming_the_field_and_the_expected_form(
    start_mock: StartMock, path: str, form: dict[str, str], field: str
) -> None:
    url = start_mock(config_with())
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post(path, data=form)
    error = response.json()["error"]
    assert (response.status_code, error["field"]) == (422, field)
    assert error["expected"]


async def test_a_bad_day_on_the_listing_is_422_naming_day(start_mock: StartMock) -> None:
    url = start_mock(config_with())
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/api/bookings", params={"day": "20251345"})
    assert response.status_code == 422
    assert response.json()["error"]["expected"] == "a day in the form YYYYMMDD"


def test_the_configuration_example_in_api_md_is_valid() -> None:
    text = (Path(__file__).resolve().parents[2] / "mock_aimharder" / "API.md").read_text()
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    config = MockConfig.from_data(tomllib.loads(example))
    assert config.latency[Endpoint.BOOK].service == LogNormal(median=0.2, p99=0.5)


OPENS_IN = """
[[classes]]
id = 1
day = "20300115"
time = "07:00"
opens_in = "{opens_in}"
"""


def test_opens_in_opens_the_window_that_long_after_the_mock_starts(tmp_path: Path) -> None:
    path = tmp_path / "gym.toml"
    path.write_text(OPENS_IN.format(opens_in="1m30s"))
    config = MockConfig.from_file(path, now=1_800_000_000.0)
    assert config.classes[0].opens_at == 1_800_000_090.0


@pytest.mark.parametrize(
    ("opens_in", "now", "message"),
    [
        ("soon", 1_800_000_000.0, "'soon'; expected a duration"),
        ("400d", 1_800_000_000.0, "expected a duration"),
        ("9000h", 1_800_000_000.0, "expected a duration from 0 to 366 days"),
        ("30s", None, "needs the time the mock starts"),
    ],
)
def test_a_bad_opens_in_names_its_class(
    opens_in: str, now: float | None, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "gym.toml"
    path.write_text(OPENS_IN.format(opens_in=opens_in))
    with pytest.raises(MockConfigError) as caught:
        MockConfig.from_file(path, now=now)
    assert "classes.0.opens_in" in str(caught.value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("/dev/zero", None, "<file>: larger than 4194304 bytes; expected at most that"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested deeper than the parser reads"),
        ("deep.toml", b"x = " + b"[" * 5000 + b"]" * 5000, "nested deeper than the parser reads"),
        ("latin1.toml", 'box_name = "Caf\u00e9"\n'.encode("latin-1"), "byte 15 is not UTF-8"),
    ],
    ids=["endless", "deep JSON", "deep TOML", "not UTF-8"],
)
def test_a_config_file_out_of_bounds_is_one_line_and_exit_2(
    name: str,
    content: bytes | None,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # issue 22, item 8: /dev/zero was read until memory ran out, deep nesting raised
    # RecursionError, a Latin-1 file UnicodeDecodeError: each a traceback.
    path = Path(name) if content is None else tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert mock_main(["--config", str(path), "--port", "0"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert message in lines[0] and str(path) in lines[0]
