"""Every table, imported here so that Base.metadata is complete wherever one of them is used."""

from coderai_desktop.persistence.tables.accounts import Account, LoginFailure, Workspace
from coderai_desktop.persistence.tables.batches import BatchPart, BatchRequest
from coderai_desktop.persistence.tables.codebooks import CodebookVersion, CopilotMessage
from coderai_desktop.persistence.tables.documents import Document, DocumentChunk
from coderai_desktop.persistence.tables.extractions import Extraction, ExtractionFeedback, HumanCoding
from coderai_desktop.persistence.tables.jobs import JobItem, ProcessingJob, ProcessingLog
from coderai_desktop.persistence.tables.lab import (
    BlindRound,
    BlindRoundCoder,
    JobWorker,
    LabMember,
    ProjectShare,
)
from coderai_desktop.persistence.tables.projects import Project, Prompt, Variable
from coderai_desktop.persistence.tables.refinements import Refinement

__all__ = [
    "Account",
    "BatchPart",
    "BatchRequest",
    "BlindRound",
    "BlindRoundCoder",
    "CodebookVersion",
    "CopilotMessage",
    "Document",
    "DocumentChunk",
    "Extraction",
    "ExtractionFeedback",
    "HumanCoding",
    "JobItem",
    "JobWorker",
    "LabMember",
    "LoginFailure",
    "ProcessingJob",
    "ProcessingLog",
    "Project",
    "ProjectShare",
    "Prompt",
    "Refinement",
    "Variable",
    "Workspace",
]
