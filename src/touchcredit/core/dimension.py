"""Dimension: one label column of the touches, as integer codes and a category table."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import read_only

__all__ = ["DIMENSIONS", "GROUP_LABELS", "Dimension"]

#: The label columns of a touch, in the order reports list them.
DIMENSIONS: tuple[str, ...] = ("source", "channel", "campaign", "method")

#: Per-touch labels of a buying-group journey (whose contact a touch was, and that
#: contact's role on the deal); not recorded on a person's own journey.
GROUP_LABELS: tuple[str, ...] = ("contact", "role")


@attrs.frozen(eq=False)
class Dimension:
    """One label column of the touches: integer codes and their category table.

    ``codes[i] == -1`` means the label was not recorded for touch ``i``.

    Examples
    --------
    >>> d = Dimension(np.array([1, -1, 0], dtype=np.int32), ("email", "seo"))
    >>> d.labels().tolist()
    ['seo', None, 'email']
    """

    codes: npt.NDArray[np.int32]
    categories: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "codes", read_only(self.codes))

    def labels(self) -> npt.NDArray[np.object_]:
        """Label of every touch as an object array (None where not recorded)."""
        table = np.empty(len(self.categories) + 1, dtype=object)
        table[:-1] = self.categories
        table[-1] = None
        return table[self.codes]  # code -1 picks the trailing None

    def code(self, label: str) -> int:
        """Code of ``label`` in this column (-1 when it does not occur)."""
        try:
            return self.categories.index(label)
        except ValueError:
            return -1

    def take(self, index: npt.NDArray[np.int64]) -> Dimension:
        """The labels of touches ``index``, in that order, over the same categories."""
        return Dimension(self.codes[index], self.categories)

    def __len__(self) -> int:
        return int(self.codes.shape[0])
