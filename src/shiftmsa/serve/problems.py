"""Refusals as JSON: ``{"error": one line, "field": the field at fault or null}`` with a 4xx status."""

from __future__ import annotations

from shiftmsa.data.contract import DataError


class RequestProblem(Exception):
    """A request the service refuses: HTTP ``status``, the ``field`` at fault, a one-line message.

    Args:
        status: the HTTP status (4xx, or 503 when the queue is full).
        message: what is wrong, in one line.
        field: the request field at fault (``clip``, ``transcript``, ``acoustic``, ``body``...).
        headers: extra response headers (``Retry-After``).
    """

    def __init__(self, status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(" ".join(message.split()))
        self.status = status
        self.field = field
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": str(self), "field": self.field}


def from_data_error(error: DataError, replace: dict[str, str] | None = None) -> RequestProblem:
    """A ``DataError`` (bad utterance, clip or transcript) as a 422 naming its field; ``replace``
    swaps server-side paths in the message for the names the client sent."""
    message = str(error)
    for server_path, client_name in (replace or {}).items():
        message = message.replace(server_path, client_name)
    return RequestProblem(422, message, error.field_name or "body")
