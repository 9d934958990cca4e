"""The count codec: model counts to JSON bytes and back, without pickle.

A data-driven model's counts (``model.count(journeys)``) travel from the executors
to the driver as JSON: attrs fields, labels, plain numbers and typed numeric arrays.
Decoding builds only the count classes the model being fitted declares
(``count_types``, see :class:`touchcredit.models.CountingModel`), so bytes from an
executor can never run code on the driver (unlike pickle), and a user's own count
classes travel as well as the built-in ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from touchcredit.models.counting import qualified_name

#: Count classes by module-qualified name (:func:`touchcredit.models.counting.count_classes`).
Allowed = Mapping[str, type]


def encode(obj: Any, allowed: Allowed) -> Any:
    """JSON-able form of a count object: attrs fields, labels, arrays as typed lists.

    Examples
    --------
    >>> encode((1, None, np.array([2.5])), {})
    {'__tuple__': [1, None, {'__array__': '<f8', 'shape': [1], 'data': [2.5]}]}
    """
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise TypeError(f"cannot encode an array of dtype {obj.dtype} in model counts")
        return {"__array__": obj.dtype.str, "shape": list(obj.shape), "data": obj.ravel().tolist()}
    cls = type(obj)
    if attrs.has(cls):
        name = qualified_name(cls)
        if allowed.get(name) is not cls:
            raise TypeError(
                f"cannot encode {name}: the model does not declare it in count_types "
                f"(declared: {', '.join(allowed) or 'none'})"
            )
        fields = {f.name: encode(getattr(obj, f.name), allowed) for f in attrs.fields(cls)}
        return {"__counts__": name, "fields": fields}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(x, allowed) for x in obj]}
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, np.bool_ | np.integer | np.floating):
        return obj.item()
    raise TypeError(f"cannot encode a {type(obj).__name__} in model counts")


def decode(obj: Any, allowed: Allowed) -> Any:
    """Inverse of :func:`encode`; builds only the classes of ``allowed``."""
    if isinstance(obj, dict):
        if "__array__" in obj:
            dtype = np.dtype(obj["__array__"])
            if dtype.kind not in "biuf":
                raise ValueError(f"unexpected array dtype {dtype} in model counts")
            return np.asarray(obj["data"], dtype=dtype).reshape(obj["shape"])
        if "__tuple__" in obj:
            return tuple(decode(x, allowed) for x in obj["__tuple__"])
        if "__counts__" in obj:
            name = obj["__counts__"]
            cls = allowed.get(name)
            if cls is None:
                raise ValueError(
                    f"model counts hold a {name!r}, which the model does not declare in "
                    f"count_types (declared: {', '.join(allowed) or 'none'}); not built"
                )
            return cls(**{k: decode(v, allowed) for k, v in obj["fields"].items()})
        raise ValueError("unexpected object in model counts")
    if isinstance(obj, list):
        raise ValueError("unexpected list in model counts")
    return obj


def encode_counts(counts: Any, allowed: Allowed) -> bytes:
    """A count object as UTF-8 JSON bytes.

    Examples
    --------
    >>> from touchcredit.core.store import JourneySet
    >>> from touchcredit.models import ShapleyModel
    >>> from touchcredit.models.counting import count_classes
    >>> model = ShapleyModel()
    >>> js = JourneySet.from_arrays(journey_id=[1, 1], timestamp=[0, 1],
    ...     channel=["a", "b"], conversion_journey_id=[1], conversion_time=[1], unit="s")
    >>> data = encode_counts(model.count(js), count_classes(model))
    >>> decode_counts(data, count_classes(model)).conversions.tolist()
    [1.0]
    """
    return json.dumps(encode(counts, allowed), allow_nan=False).encode()


def decode_counts(data: bytes, allowed: Allowed) -> Any:
    """The count object of :func:`encode_counts` bytes (building only ``allowed`` classes)."""
    return decode(json.loads(data), allowed)
