"""The per-touch weighting the data-driven channel models share, written once.

Markov and Shapley learn one share per channel; a conversion's weight for channel
``c`` on its path is then ``scale_c / sum(scale over the distinct channels on its
path)``, split equally over that channel's touches, with ``scale`` fitted so that the
per-touch credit adds up to the channel credit (one scale for value, one for
conversion counts). :class:`FittedShareModel` holds that rule; its subclasses only
learn ``channels_``, ``credit_scale_`` and ``conversion_scale_`` in ``fit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.store import JourneySet
from touchcredit.models._credit import Label, scaled_weights
from touchcredit.models.base import AttributionModel, check_is_fitted

__all__ = ["FittedShareModel"]


@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class FittedShareModel(AttributionModel):
    """A data-driven model weighing touches by fitted per-channel scales.

    ``fit`` must set ``channels_`` (the sorted channel labels), ``credit_scale_`` and
    ``conversion_scale_`` (float64, one per channel).
    """

    learns_from_data = True

    if TYPE_CHECKING:  # learned in fit (declared for type checkers, not attrs fields)
        channels_: tuple[Label, ...]
        credit_scale_: npt.NDArray[np.float64]
        conversion_scale_: npt.NDArray[np.float64]
        credit_gap_: float
        conversion_gap_: float

    def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        """Weight of every pair: the channel's fitted share, split over its touches.

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self)
        return scaled_weights(self, journeys, self.channels_, self.credit_scale_)

    def conversion_weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        """Weight of every pair for counting conversions: the same rule with the scales
        fitted to the channel credit in conversions (``conversion_scale_``).

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        check_is_fitted(self)
        return scaled_weights(self, journeys, self.channels_, self.conversion_scale_)
