import datetime as dt
from decimal import Decimal

import pytest

from clusterkit.model import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Cluster,
    CounterObligation,
    FieldError,
    FundingSource,
    InvalidFieldsError,
    Label,
    LocalizedText,
    Participant,
    Project,
    Role,
    Stage,
    StagePeriod,
    StatusChange,
    Tranche,
    ValueChainLink,
)
from clusterkit.model.programme import Funding, Milestone
from clusterkit.money import parse_money
from clusterkit.units import parse_unit

NAME = LocalizedText(en="x")


def participant(
    pid: str, bin_: str = "060240113698", role: Role = Role.SMALL_ENTERPRISE
) -> Participant:
    return Participant(pid, NAME, bin_, role, "KZ-KAR", "23.61", dt.date(2017, 3, 1))


def fields(exc: pytest.ExceptionInfo[InvalidFieldsError]) -> set[str]:
    return {e.field for e in exc.value.errors}


def test_every_invalid_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidFieldsError) as exc:
        Participant(
            "bad id!",
            NAME,
            "060240113699",
            Role.SUPPLIER,
            "KZ-KAR",
            "cement",
            dt.date(2020, 1, 1),
            dt.date(2019, 1, 1),
        )
    # The BIN and the OKED code are checked by the loaders, by the schema's schemes.
    assert fields(exc) == {"id", "member_until"}


def test_localized_text_needs_one_language_and_falls_back() -> None:
    with pytest.raises(InvalidFieldsError):
        LocalizedText()
    assert LocalizedText(ru="Кластер").get("kk") == "Кластер"
    assert LocalizedText(ru="Кластер", en="Cluster").get("en") == "Cluster"


def test_cluster_rejects_duplicate_participants_and_dangling_links() -> None:
    with pytest.raises(InvalidFieldsError) as exc:
        Cluster(
            "c1",
            NAME,
            ("KZ-KAR",),
            "construction",
            coordinator="nobody",
            participants=(participant("a"), participant("a")),
            links=(ValueChainLink("a", "ghost", "cement"),),
        )
    assert fields(exc) == {
        "participants[1].id",
        "participants[1].bin",
        "coordinator",
        "links[0].customer",
    }


def test_cluster_stage_on_a_date() -> None:
    cluster = Cluster(
        "c1",
        NAME,
        ("KZ-KAR",),
        "construction",
        stages=(
            StagePeriod(Stage.INITIATION, dt.date(2017, 1, 1), dt.date(2017, 6, 30)),
            StagePeriod(Stage.SUPPORT, dt.date(2020, 1, 1)),
        ),
    )
    assert cluster.stage_on(dt.date(2017, 5, 1)) is Stage.INITIATION
    assert cluster.stage_on(dt.date(2018, 5, 1)) is None
    assert cluster.stage_on(dt.date(2024, 5, 1)) is Stage.SUPPORT


def test_overlapping_stages_are_refused() -> None:
    with pytest.raises(InvalidFieldsError) as exc:
        Cluster(
            "c1",
            NAME,
            ("KZ-KAR",),
            "construction",
            stages=(
                StagePeriod(Stage.INITIATION, dt.date(2017, 1, 1)),
                StagePeriod(Stage.ANALYSIS, dt.date(2017, 7, 1)),
            ),
        )
    assert fields(exc) == {"stages[1].start"}


def test_label_validity_is_unknown_without_an_award_date() -> None:
    reported = Label("ESCA Bronze", "ESCA", reported=dt.date(2021, 6, 1))
    assert reported.is_valid_on(dt.date(2021, 7, 1)) is None  # no expiry: not "held forever"
    assert reported.is_valid_on(dt.date(2020, 1, 1)) is None
    dated = Label("ESCA Bronze", "ESCA", awarded=dt.date(2019, 1, 1), expires=dt.date(2020, 12, 31))
    assert dated.is_valid_on(dt.date(2021, 1, 1)) is False


def test_negative_budget_is_refused() -> None:
    with pytest.raises(InvalidFieldsError) as exc:
        Project("p", NAME, parse_money("-1 mln KZT"))
    assert fields(exc) == {"budget"}


