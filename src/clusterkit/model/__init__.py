"""The typed domain model: clusters, applications, programmes, indicators, datasets.

Every class is an immutable, slotted attrs class. Constructing one checks it and
raises :class:`InvalidFieldsError` listing every invalid field.
"""

from clusterkit.model.application import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    CriterionScore,
    Document,
    StatusChange,
)
from clusterkit.model.cluster import (
    Cluster,
    Label,
    Participant,
    RegistryStatus,
    Role,
    Stage,
    StagePeriod,
    ValueChainLink,
)
from clusterkit.model.common import (
    FieldError,
    InvalidFieldsError,
    Lang,
    LocalizedText,
    Region,
    Sector,
)
from clusterkit.model.dataset import Dataset, DatasetInfo, Reference, check_references
from clusterkit.model.indicators import (
    CounterObligation,
    IndicatorSeries,
    IndicatorValue,
    KnownIndicator,
    Observation,
    ValueKind,
)
from clusterkit.model.programme import (
    Funding,
    FundingSource,
    Milestone,
    Programme,
    Project,
    Tranche,
)
from clusterkit.model.published import StatedFigure, SupportBenchmark

__all__ = [
    "Application",
    "ApplicationKind",
    "ApplicationStatus",
    "Cluster",
    "CounterObligation",
    "CriterionScore",
    "Dataset",
    "DatasetInfo",
    "Document",
    "FieldError",
    "Funding",
    "FundingSource",
    "IndicatorSeries",
    "IndicatorValue",
    "InvalidFieldsError",
    "KnownIndicator",
    "Label",
    "Lang",
    "LocalizedText",
    "Milestone",
    "Observation",
    "Participant",
    "Programme",
    "Project",
    "Reference",
    "Region",
    "RegistryStatus",
    "Role",
    "Sector",
    "Stage",
    "StagePeriod",
    "StatedFigure",
    "StatusChange",
    "SupportBenchmark",
    "Tranche",
    "ValueChainLink",
    "ValueKind",
    "check_references",
]
