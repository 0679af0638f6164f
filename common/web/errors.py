"""Every API failure as ``{"error": {"code", "message"}}`` with a 4xx status.

Werkzeug's own errors (404, 405, 413 ...) are turned into the same shape,
and an unexpected exception is logged and answered with a plain 500 in the
same shape — but the API is written so that bad input never gets there.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from common.eventlog.writer import StoreError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An expected refusal: status, machine code, human message."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self) -> Any:
        body = {"error": {"code": self.code, "message": self.message, **self.extra}}
        return jsonify(body), self.status


def bad_request(message: str, code: str = "invalid_request") -> ApiError:
    return ApiError(400, code, message)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def conflict(message: str, code: str = "conflict") -> ApiError:
    return ApiError(409, code, message)


HTTP_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type",
              429: "too_many_requests"}


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Any:
        return exc.response()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        code = HTTP_CODES.get(status, "http_error")
        return ApiError(status, code, exc.description or exc.name).response()

    @app.errorhandler(StoreError)
    def _store_unavailable(exc: StoreError) -> Any:
        # the database is away (a hub's PostgreSQL restarting, a full disk):
        # nothing was changed, and the client may try again
        log.error("store unavailable: %s", exc)
        return ApiError(503, "unavailable", f"the store is unavailable, nothing was changed; "
                                            f"try again: {exc}").response()

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unexpected error")
        return ApiError(500, "internal", "internal error; it has been logged").response()
