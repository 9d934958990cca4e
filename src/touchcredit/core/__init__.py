"""The core: domain values, the JourneySet store and everything it is built from.

Domain values (:mod:`~touchcredit.core.domain`); the columnar store
(:mod:`~touchcredit.core.store`) with its label columns (:mod:`~touchcredit.core.dimension`),
its (conversion, touch) pairs (:mod:`~touchcredit.core.pairs`) and its builders
(:mod:`~touchcredit.core.builders` from arrays, :mod:`~touchcredit.core.objects` from
domain objects); the column mapping (:mod:`~touchcredit.core.mapping`); column coercion
(:mod:`~touchcredit.core.columns`), factorization (:mod:`~touchcredit.core.factorize`)
and the time rule (:mod:`~touchcredit.core.time`, a subpackage); grouping and segment kernels
(:mod:`~touchcredit.core.grouping`, :mod:`~touchcredit.core.segments`). The core imports
no other area of the package.
"""
