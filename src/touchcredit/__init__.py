"""touchcredit: where your leads and revenue really come from.

Multi-touch attribution over columnar journeys (vectorized numpy kernels), lead KPIs
and lead-source hygiene. The whole public API is listed in ``__all__`` below.
"""

from touchcredit import metrics, models, paths, sources, utm
from touchcredit.attribution import Attribution, Comparison, CreditTable, attribute, compare
from touchcredit.attribution.calibration import CalibrationWarning
from touchcredit.attribution.drift import compare_periods
from touchcredit.attribution.money import MinorUnits
from touchcredit.attribution.roles import SourceRoles, source_roles
from touchcredit.attribution.uncertainty import Bootstrap, bootstrap
from touchcredit.core.dimension import Dimension
from touchcredit.core.domain import Deal, Journey, Lead, Spend, Touchpoint
from touchcredit.core.mapping import ColumnMap
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.hygiene import identity, timestamps
from touchcredit.hygiene.clean import CleaningReport, clean
from touchcredit.kpi import funnel
from touchcredit.kpi.leads import LeadSet
from touchcredit.models import (
    AttributionModel,
    MarkovModel,
    PositionalModel,
    ShapleyModel,
    TimeDecayModel,
    deprecated_name,
)
from touchcredit.report import Report

__version__ = "0.1.0.dev0"


def __getattr__(name: str) -> type[AttributionModel]:
    # old model class names (TimeDecay, ...) warn and give the renamed class
    return deprecated_name(__name__, name)


__all__ = [
    "Attribution",
    "AttributionModel",
    "Bootstrap",
    "CalibrationWarning",
    "CleaningReport",
    "ColumnMap",
    "Comparison",
    "CreditTable",
    "Deal",
    "Dimension",
    "Journey",
    "JourneySet",
    "Lead",
    "LeadSet",
    "MarkovModel",
    "MinorUnits",
    "Pairs",
    "PositionalModel",
    "Report",
    "ShapleyModel",
    "SourceRoles",
    "Spend",
    "TimeDecayModel",
    "Touchpoint",
    "__version__",
    "attribute",
    "bootstrap",
    "clean",
    "compare",
    "compare_periods",
    "funnel",
    "identity",
    "metrics",
    "models",
    "paths",
    "source_roles",
    "sources",
    "timestamps",
    "utm",
]
