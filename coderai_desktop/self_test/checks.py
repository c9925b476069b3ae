"""The checks after the imports, in order: each builds on what the ones before it made."""

from __future__ import annotations

from functools import partial

from coderai_desktop.export.model import ExportFormat
from coderai_desktop.self_test.coding import build_prompt, code_document
from coderai_desktop.self_test.documents import open_database, read_sample
from coderai_desktop.self_test.environment import keyring_backend, paint_gui
from coderai_desktop.self_test.exports import export_and_read, export_codebook
from coderai_desktop.self_test.runner import Check
from coderai_desktop.self_test.samples import SAMPLES
from coderai_desktop.self_test.workspace import Workspace


def workspace_checks(workspace: Workspace) -> list[Check]:
    return [
        Check("keyring", keyring_backend),
        Check("prompt and schema", build_prompt),
        Check("database", partial(open_database, workspace)),
        Check("Qt", partial(paint_gui, workspace)),
        *(Check(sample.label, partial(read_sample, workspace, sample)) for sample in SAMPLES),
        Check("coding", partial(code_document, workspace)),
        *(Check(f"export {kind}", partial(export_and_read, workspace, kind)) for kind in ExportFormat),
        Check("export codebook", partial(export_codebook, workspace)),
    ]
