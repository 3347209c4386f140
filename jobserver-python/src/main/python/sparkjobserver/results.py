"""
How a Python job's result becomes JSON: the rules JVM jobs follow (dicts are objects, lists are
arrays, nested to any depth, bytes are arrays of numbers, NaN and the infinities are their names),
plus what Python and PySpark return that Java has no word for: tuples and sets are arrays, a
``pyspark.sql.Row`` is an object by field name, dates and times are ISO 8601 strings, a ``Decimal``
is an exact number, and anything else is its ``str()``.
"""

import datetime
import decimal
import json
import math
from collections.abc import Mapping

# Deep enough for any sane result; a list that contains itself fails instead of overflowing the stack.
MAX_DEPTH = 256

_FLOAT_NAMES = {math.inf: "Infinity", -math.inf: "-Infinity"}


def to_json(value):
    """The JSON text of ``value``; ValueError when it nests deeper than MAX_DEPTH (a cycle)."""
    parts = []
    _write(value, parts, 0)
    return "".join(parts)


def _write(value, out, depth):
    if depth > MAX_DEPTH:
        raise ValueError(
            "the job's result nests deeper than %d levels (does it contain itself?)" % MAX_DEPTH)
    if value is None or isinstance(value, (bool, str)):
        out.append(json.dumps(value))
    elif isinstance(value, int):
        out.append(str(int(value)))  # int(): an IntEnum's str() is its name
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, decimal.Decimal):
        out.append(str(value) if value.is_finite() else json.dumps(str(value)))
    elif isinstance(value, Mapping):
        _write_object(value.items(), out, depth)
    elif _is_row(value):
        _write_object(value.asDict(recursive=False).items(), out, depth)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        # As for byte[] from the JVM: numbers, signed as Java bytes are.
        out.append("[" + ",".join(str(b - 256 if b > 127 else b) for b in bytes(value)) + "]")
    elif isinstance(value, (list, tuple, set, frozenset, range)) or _is_iterator(value):
        out.append("[")
        first = True
        for item in value:
            if not first:
                out.append(",")
            first = False
            _write(item, out, depth + 1)
        out.append("]")
    elif isinstance(value, (datetime.date, datetime.time)):
        out.append(json.dumps(value.isoformat()))
    elif hasattr(value, "tolist") and callable(value.tolist):
        # numpy arrays and scalars, without importing numpy
        _write(value.tolist(), out, depth + 1)
    else:
        out.append(json.dumps(str(value)))


def _write_object(items, out, depth):
    out.append("{")
    first = True
    for key, item in items:
        if not first:
            out.append(",")
        first = False
        out.append(json.dumps(key if isinstance(key, str) else str(key)))
        out.append(":")
        _write(item, out, depth + 1)
    out.append("}")


def _float(value):
    if math.isnan(value):
        return '"NaN"'
    if math.isinf(value):
        return json.dumps(_FLOAT_NAMES[value])
    return repr(float(value))


def _is_row(value):
    # pyspark.sql.Row without importing pyspark: a tuple with field names and asDict
    return isinstance(value, tuple) and hasattr(value, "__fields__") and hasattr(value, "asDict")


def _is_iterator(value):
    # generators and other one-shot iterators; not strings, mappings or arbitrary iterables
    return hasattr(value, "__next__") and hasattr(value, "__iter__")
