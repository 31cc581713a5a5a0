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
    NO_EXTRA,
    Declared,
    Extra,
    FieldError,
    InvalidFieldsError,
    Lang,
    LocalizedText,
    Region,
    Sector,
)
from clusterkit.model.dataset import (
    Dataset,
    DatasetInfo,
    Record,
    Records,
    Reference,
    check_references,
)
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
    "KINDS",
    "NO_EXTRA",
    "REFERENCES",
    "Application",
    "ApplicationKind",
    "ApplicationStatus",
    "Cluster",
    "CounterObligation",
    "CriterionScore",
    "Dataset",
    "DatasetInfo",
    "Declared",
    "Document",
    "Extra",
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
    "Record",
    "Records",
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

#: The entity kinds of the built-in model, by the names rules and schemas use.
KINDS: dict[str, type] = {
    "cluster": Cluster,
    "participant": Participant,
    "link": ValueChainLink,
    "stage": StagePeriod,
    "label": Label,
    "application": Application,
    "status_change": StatusChange,
    "document": Document,
    "criterion_score": CriterionScore,
    "programme": Programme,
    "project": Project,
    "funding": Funding,
    "tranche": Tranche,
    "milestone": Milestone,
    "obligation": CounterObligation,
    "observation": Observation,
    "series": IndicatorSeries,
    "series_value": IndicatorValue,
    "figure": StatedFigure,
    "region": Region,
    "sector": Sector,
}

#: Built-in fields that hold the id (or code) of another entity, and its kind.
REFERENCES: dict[tuple[str, str], str] = {
    ("cluster", "regions"): "region",
    ("cluster", "sector"): "sector",
    ("participant", "region"): "region",
    ("application", "cluster"): "cluster",
    ("programme", "cluster"): "cluster",
    ("obligation", "cluster"): "cluster",
    ("obligation", "programme"): "programme",
    ("observation", "cluster"): "cluster",
    ("series", "cluster"): "cluster",
}
