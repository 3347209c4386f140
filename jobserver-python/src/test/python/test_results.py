"""The JSON rendering of Python job results (sparkjobserver.results)."""

import datetime
import decimal
import json
import math
from collections import OrderedDict, defaultdict, namedtuple

import pytest

from sparkjobserver.results import MAX_DEPTH, to_json


def test_primitives_are_json_values():
    assert to_json(None) == "null"
    assert to_json(True) == "true"
    assert to_json(42) == "42"
    assert to_json(2 ** 80) == str(2 ** 80)
    assert to_json(1.5) == "1.5"
    assert to_json("it's \"quoted\"\n") == json.dumps("it's \"quoted\"\n")


def test_nan_and_infinities_are_their_names_as_for_jvm_doubles():
    assert to_json(math.nan) == '"NaN"'
    assert to_json(math.inf) == '"Infinity"'
    assert to_json(-math.inf) == '"-Infinity"'


def test_decimals_are_exact_numbers():
    assert to_json(decimal.Decimal("1234567890.123456789012")) == "1234567890.123456789012"
    assert to_json(decimal.Decimal("NaN")) == '"NaN"'


def test_dicts_are_objects_with_text_keys_and_nest():
    counts = defaultdict(int)
    counts["'a'"] += 2
    value = OrderedDict([("b", [1, {"c": None}]), (3, counts), (("x", 1), "tuple key")])
    assert json.loads(to_json(value)) == {"b": [1, {"c": None}], "3": {"'a'": 2}, "('x', 1)": "tuple key"}


def test_sequences_sets_and_generators_are_arrays():
    assert to_json([1, (2, 3)]) == "[1,[2,3]]"
    assert sorted(json.loads(to_json({3, 1, 2}))) == [1, 2, 3]
    assert sorted(json.loads(to_json(frozenset({"x", "y"})))) == ["x", "y"]
    assert to_json(i * i for i in range(4)) == "[0,1,4,9]"
    assert to_json(range(3)) == "[0,1,2]"


def test_named_tuples_are_arrays_but_rows_are_objects():
    Point = namedtuple("Point", "x y")
    assert to_json(Point(1, 2)) == "[1,2]"

    class Row(tuple):
        """pyspark.sql.Row's shape: a tuple with field names and asDict."""

        def __new__(cls, **fields):
            row = tuple.__new__(cls, fields.values())
            row.__fields__ = list(fields)
            return row

        def asDict(self, recursive=False):
            return dict(zip(self.__fields__, self))

    assert json.loads(to_json([Row(name="bob", age=20)])) == [{"name": "bob", "age": 20}]


def test_bytes_are_numbers_signed_as_java_bytes():
    assert to_json(b"\x00\x7f\x80\xff") == "[0,127,-128,-1]"
    assert to_json(bytearray(b"A")) == "[65]"


def test_dates_and_times_are_iso_8601():
    assert to_json(datetime.date(2026, 11, 30)) == '"2026-11-30"'
    assert to_json(datetime.datetime(2026, 11, 30, 8, 30, 1)) == '"2026-11-30T08:30:01"'


def test_anything_else_is_its_text():
    class Thing:
        def __str__(self):
            return "a thing"

    assert to_json({"t": Thing()}) == '{"t":"a thing"}'


def test_numpy_like_values_use_tolist():
    class Array:
        def tolist(self):
            return [1, 2]

    assert to_json(Array()) == "[1,2]"


def test_a_result_that_contains_itself_fails_instead_of_overflowing():
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="nests deeper than %d" % MAX_DEPTH):
        to_json(loop)
