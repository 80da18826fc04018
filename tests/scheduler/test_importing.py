"""Reading prebookings for ``python -m scheduler add``: both formats, and errors that name the
record and the field."""

from __future__ import annotations

import pytest

from scheduler.core.errors import ConfigurationError
from scheduler.importing import read_prebookings

JSON = (
    '[{"user": "ana@example.com", "class_id": 5, "day": "20261130", "box": 1,'
    ' "available_at": 1764486000}]'
)
CSV = """user,class_id,day,box,available_at,created_at,id
ana@example.com,101,20261130,7,1764486000,1764400000.5,pb-1
bo@example.com,101,20261130,7,2025-11-30T07:00:00+01:00,,
"""


def test_csv_rows_become_new_prebookings_in_file_order() -> None:
    first, second = read_prebookings(CSV, fmt="csv", now=1000.0)
    assert (first.id, first.user, first.class_id, first.box) == ("pb-1", "ana@example.com", 101, 7)
    assert (first.available_at, first.created_at) == (1764486000.0, 1764400000.5)
    assert second.id is None
    assert second.available_at == 1764482400.0  # 06:00 UTC
    assert second.created_at == pytest.approx(1000.000002)  # now, nudged by its position


def test_json_list_of_objects() -> None:
    text = JSON.replace("}]", ', "created_at": 1764400000}]')
    (only,) = read_prebookings(text, fmt="json", now=0.0)
    assert (only.class_id, only.available_at, only.created_at) == (5, 1764486000.0, 1764400000.0)


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("{not json", "json", "not valid JSON"),
        ('{"user": "a"}', "json", "JSON holds a dict; expected a list of prebooking objects"),
        ('["x"]', "json", "prebooking #1 is 'x'; expected an object"),
        (
            "user,class_id\na@b.c,1\n",
            "csv",
            "prebooking #1: missing ['day', 'box', 'available_at']",
        ),
        (CSV.replace("101,2026", "ten,2026", 1), "csv", "field 'class_id' is 'ten'"),
        (CSV.replace("1764486000", "2026-11-30T07:00:00", 1), "csv", "with a UTC offset"),
        ("", "yaml", "format 'yaml'; expected one of ['csv', 'json']"),
        (
            CSV.replace(",pb-1\n", ",pb-1,surplus\n"),
            "csv",
            "prebooking #1 (line 2) has 8 values: ['surplus'] under no column; expected at most "
            "the header's 7",
        ),
        (CSV.replace("ana@", "a" * 2000 + "@"), "csv", "a value of 2012 characters"),
        (CSV.replace("ana@", "a" * 200_000 + "@"), "csv", "field larger than field limit"),
        (
            "[" * 100_000 + "]" * 100_000,
            "json",
            "not valid JSON: recursion limit exceeded",
        ),
        (JSON.replace('"ana@example.com"', "[" * 150 + "]" * 150), "json", "field 'user' is [[[["),
        (JSON.replace('"ana@example.com"', '["ana@example.com"]'), "json", "field 'user' is"),
        (JSON.replace('"class_id": 5', '"class_id": "\u0663"'), "json", "in ASCII digits"),
        (CSV.replace("1764486000", "1e308", 1), "csv", "field 'available_at' is '1e308'"),
        (CSV.replace("1764400000.5", "-1e308", 1), "csv", "field 'created_at' is '-1e308'"),
        (CSV.replace("1764486000", "1764486000000", 1), "csv", "in the years 2000 to 2099"),
        (CSV.replace("1764486000", "nan", 1), "csv", "field 'available_at' is 'nan'"),
        (CSV.replace("1764486000", "\u0661\u0662", 1), "csv", "field 'available_at'"),
    ],
)
def test_bad_input_is_refused_naming_what_is_wrong(text: str, fmt: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        read_prebookings(text, fmt=fmt, now=0.0)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert len(str(refused.value)) < 400  # names the value, does not echo a huge one


def test_available_in_is_a_duration_from_now() -> None:
    text = (
        "user,class_id,day,box,available_in\n"
        "ana@example.com,5,20301130,1,30s\nbo@example.com,5,20301130,1,1m30s\n"
    )
    first, second = read_prebookings(text, fmt="csv", now=2_000_000_000.0)
    assert first.available_at == pytest.approx(2_000_000_030.0, abs=0.001)
    assert second.available_at == pytest.approx(2_000_000_090.0, abs=0.001)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ('"available_in": "soon"', "field 'available_in' is 'soon'; expected a duration"),
        ('"available_in": "400d"', "field 'available_in' is '400d'; expected a duration"),
        ('"available_in": "9000h"', "field 'available_in' is '9000h'; expected 0 to 366 days"),
        ('"available_in": "30s", "available_at": 1764486000', "expected one of the two"),
    ],
)
def test_a_bad_available_in_is_named(fields: str, message: str) -> None:
    text = f'[{{"user": "ana@example.com", "class_id": 5, "day": "20301130", "box": 1, {fields}}}]'
    with pytest.raises(ConfigurationError, match="prebooking #1") as caught:
        read_prebookings(text, fmt="json", now=2_000_000_000.0)
    assert message in str(caught.value)


# -- issue 22, item 14 --------------------------------------------------------------------------


def test_a_column_named_twice_is_refused_rather_than_the_last_winning() -> None:
    text = CSV.replace("user,class_id", "user,user", 1)
    with pytest.raises(ConfigurationError) as refused:
        read_prebookings(text, fmt="csv", now=0.0)
    assert str(refused.value) == (
        "CSV header names ['user'] more than once; expected each column once"
    )


@pytest.mark.parametrize(("text", "fmt"), [(CSV, "csv"), (JSON, "json")])
def test_a_byte_order_mark_is_no_part_of_the_first_column(text: str, fmt: str) -> None:
    # A spreadsheet's CSV starts with one; "\ufeffuser" was refused as a missing "user".
    assert read_prebookings("\ufeff" + text, fmt=fmt, now=0.0) == read_prebookings(
        text, fmt=fmt, now=0.0
    )
