"""Enumerations stored in the database by value (the upper-case names the codebook docs use)."""

from enum import StrEnum


class UnitOfObservation(StrEnum):
    DOCUMENT = "DOCUMENT"
    ENTITY = "ENTITY"


class ProjectStatus(StrEnum):
    CREATED = "CREATED"
    SCHEMA_DEFINED = "SCHEMA_DEFINED"
    SAMPLE_COMPLETE = "SAMPLE_COMPLETE"
    PROCESSING = "PROCESSING"
    COMPLETE = "COMPLETE"


class VariableType(StrEnum):
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    DATE = "DATE"
    BOOLEAN = "BOOLEAN"
    CATEGORY = "CATEGORY"


class IfUncertain(StrEnum):
    """What to do with a value whose confidence is below the variable's threshold."""

    NULL = "NULL"
    SKIP = "SKIP"
    FLAG = "FLAG"


class IfMultipleValues(StrEnum):
    FIRST = "FIRST"
    LAST = "LAST"
    ALL = "ALL"
    SUMMARIZE = "SUMMARIZE"


class DependencyOperator(StrEnum):
    EQUALS = "EQUALS"
    NOT_EQUALS = "NOT_EQUALS"
    IN = "IN"
    NOT_IN = "NOT_IN"
    IS_SET = "IS_SET"
    IS_NOT_SET = "IS_NOT_SET"


class PromptReason(StrEnum):
    """Why a prompt version exists."""

    CREATED = "CREATED"
    EDITED = "EDITED"
    CONTEXT_CHANGED = "CONTEXT_CHANGED"
    REFINED_FROM_FEEDBACK = "REFINED_FROM_FEEDBACK"


class DocumentFormat(StrEnum):
    PDF = "PDF"
    DOCX = "DOCX"
    HTML = "HTML"
    TXT = "TXT"
    CSV = "CSV"
    XLSX = "XLSX"


class DocumentStatus(StrEnum):
    UPLOADED = "UPLOADED"
    PARSED = "PARSED"
    READY = "READY"
    FAILED = "FAILED"


class DocumentProblem(StrEnum):
    """Why a document is FAILED, for the actions that can fix it (e.g. asking for a password)."""

    PASSWORD_REQUIRED = "PASSWORD_REQUIRED"
    WRONG_PASSWORD = "WRONG_PASSWORD"
    NEEDS_OCR = "NEEDS_OCR"
    NO_TEXT = "NO_TEXT"
    DAMAGED = "DAMAGED"
    UNREADABLE_FORMAT = "UNREADABLE_FORMAT"
    TOO_LARGE = "TOO_LARGE"
    TIMED_OUT = "TIMED_OUT"
    CRASHED = "CRASHED"


class JobType(StrEnum):
    SAMPLE = "SAMPLE"
    FULL = "FULL"
    # The sample coded again by another model (or at another temperature), to compare: its values are
    # never the dataset's.
    SECOND_OPINION = "SECOND_OPINION"


# Runs whose values make the dataset.
DATASET_JOB_TYPES = (JobType.SAMPLE, JobType.FULL)


class JobStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


# A job in one of these can still run (be resumed) or be cancelled; a project has at most one.
UNFINISHED_JOB_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING, JobStatus.PAUSED)


class JobItemStatus(StrEnum):
    """State of one document inside a job; DONE and FAILED items are skipped on resume."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


class ExtractionStatus(StrEnum):
    EXTRACTED = "EXTRACTED"
    VALIDATED = "VALIDATED"
    FLAGGED = "FLAGGED"
    FAILED = "FAILED"


class MatchStatus(StrEnum):
    """How the evidence quote was found in the document text."""

    EXACT = "EXACT"
    NORMALIZED = "NORMALIZED"
    FUZZY = "FUZZY"
    NOT_FOUND = "NOT_FOUND"
    NO_QUOTE = "NO_QUOTE"


class FeedbackType(StrEnum):
    CORRECT = "CORRECT"
    INCORRECT = "INCORRECT"
    PARTIALLY_CORRECT = "PARTIALLY_CORRECT"


class LogEventType(StrEnum):
    JOB_STARTED = "JOB_STARTED"
    DOC_STARTED = "DOC_STARTED"
    DOC_COMPLETED = "DOC_COMPLETED"
    DOC_FAILED = "DOC_FAILED"
    JOB_COMPLETED = "JOB_COMPLETED"
    JOB_FAILED = "JOB_FAILED"
    JOB_PAUSED = "JOB_PAUSED"
    JOB_RESUMED = "JOB_RESUMED"
    JOB_CANCELLED = "JOB_CANCELLED"


class ShareAccess(StrEnum):
    """What a member a project is shared with may do: read it, or also change it (never delete it)."""

    VIEWER = "VIEWER"
    EDITOR = "EDITOR"
