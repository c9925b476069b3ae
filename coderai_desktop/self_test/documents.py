"""A migrated database in the temporary folder, and each sample document imported into it for real."""

from __future__ import annotations

import re
import secrets

from coderai_desktop.app_context import AppContext
from coderai_desktop.config import Settings
from coderai_desktop.ingest.readers.ocr import available as tesseract_available
from coderai_desktop.ingest.report import Outcome
from coderai_desktop.ingest.service import ImportOptions
from coderai_desktop.self_test.samples import CSV_TEXT_COLUMN, Sample, sample_codebook
from coderai_desktop.self_test.verdicts import CheckFailed, Verdict, ok, skip
from coderai_desktop.self_test.workspace import Workspace

LOGIN = "self-test"


async def open_database(workspace: Workspace) -> Verdict:
    # Every setting that could reach the person's data is given: a CODERAI_DB_URL must not be used.
    settings = Settings(data_dir=workspace.folder / "data", db_url="", ocr_enabled=True)
    workspace.context = context = AppContext.open(settings)
    workspace.user = user = await context.accounts.create_account(LOGIN, secrets.token_urlsafe(16))
    project = await context.projects(user).create_project(*sample_codebook())
    workspace.project_id = project.id
    return ok(f"SQLite migrated to {context.migration.to_revision}, with an account and a project")


async def read_sample(workspace: Workspace, sample: Sample) -> Verdict:
    context, user, project_id = workspace.opened()
    if sample.needs_ocr and not tesseract_available():
        return skip("Tesseract not installed")
    options = ImportOptions(text_column=CSV_TEXT_COLUMN if sample.path.suffix == ".csv" else None)
    documents = context.documents(user)
    report = await documents.import_paths(project_id, [sample.path], options)
    if problems := [item for item in report.outcomes if item.outcome is not Outcome.IMPORTED]:
        raise CheckFailed("; ".join(f"{item.name} {item.outcome}: {item.detail}" for item in problems))
    ids = [item.document_id for item in report.outcomes if item.document_id is not None]
    texts = [(await documents.document_text(document_id)).text for document_id in ids]
    if len(texts) != len(sample.texts):
        raise CheckFailed(f"{len(texts)} documents read instead of {len(sample.texts)}")
    if missing := _words(" ".join(sample.texts)) - _words(" ".join(texts)):
        raise CheckFailed(f"words missing from the text read: {', '.join(sorted(missing))}")
    workspace.documents[sample.file_name] = ids
    count = f"{len(ids)} documents" if len(ids) > 1 else "1 document"
    return ok(f"{sample.file_name}: {count} with the expected words")


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))
