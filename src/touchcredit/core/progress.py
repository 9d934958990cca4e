"""Progress bars for long work: one switch, tqdm optional, silent in pipes.

Every long-running entry point (``from_frame``, ``clean``, ``compare``, ``bootstrap``,
the connectors, ``chunked``, Spark, the report) takes ``progress=None`` and opens its
bar with :func:`progress_bar`. A bar appears only when all of these hold:

* ``progress`` is not False (True forces a bar at once, even in a pipe);
* the environment variable ``TOUCHCREDIT_PROGRESS`` is not ``0``/``false``/``no``/``off``
  (the one switch that turns every bar off; ``progress=True`` still wins);
* the output is a terminal (standard error is a TTY) or a Jupyter notebook;
* tqdm is installed (``pip install "touchcredit[progress]"``): without it nothing is shown;
* the step has run for more than :data:`DELAY` seconds (short calls never flash a bar;
  ``progress=True`` draws at once).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["DELAY", "ENV_VAR", "Progress", "progress_bar", "progress_enabled", "track"]

#: Seconds a step must run before its bar is drawn.
DELAY = 2.0
#: Environment variable that turns every progress bar off when set to 0/false/no/off.
ENV_VAR = "TOUCHCREDIT_PROGRESS"

T = TypeVar("T")


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    get = getattr(shell, "get_ipython", None)
    ip = get() if callable(get) else None
    return type(ip).__name__ == "ZMQInteractiveShell"


def progress_enabled(progress: bool | None = None) -> bool:
    """Whether a bar may be shown for a call made with ``progress``.

    Examples
    --------
    >>> progress_enabled(False)
    False
    >>> import os
    >>> os.environ["TOUCHCREDIT_PROGRESS"] = "0"
    >>> progress_enabled(), progress_enabled(True)
    (False, True)
    >>> del os.environ["TOUCHCREDIT_PROGRESS"]
    """
    if progress is not None:
        return bool(progress)
    if os.environ.get(ENV_VAR, "").strip().lower() in {"0", "false", "no", "off"}:
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(callable(isatty) and isatty()) or _in_notebook()


class Progress:
    """A progress bar that may be nothing: ``update`` and ``close`` always work.

    Use it as a context manager; built by :func:`progress_bar`.

    Examples
    --------
    >>> with progress_bar(3, "fitting", progress=False) as bar:
    ...     for _ in range(3):
    ...         bar.update()
    >>> bar.n, bar.shown
    (3, False)
    """

    def __init__(self, bar: Any) -> None:
        self._bar = bar
        self.n = 0

    @property
    def shown(self) -> bool:
        """Whether a real bar backs this object (it may still wait for :data:`DELAY`)."""
        return self._bar is not None

    def update(self, n: int = 1, *, label: str | None = None) -> None:
        """Advance by ``n`` steps; ``label`` names what runs next."""
        self.n += n
        if self._bar is not None:
            if label is not None:
                self._bar.set_postfix_str(label, refresh=False)
            self._bar.update(n)

    def close(self) -> None:
        """Remove the bar (idempotent)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def progress_bar(
    total: int | None,
    desc: str,
    *,
    progress: bool | None = None,
    unit: str = "step",
    unit_scale: bool = False,
    delay: float | None = None,
) -> Progress:
    """A :class:`Progress` for ``total`` steps, real when :func:`progress_enabled`.

    Parameters
    ----------
    total : int or None
        Number of steps (None: unknown).
    desc : str
        What runs (shown before the bar).
    progress : bool or None
        False: never a bar; True: a bar at once whenever tqdm is installed (even in
        a pipe); None (default): a bar on a terminal or in a notebook once a step
        has run :data:`DELAY` seconds, unless ``TOUCHCREDIT_PROGRESS=0``.
    unit : str
        What one step is ("step", "touch", "resample"...).
    unit_scale : bool
        Show large counts as 1.2M rather than 1234567.
    delay : float, optional
        Seconds before the bar is drawn (default :data:`DELAY`; 0 with
        ``progress=True``).

    Returns
    -------
    Progress

    Examples
    --------
    >>> bar = progress_bar(10, "reading", progress=False)
    >>> bar.update(4); bar.n
    4
    """
    if not progress_enabled(progress):
        return Progress(None)
    try:
        if _in_notebook():
            import tqdm.auto as auto
        else:
            import tqdm as auto
    except ImportError:
        return Progress(None)
    bar = auto.tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=unit_scale,
        delay=delay if delay is not None else (0.0 if progress else DELAY),
        leave=False,
        file=sys.stderr,
    )
    return Progress(bar)


def track(
    items: Iterable[T], desc: str, *, total: int | None = None, progress: bool | None = None
) -> Iterator[T]:
    """Iterate over ``items`` with a bar (see :func:`progress_bar`).

    Examples
    --------
    >>> list(track([1, 2, 3], "summing", progress=False))
    [1, 2, 3]
    """
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress_bar(total, desc, progress=progress) as bar:
        for item in items:
            yield item
            bar.update()
