"""The medium of every touch, and its source / medium pair, as touch labels.

The catalog gives ``google`` one source name, "Google", whether the visit came from an
ad (``cpc``) or from search results (``organic``); the channel group tells them apart
coarsely (paid search, organic search). GA4 and HubSpot users read traffic as *source /
medium* ("google / cpc", "google / organic"). :func:`medium_labels` keeps both: the
cleaned medium (trimmed, lower-cased, ``_`` as a space: ``CPC`` and ``cpc`` are one, so are
``paid_social`` and ``Paid Social``) and the pair of the
catalog source and that medium, as :attr:`JourneySet.touch_labels
<touchcredit.JourneySet.touch_labels>` named ``"medium"`` and ``"source / medium"``;
``attribute(js, model).by("source / medium")`` credits them. A touch without a medium
reads ``(none)`` in the pair, without a source ``(not set)`` (``(direct) / (none)``
without either), as in GA4.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.dimension import Dimension
from touchcredit.hygiene.text_codes import TextCodes

__all__ = ["MEDIUM", "SOURCE_MEDIUM", "medium_labels"]

#: The touch label of the cleaned medium.
MEDIUM = "medium"
#: The touch label of the (catalog source, medium) pair.
SOURCE_MEDIUM = "source / medium"


def _medium(value: Any) -> str | None:
    text = " ".join(str(value).replace("_", " ").split()).lower()
    return text or None


def medium_labels(
    source: TextCodes, medium: TextCodes, rows: npt.NDArray[np.integer[Any]]
) -> dict[str, Dimension]:
    """``{"medium": ..., "source / medium": ...}`` for the touches ``rows``.

    Parameters
    ----------
    source : TextCodes
        The cleaned (catalog) source of every input row.
    medium : TextCodes
        The raw medium of every input row (its column, else the URL's ``utm_medium``).
    rows : int ndarray
        The input row of every touch kept.

    Returns
    -------
    dict of str to Dimension
        Categories in sorted order; code -1 where the touch has no medium (``medium``).
        Every touch has a pair: a missing medium reads ``(none)``, a missing source
        ``(not set)`` (``(direct) / (none)`` when both are missing), as in GA4.

    Examples
    --------
    >>> from touchcredit.hygiene.text_codes import factorize_text
    >>> src = factorize_text(["Google", "Google", "newsletter", None], field="s")
    >>> med = factorize_text(["CPC", "organic", None, "cpc"], field="m")
    >>> out = medium_labels(src, med, np.arange(4))
    >>> out["medium"].labels().tolist()
    ['cpc', 'organic', None, 'cpc']
    >>> out["source / medium"].labels().tolist()
    ['Google / cpc', 'Google / organic', 'newsletter / (none)', '(not set) / cpc']
    """
    med = medium.map(_medium).take(rows).sorted_used()
    src = source.take(rows).sorted_used()
    n_med = med.values.shape[0]
    key = (src.codes + 1) * (n_med + 1) + (med.codes + 1)  # 0 in either part: not recorded
    uniq, inverse = np.unique(key, return_inverse=True)
    names = []
    for k in uniq.tolist():
        s_code, m_code = divmod(k, n_med + 1)
        m_name = "(none)" if m_code == 0 else str(med.values[m_code - 1])
        # GA4's spellings: no source and no medium is (direct) / (none)
        s_name = (
            str(src.values[s_code - 1]) if s_code else ("(direct)" if not m_code else "(not set)")
        )
        names.append(f"{s_name} / {m_name}")
    order = np.argsort(np.array(names, dtype=object), kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    pair = rank[inverse.reshape(-1)]
    return {
        MEDIUM: Dimension(med.codes.astype(np.int32), tuple(med.values.tolist())),
        SOURCE_MEDIUM: Dimension(pair.astype(np.int32), tuple(names[i] for i in order.tolist())),
    }
