"""The count codec: model counts to JSON bytes and back, without pickle.

A data-driven model's counts (``model.count(journeys)``) travel from the executors
to the driver as JSON: attrs fields, labels, plain numbers and typed numeric arrays.
Decoding builds only the classes of an allow-list, so bytes from an executor can
never run code on the driver (unlike pickle).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import attrs
import numpy as np


def encode(obj: Any) -> Any:
    """JSON-able form of a count object: attrs fields, labels, arrays as typed lists."""
    if isinstance(obj, np.ndarray):
        return {"__array__": obj.dtype.str, "shape": list(obj.shape), "data": obj.ravel().tolist()}
    if attrs.has(type(obj)):
        name = type(obj).__name__
        if name not in count_types():
            raise TypeError(f"cannot encode {name}: not a known count type")
        fields = {f.name: encode(getattr(obj, f.name)) for f in attrs.fields(type(obj))}
        return {"__counts__": name, "fields": fields}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(x) for x in obj]}
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    raise TypeError(f"cannot encode a {type(obj).__name__} in model counts")


def decode(obj: Any) -> Any:
    """Inverse of :func:`encode`; builds only the classes of :func:`count_types`."""
    if isinstance(obj, dict):
        if "__array__" in obj:
            dtype = np.dtype(obj["__array__"])
            if dtype.kind not in "biuf":
                raise ValueError(f"unexpected array dtype {dtype} in model counts")
            return np.asarray(obj["data"], dtype=dtype).reshape(obj["shape"])
        if "__tuple__" in obj:
            return tuple(decode(x) for x in obj["__tuple__"])
        if "__counts__" in obj:
            cls = count_types()[obj["__counts__"]]  # KeyError: unknown type, never built
            return cls(**{k: decode(v) for k, v in obj["fields"].items()})
        raise ValueError("unexpected object in model counts")
    return obj


@functools.cache
def count_types() -> dict[str, type]:
    """The only classes the codec builds (an allow-list, unlike pickle)."""
    from touchcredit.models import MarkovCounts, ShapleyCounts

    return {"MarkovCounts": MarkovCounts, "ShapleyCounts": ShapleyCounts}


def encode_counts(counts: Any) -> bytes:
    """A count object as UTF-8 JSON bytes."""
    return json.dumps(encode(counts), allow_nan=False).encode()


def decode_counts(data: bytes) -> Any:
    """The count object of :func:`encode_counts` bytes."""
    return decode(json.loads(data))