def test_project_funding_by_source_and_currency_check() -> None:
    project = Project(
        "p",
        NAME,
        parse_money("112.1 mln KZT"),
        financing=(Funding(FundingSource.CLUSTER, parse_money("33.6 mln KZT")),),
    )
    assert project.funding(FundingSource.CLUSTER) == parse_money("33.6 mln KZT")
    assert project.funding(FundingSource.STATE) == parse_money("0 KZT")
    with pytest.raises(InvalidFieldsError) as exc:
        Project(
            "p",
            NAME,
            parse_money("1 mln KZT"),
            financing=(Funding(FundingSource.STATE, parse_money("1 USD")),),
        )
    assert fields(exc) == {"financing[0].amount"}


def test_tranche_condition_must_name_a_milestone() -> None:
    tranche = Tranche(1, 2022, FundingSource.STATE, parse_money("10 mln KZT"), condition="study")
    with pytest.raises(InvalidFieldsError) as exc:
        Project("p", NAME, parse_money("20 mln KZT"), tranches=(tranche,))
    assert fields(exc) == {"tranches[0].condition"}
    ok = Project(
        "p",
        NAME,
        parse_money("20 mln KZT"),
        tranches=(tranche,),
        milestones=(Milestone("study", "feasibility study approved"),),
    )
    assert ok.milestone("study") is not None


def test_application_status_follows_history() -> None:
    app = Application(
        "a1",
        "c1",
        ApplicationKind.REGISTRY_ENTRY,
        dt.date(2022, 8, 1),
        history=(
            StatusChange(ApplicationStatus.UNDER_REVIEW, dt.date(2022, 8, 5)),
            StatusChange(ApplicationStatus.REJECTED, dt.date(2022, 9, 1), reason="too few firms"),
        ),
    )
    assert app.status is ApplicationStatus.REJECTED
    assert app.status_on(dt.date(2022, 8, 20)) is ApplicationStatus.UNDER_REVIEW
    assert app.status_on(dt.date(2022, 7, 1)) is None


def test_rejection_needs_a_reason() -> None:
    with pytest.raises(InvalidFieldsError) as exc:
        StatusChange(ApplicationStatus.REJECTED, dt.date(2022, 9, 1))
    assert fields(exc) == {"reason"}


def test_no_status_change_after_a_final_decision() -> None:
    with pytest.raises(InvalidFieldsError) as exc:
        Application(
            "a1",
            "c1",
            ApplicationKind.REGISTRY_ENTRY,
            dt.date(2022, 8, 1),
            history=(
                StatusChange(ApplicationStatus.ACCEPTED, dt.date(2022, 8, 5)),
                StatusChange(ApplicationStatus.UNDER_REVIEW, dt.date(2022, 8, 6)),
            ),
        )
    assert fields(exc) == {"history[1].status"}


def test_models_are_frozen() -> None:
    p = participant("a")
    with pytest.raises(AttributeError):
        p.id = "b"  # type: ignore[misc]


def test_a_label_without_an_expiry_date_is_not_held_forever() -> None:
    label = Label("ESCA Bronze", "ESCA", awarded=dt.date(2020, 3, 1))
    assert label.is_valid_on(dt.date(2020, 2, 29)) is False
    assert label.is_valid_on(dt.date(2020, 3, 1)) is None
    assert label.is_valid_on(dt.date(2030, 1, 1)) is None
    dated = Label("ESCA Bronze", "ESCA", awarded=dt.date(2020, 3, 1), expires=dt.date(2022, 3, 31))
    assert dated.is_valid_on(dt.date(2022, 3, 31)) is True
    assert dated.is_valid_on(dt.date(2022, 4, 1)) is False
    reported = Label("ESCA Bronze", "ESCA", reported=dt.date(2021, 6, 1))
    assert reported.is_valid_on(dt.date(2021, 6, 1)) is True
    assert reported.is_valid_on(dt.date(2022, 6, 1)) is None


def test_a_year_beyond_what_dates_can_hold_is_refused() -> None:
    with pytest.raises(FieldError, match="not a year"):
        CounterObligation(
            "o", "c", "output", parse_unit("mln KZT"), 2020, Decimal(1), 20210101, Decimal(2)
        )
