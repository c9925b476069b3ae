"""Stata and SPSS files, read back as pyreadstat (and pandas, for Stata) read them: legal and unique names
that keep the original in the label, value labels, numbers as numbers, full dates as dates, text intact."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coderai_desktop.domain.codebook import Codebook
from coderai_desktop.domain.dataset import UnitValues
from coderai_desktop.export.model import Dataset, ExportOptions, Table, VariableInfo
from coderai_desktop.export.tables import long_table, wide_table
from coderai_desktop.export.writers.stats import RESERVED, write_dta, write_sav
from coderai_desktop.spreadsheet_cells import CLIPPED
from tests.unit.codebook_data import variable
from tests.unit.export.sample import LONG_NAME, coded, dataset, entity_dataset, quality, unit_of


@dataclass(frozen=True)
class Format:
    suffix: str
    write: Callable[[Dataset, Table, Path], None]
    read: Callable[..., tuple[pd.DataFrame, Any]]
    name_limit: int
    label_limit: int  # characters for Stata, bytes for SPSS


STATA = Format("dta", write_dta, pyreadstat.read_dta, 32, 80)
SPSS = Format("sav", write_sav, pyreadstat.read_sav, 64, 256)
FORMATS = pytest.mark.parametrize("fmt", [STATA, SPSS], ids=["dta", "sav"])
ALL_DETAILS = ExportOptions(value_details=True, document_details=True, expand_multi=True)
LEGAL = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def written(
    tmp_path: Path, fmt: Format, data: Dataset, table: Table | None = None
) -> tuple[pd.DataFrame, Any]:
    path = tmp_path / f"export.{fmt.suffix}"
    fmt.write(data, wide_table(data) if table is None else table, path)
    return fmt.read(path)


def labels_by_column(table: Table, meta: Any) -> dict[str, str]:
    """Original column -> the label of its variable in the file (columns keep their order)."""
    return dict(zip(table.columns, meta.column_labels, strict=True))


def with_variables(base: Dataset, specs: list[dict[str, Any]], units: list[UnitValues]) -> Dataset:
    codebook = Codebook.model_validate({"variables": specs})
    infos = [VariableInfo(spec, None, quality()) for spec in codebook.variables]
    return replace(base, variables=infos, units=units)


@FORMATS
def test_names_are_legal_unique_and_short_enough_and_labels_keep_the_original(
    tmp_path: Path, fmt: Format
) -> None:
    data = dataset(ALL_DETAILS)
    table = wide_table(data)
    assert len(table.columns) > 40 and any(len(column) > 64 for column in table.columns)

    _frame, meta = written(tmp_path, fmt, data, table)

    names = meta.column_names
    assert len(names) == len(table.columns)
    assert len({name.lower() for name in names}) == len(names)
    assert all(LEGAL.fullmatch(name) and len(name) <= fmt.name_limit for name in names)
    assert not {name.lower() for name in names} & RESERVED
    labels = labels_by_column(table, meta)
    for column, name in zip(table.columns, names, strict=True):
        if name == column:
            assert labels[column] == table.labels[column]
        else:  # the original name survives, at the start of the label
            assert labels[column].startswith(column[: fmt.label_limit])
        assert len(labels[column] if fmt is STATA else labels[column].encode()) <= fmt.label_limit
    assert "title_evidence" in names  # names that fit are left alone
    if fmt is STATA:  # shortened, they still say which variable and which detail
        assert "share_of_renewable_elec_evidence" in names
        assert "share_of_renewable_confidence" in names
        assert "share_of_renewable_electric_2030" in names


def test_the_stata_file_reads_in_pandas(tmp_path: Path) -> None:
    path = tmp_path / "export.dta"
    write_dta(dataset(ALL_DETAILS), wide_table(dataset(ALL_DETAILS)), path)

    frame = pd.read_stata(path)

    assert len(frame) == 3
    assert frame["adopted"].tolist()[:2] == ["Yes", "No"] and pd.isna(frame["adopted"].iloc[2])
    assert frame["level_1"].iloc[0] == "national"
    assert frame["title"].iloc[1] == "Plan with control characters — Ünïcödé, 中文"
    assert pd.api.types.is_float_dtype(frame["share_of_renewable_electric_2030"])


@FORMATS
def test_categories_and_booleans_have_value_labels_and_codes(tmp_path: Path, fmt: Format) -> None:
    data = dataset(ALL_DETAILS)

    frame, meta = written(tmp_path, fmt, data)

    assert meta.variable_value_labels["adopted"] == {0: "No", 1: "Yes"}
    assert meta.variable_value_labels["title_reviewed"] == {0: "No", 1: "Yes"}
    assert meta.variable_value_labels["level_1"] == {1: "national", 2: "regional"}
    assert meta.variable_value_labels["level_2"] == {1: "national", 2: "regional"}
    assert frame["adopted"].tolist()[:2] == [1, 0] and pd.isna(frame["adopted"].iloc[2])
    assert frame["level_1"].tolist()[:2] == [1, 2]  # national; regional (its only value)
    assert frame["level_2"].iloc[0] == 2 and pd.isna(frame["level_2"].iloc[1])


@FORMATS
def test_values_outside_the_categories_get_further_codes(tmp_path: Path, fmt: Format) -> None:
    spec = {
        "name": "sector",
        "type": "category",
        "instructions": "Code it.",
        "categories": [{"value": "energy", "label": "Energy and power"}, {"value": "transport"}],
    }
    units = [
        unit_of(1, "a.pdf", None, None, {"sector": coded("transport")}),
        unit_of(2, "b.pdf", None, None, {"sector": coded("farming")}),  # a researcher's correction
        unit_of(3, "c.pdf", None, None, {"sector": coded("energy")}),
    ]

    frame, meta = written(tmp_path, fmt, with_variables(dataset(), [spec], units))

    assert meta.variable_value_labels["sector"] == {1: "Energy and power", 2: "transport", 3: "farming"}
    assert frame["sector"].tolist() == [2, 3, 1]


@FORMATS
def test_a_multi_value_variable_not_expanded_is_joined_text(tmp_path: Path, fmt: Format) -> None:
    frame, meta = written(tmp_path, fmt, dataset())

    assert frame["level"].tolist() == ["national; regional", "regional", ""]
    assert "level" not in meta.variable_value_labels


@FORMATS
def test_numbers_are_numbers_and_partial_dates_stay_text(tmp_path: Path, fmt: Format) -> None:
    frame, _meta = written(tmp_path, fmt, dataset())

    shares = frame[LONG_NAME if fmt is SPSS else "share_of_renewable_electric_2030"]
    assert pd.api.types.is_float_dtype(shares)
    assert shares.tolist()[:2] == [42.5, -3.0] and pd.isna(shares.iloc[2])
    assert frame["document_id"].tolist() == [1, 2, 3]
    assert frame["target_year"].tolist() == ["2030-12-31", "2040", ""]


@FORMATS
def test_full_dates_are_dates(tmp_path: Path, fmt: Format) -> None:
    units = [
        unit_of(1, "a.pdf", None, None, {"target_year": coded("2030-12-31")}),
        unit_of(2, "b.pdf", None, None, {"target_year": coded(None)}),
        unit_of(3, "c.pdf", None, None, {"target_year": coded("1999-01-02")}),
    ]

    frame, _meta = written(tmp_path, fmt, with_variables(dataset(), [variable("target_year", "date")], units))

    assert frame["target_year"].iloc[0] == date(2030, 12, 31)
    assert pd.isna(frame["target_year"].iloc[1])
    assert frame["target_year"].iloc[2] == date(1999, 1, 2)
    if fmt is STATA:
        assert pd.read_stata(tmp_path / "export.dta")["target_year"].iloc[0] == pd.Timestamp("2030-12-31")


@FORMATS
def test_text_keeps_non_latin_characters_and_loses_control_characters(tmp_path: Path, fmt: Format) -> None:
    frame, meta = written(tmp_path, fmt, dataset())

    assert frame["title"].tolist() == [
        '=HYPERLINK("http://evil")',  # no formula in these formats: left as it is
        "Plan with control characters — Ünïcödé, 中文",
        "",
    ]
    assert meta.file_label == "Climate plans"


@FORMATS
def test_long_text_is_kept_in_stata_and_clipped_to_what_spss_holds(tmp_path: Path, fmt: Format) -> None:
    long_text = "长" * 20_000  # 60,000 bytes
    units = [
        unit_of(1, "a.pdf", None, None, {"title": coded(long_text)}),
        unit_of(2, "b.pdf", None, None, {"title": coded(None)}),  # pyreadstat fails on a missing strL
    ]

    frame, _meta = written(tmp_path, fmt, with_variables(dataset(), [variable("title")], units))

    text = frame["title"].iloc[0]
    if fmt is STATA:
        assert text == long_text
    else:
        assert text.endswith(CLIPPED) and len(text.encode()) <= 32_767
        assert long_text.startswith(text.removesuffix(CLIPPED))
    assert frame["title"].iloc[1] == ""


@FORMATS
def test_odd_names_and_long_labels_are_made_legal(tmp_path: Path, fmt: Format) -> None:
    columns = [
        "in",
        "_n",
        "str10",
        "Année",
        "2030",
        "a b",
        "WITH",
        "x" * 70,
        "x" * 70 + "_2",
        "x" * 70 + "_b",
    ]
    table = Table(columns, [list(range(len(columns)))], {column: "é" * 300 for column in columns})
    data = replace(dataset(), project=dataset().project.model_copy(update={"name": "项目" * 100}))

    _frame, meta = written(tmp_path, fmt, data, table)

    names = meta.column_names
    assert names[:7] == ["v_in", "n", "v_str10", "Annee", "v_2030", "a_b", "v_WITH"]
    assert len({name.lower() for name in names}) == len(names)
    assert all(LEGAL.fullmatch(name) and len(name) <= fmt.name_limit for name in names)
    assert names[8].endswith("_2") and names[8] != names[7]
    assert all(
        label.startswith(column) for column, label in zip(columns[:7], meta.column_labels[:7], strict=True)
    )
    assert len(meta.file_label) <= 80 and len(meta.file_label.encode()) <= (320 if fmt is STATA else 64)
    assert meta.file_label.startswith("项目")


def test_stata_names_leave_room_for_the_value_label_set_names(tmp_path: Path) -> None:
    # pyreadstat names a label set <variable><counter> and Stata takes 32 characters there.
    columns = [f"question_{index:02d}_".ljust(32, "x") for index in range(12)]
    table = Table(columns, [[True] * 12, [False] * 12], {})

    _frame, meta = written(tmp_path, STATA, dataset(), table)

    assert all(len(name) + len(str(index)) <= 32 for index, name in enumerate(meta.column_names))
    assert all(meta.variable_value_labels[name] == {0: "No", 1: "Yes"} for name in meta.column_names)


@FORMATS
def test_zero_rows_still_make_a_file_with_the_columns(tmp_path: Path, fmt: Format) -> None:
    data = dataset(ALL_DETAILS, sample_units=[])
    table = wide_table(data)

    frame, meta = written(tmp_path, fmt, data, table)

    assert len(frame) == 0
    assert len(meta.column_names) == len(table.columns)
    assert meta.variable_value_labels["adopted"] == {0: "No", 1: "Yes"}


@FORMATS
def test_entity_and_long_tables(tmp_path: Path, fmt: Format) -> None:
    frame, meta = written(tmp_path, fmt, entity_dataset())

    assert meta.column_names[:4] == ["document", "document_id", "entity_index", "entity_text"]
    assert frame["entity_index"].tolist() == [0, 1]
    assert frame["entity_text"].tolist() == ["Ministry of Energy", "Ministry of Transport"]

    data = dataset()
    table = long_table(data)
    frame, meta = written(tmp_path, fmt, data, table)

    assert len(frame) == len(table.rows)
    assert frame["value"].tolist()[:4] == ['=HYPERLINK("http://evil")', "True", "national", "regional"]
    assert meta.variable_value_labels["reviewed"] == {0: "No", 1: "Yes"}
    corrected = (frame["variable"] == LONG_NAME) & (frame["document_id"] == 2)
    assert frame.loc[corrected, "ai_value"].tolist() == [3.0]  # the only model value kept: a number


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=12))
def test_any_column_names_make_a_file(tmp_path: Path, columns: list[str]) -> None:
    table = Table(columns, [[True] * len(columns)], {})

    for fmt in (STATA, SPSS):
        _frame, meta = written(tmp_path, fmt, dataset(), table)

        names = meta.column_names
        assert len({name.lower() for name in names}) == len(names) == len(columns)
        assert all(LEGAL.fullmatch(name) and len(name) <= fmt.name_limit for name in names)
