"""The bundled sample documents (resources/self_test/) and what the self-test expects from them.

tests/fakes/self_test_samples.py writes the files from these texts: run it again after changing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coderai_desktop.domain.codebook import ProjectContext, VariableSpec
from coderai_desktop.projects.codebook_file import read_codebook_file
from coderai_desktop.resources_path import resource
from coderai_desktop.self_test.verdicts import CheckFailed

CSV_TEXT_COLUMN = "answer"
CODED_FILE = "plan.txt"
PLAN_TEXT = (
    "The city council of Lyon adopted this clean air plan.\n"
    "It has a budget of 250000 euros, spent on transport."
)
# What the stand-in server answers for plan.txt (codebook.yaml's variables), and so what every export must hold.
ANSWER: dict[str, dict[str, Any]] = {
    "city": {"value": "Lyon", "confidence": 0.95, "evidence": "The city council of Lyon adopted"},
    "budget_eur": {"value": 250000, "confidence": 0.9, "evidence": "a budget of 250000 euros"},
    "sector": {"value": "transport", "confidence": 0.9, "evidence": "spent on transport"},
}


@dataclass(frozen=True)
class Sample:
    file_name: str
    label: str  # the check's name
    texts: tuple[str, ...]  # one per document the file holds (a CSV: one per row)
    needs_ocr: bool = False

    @property
    def path(self) -> Path:
        return sample_path(self.file_name)


SAMPLES = (
    Sample("text.pdf", "read PDF", ("The pelican crossed the estuary at dawn.",)),
    Sample("scanned.pdf", "read scanned PDF (OCR)", ("Harbour inspection report",), needs_ocr=True),
    Sample("letter.docx", "read DOCX", ("The badger signed the lease for the orchard.",)),
    Sample("page.html", "read HTML", ("The heron counted the boats in the canal.",)),
    Sample(CODED_FILE, "read TXT", (PLAN_TEXT,)),
    Sample(
        "survey.csv",
        "read CSV",
        ("The otter prefers the northern river.", "The walrus voted for the library."),
    ),
)


def sample_path(file_name: str) -> Path:
    return resource("self_test", file_name)


def sample_codebook() -> tuple[ProjectContext, list[VariableSpec]]:
    codebook = read_codebook_file(sample_path("codebook.yaml"))
    if codebook.project is None:
        raise CheckFailed("the sample codebook names no project")
    return codebook.project, codebook.variables
