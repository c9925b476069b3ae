"""One set of unfinished job statuses: the domain's, which the one-active-job index spells out in SQL."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coderai_desktop.domain.enums import UNFINISHED_JOB_STATUSES
from coderai_desktop.persistence.tables import ProcessingJob


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_one_active_job_index_names_exactly_the_unfinished_statuses(dialect: str) -> None:
    table = ProcessingJob.__table__
    assert isinstance(table, sa.Table)
    index = next(index for index in table.indexes if index.name == "uq_processing_jobs_one_active")
    condition = str(index.dialect_options[dialect]["where"])

    assert re.fullmatch(r"status IN \('\w+'(, '\w+')*\)", condition), condition
    assert re.findall(r"'(\w+)'", condition) == list(UNFINISHED_JOB_STATUSES)
