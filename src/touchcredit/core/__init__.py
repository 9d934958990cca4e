"""The core: domain values, the JourneySet store and everything it is built from.

Domain values (:mod:`~touchcredit.core.domain`), the columnar store
(:mod:`~touchcredit.core.journeys`), column coercion (:mod:`~touchcredit.core.columns`),
the time rule (:mod:`~touchcredit.core.time_rule`), grouping and segment kernels
(:mod:`~touchcredit.core.grouping`, :mod:`~touchcredit.core.segments`). The core imports
no other area of the package.
"""
