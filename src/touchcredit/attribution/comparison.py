"""Several models side by side: :func:`compare` and its :class:`Comparison` table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from touchcredit.attribution.results import attribute
from touchcredit.attribution.tables import Comparison, frozen_array, model_label
from touchcredit.core.progress import progress_bar
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel, available, models_from

__all__ = ["Comparison", "compare"]


def compare(
    journeys: JourneySet,
    models: Iterable[AttributionModel | str] | str,
    *,
    by: str = "channel",
    progress: bool | None = None,
) -> Comparison:
    """Credit per label of ``by`` under several models, side by side.

    Parameters
    ----------
    journeys : JourneySet
    models : iterable of AttributionModel or str, or "all"
        Models or registry names; ``"all"``: every registered model
        (:func:`touchcredit.models.available`), with its default parameters.
    by : str
        Dimension: "channel" (default), "source", "campaign" or "method".
    progress : bool, optional
        A bar over the models when the run is long (see
        :func:`touchcredit.core.progress.progress_bar`; ``TOUCHCREDIT_PROGRESS=0`` turns
        every bar off).

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        When no model is given or ``by`` is unknown.
    TypeError
        When ``models`` is a single string other than ``"all"``.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1], timestamp=[1, 2], channel=["seo", "email"],
    ...     conversion_journey_id=[1], conversion_time=[3], unit="s")
    >>> tc.compare(js, ["last_touch"]).values.tolist()
    [[1.0], [0.0]]
    """
    if isinstance(models, str):
        if models != "all":
            raise TypeError(
                f"'models' must be a list of models or names, or 'all'; got the string "
                f"{models!r} (for one model write [{models!r}])"
            )
        models = available()
    ms: Sequence[AttributionModel] = models_from(models)
    if not ms:
        raise ValueError("'models' must name at least one model")
    tables = []
    with progress_bar(len(ms), "compare", progress=progress, unit="model") as bar:
        for m in ms:
            bar.update(0, label=model_label(m))
            tables.append(attribute(journeys, m).by(by))
            bar.update()
    values = np.stack([t.value for t in tables], axis=1) if tables else np.zeros((0, 0))
    return Comparison(
        by=by,
        labels=tables[0].labels,
        models=tuple(t.model for t in tables),
        values=frozen_array(values),
        unattributed=frozen_array(np.array([t.unattributed_value for t in tables])),
    )
