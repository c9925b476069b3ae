"""Provider failures in plain words; `retryable` says whether waiting and trying again can help.

This is where a provider's words become the app's: every message is masked here (some servers and proxies
echo the Authorization header in a 401 body), so no job, log row, terminal or export downstream sees a key.
"""

from __future__ import annotations

from coderai_desktop.domain.errors import CoderAIError
from coderai_desktop.logging_setup import redact


class ProviderError(CoderAIError):
    retryable = False

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(redact(message))
        self.retry_after = retry_after


class ProviderAuthError(ProviderError):
    """The key was refused: nothing will work until it is changed."""


class ModelNotFoundError(ProviderError):
    pass


class StructuredOutputUnsupportedError(ProviderError):
    pass


class ContextTooLongError(ProviderError):
    pass


class ProviderRequestError(ProviderError):
    """The provider refused the request for another reason (HTTP 4xx)."""


class InvalidAnswerError(ProviderError):
    """The model's answer was not usable JSON, even after one repair request."""


class PromptTruncatedError(ProviderError):
    """The server read far fewer prompt tokens than were sent: it cut the document."""


class RateLimitedError(ProviderError):
    retryable = True


class ProviderUnreachableError(ProviderError):
    retryable = True


class ProviderTimeoutError(ProviderError):
    retryable = True


class ProviderServerError(ProviderError):
    retryable = True


class CircuitOpenError(ProviderError):
    """Calls are paused after repeated failures; retrying after `retry_after` seconds may work."""

    retryable = True
