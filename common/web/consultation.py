"""Who looked at a person's data, and why: one declaration on a route.

Data-protection law for law-enforcement processing (UK DPA 2018 s.62, EU
Law Enforcement Directive art. 25) asks for a log of every *consultation*
and *disclosure* of personal data: who, when, what, and why. A route that
serves such data says so once, where it is declared::

    @endpoint(bp, "/inspections/<inspection_id>", "GET", summary=...,
              consultation=Consultation(what="document", personal=document_fields,
                                        implicit=this_open_inspection))

and :func:`common.web.routing.endpoint` then runs every request through
:meth:`Consultation.serve`: the caller's justification is read from the
``X-Justification`` header (so a GET stays a GET and can be bookmarked by
nobody), the view runs, and only when what it answers holds personal data
is an entry written — through the server's own sink (``consultations`` on
the lane server or the hub, each writing to a hash-chained log). Nothing is
served unless its entry is written first: a log that cannot be written (a
full disk, the database away) is a 503 ``consultation_not_logged``, never a
silent disclosure. A justification the route requires and the request lacks
is a 428 ``justification_required``, and nothing personal is served.

Refused requests (428, 400) are *not* entered: nothing was disclosed, and an
unauthenticated-to-the-data request must not be able to grow the evidence
log. The web server's access log still has them.

The header is ``X-Justification: code`` or ``X-Justification: code: text``,
the text percent-encoded UTF-8 (a browser cannot send other bytes in a
header), at most :data:`MAX_TEXT` characters once decoded. ``other`` takes
a text; every code may.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Callable, Literal
from urllib.parse import unquote

from flask import request

from common.clock import iso_utc, parse_iso
from common.eventlog.writer import StoreError
from common.web.errors import ApiError
from common.web.routing import current_session, lane_server, query_int

HEADER = "X-Justification"
MAX_TEXT = 300
MAX_QUERY_VALUE = 100

JUSTIFICATIONS = {
    "this_inspection": "This inspection",
    "case_follow_up": "Case follow-up",
    "court_request": "Court request",
    "audit": "Audit",
    "data_subject_request": "Data subject request",
    "other": "Other",
}
"""The reasons a user picks from, by code, with the words screens show."""

_HEADER_VALUE = re.compile(r"^(?P<code>[a-z_]{1,32})(?:\s*:\s*(?P<text>.*))?$", re.DOTALL)

Need = Literal["required", "optional"]
REQUIRED: Need = "required"
OPTIONAL: Need = "optional"


@dataclass(frozen=True)
class Justification:
    """Why a user consulted personal data: a listed reason, words of their own,
    and whether the server supplied it (an open inspection is its own reason)."""

    code: str
    text: str | None = None
    implicit: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "words": JUSTIFICATIONS[self.code], "text": self.text,
                "implicit": self.implicit}


def parse_justification(value: str | None) -> Justification | None:
    """The header's justification, None when absent; 400 ``invalid_justification`` if garbled."""
    if value is None or not value.strip():
        return None
    match = _HEADER_VALUE.match(value.strip())
    if match is None or match["code"] not in JUSTIFICATIONS:
        raise ApiError(400, "invalid_justification",
                       f"{HEADER}: one of {', '.join(JUSTIFICATIONS)}, optionally followed by ': ' and "
                       f"percent-encoded words", field=HEADER)
    try:
        text = (unquote(match["text"], errors="strict").strip() or None) if match["text"] else None
    except UnicodeDecodeError:
        text = "\0"  # not UTF-8: refused below with the same words
    if text is not None and (len(text) > MAX_TEXT or any(ord(c) < 32 for c in text)):
        raise ApiError(400, "invalid_justification", f"{HEADER}: the words are at most {MAX_TEXT} "
                                                     f"characters on one line", field=HEADER)
    if match["code"] == "other" and text is None:
        raise ApiError(400, "invalid_justification", f"{HEADER}: 'other' needs words saying why",
                       field=HEADER)
    return Justification(match["code"], text)


Fields = Callable[[dict[str, Any], Any], list[str]]
Records = Callable[[dict[str, Any], Any], list[str]]
Implicit = Callable[[dict[str, Any], Any], str | None]


def _path_values(kwargs: dict[str, Any], _result: Any) -> list[str]:
    return [str(value) for name, value in kwargs.items() if name != "body"]


@dataclass(frozen=True)
class Consultation:
    """What a route serves of people, and what it takes to be served it.

    ``what`` names the kind of record in the log (``document``, ``report``,
    ``case``, ``search``, ``photo``, ``export``, ``consultation_log``);
    ``action`` is ``view`` (a consultation) or ``export`` (a disclosure: a
    file or a bulk copy that leaves the system). ``fields`` are the personal
    fields always served; ``personal(path_args, result)`` instead finds them in the
    answer (empty: this answer holds nobody's data, nothing is logged).
    ``records(path_args, result)`` names the records (default: the path's
    values). ``implicit(path_args, result)`` may give a reason the request did not
    (a code), e.g. the inspection being open. ``query`` keeps the request's
    query string in the entry: what a search asked is itself personal data.
    """

    what: str
    justification: Need = REQUIRED
    action: Literal["view", "export"] = "view"
    fields: tuple[str, ...] = ()
    personal: Fields | None = None
    records: Records = _path_values
    implicit: Implicit | None = None
    query: bool = False

    def serve(self, view: Callable[[], Any], path_args: dict[str, Any]) -> Any:
        """Run the view behind the justification check and the log entry (see the module)."""
        given = parse_justification(request.headers.get(HEADER))
        result = view()  # first: an unknown record is a 404 whatever the reason given
        fields = self.personal(path_args, result) if self.personal is not None else list(self.fields)
        if not fields:
            return result
        reason = given or self._implicit(path_args, result)
        if reason is None and self.justification == REQUIRED:
            raise _required(self)
        self._log(fields, self.records(path_args, result), reason)
        return result

    def _implicit(self, path_args: dict[str, Any], result: Any) -> Justification | None:
        code = self.implicit(path_args, result) if self.implicit is not None else None
        return Justification(code, implicit=True) if code else None

    def _log(self, fields: list[str], records: list[str], reason: Justification | None) -> None:
        session = current_session()
        entry = {"user": session.username, "role": session.role, "action": self.action, "what": self.what,
                 "route": f"{request.method} {request.path}", "records": records, "fields": fields,
                 "justification": reason.as_json() if reason else None,
                 "address": request.remote_addr or "unknown"}
        if self.query:
            entry["query"] = {name: value[:MAX_QUERY_VALUE] for name, value in request.args.items()}
        try:
            lane_server().consultations.record(entry)
        except StoreError as exc:
            raise ApiError(503, "consultation_not_logged",
                           f"the consultation could not be written to the log ({exc}), so nothing is "
                           f"shown; try again when the store is back") from None

    # -- the OpenAPI document (common.web.openapi) ------------------------------

    def openapi_parameter(self) -> dict[str, Any]:
        always = self.justification == REQUIRED and self.implicit is None and self.personal is None
        when = ("always" if always else
                "when the answer holds personal data" if self.justification == REQUIRED else
                "optional; kept in the consultation log")
        return {"name": HEADER, "in": "header", "required": always,
                "description": f"why this {self.what} is consulted ({when}): a code, optionally "
                               f"': ' and percent-encoded words; codes: {', '.join(JUSTIFICATIONS)}",
                "schema": {"type": "string", "maxLength": 1000,
                           "pattern": f"^({'|'.join(JUSTIFICATIONS)})(:.*)?$"}}

    def openapi_responses(self) -> dict[int, str]:
        answers = {503: "the consultation log could not be written: nothing is served"}
        if self.justification == REQUIRED:
            answers[428] = f"no {HEADER} given where one is required: nothing is served"
        return answers


def _required(consultation: Consultation) -> ApiError:
    return ApiError(428, "justification_required",
                    f"say why you open this {consultation.what}: send {HEADER} with one of "
                    f"{', '.join(JUSTIFICATIONS)}", what=consultation.what,
                    choices=[{"code": code, "words": words} for code, words in JUSTIFICATIONS.items()])


# -- reviewing a consultation log (the lane's and the hub's review routes) ------

REVIEW_QUERY = {
    "user": {"type": "string", "description": "only this user's consultations"},
    "record": {"type": "string", "description": "only consultations of this record (inspection, seizure, "
                                                "case, photo or report id)"},
    "since": {"type": "string", "description": "on or after this time (ISO-8601, or a date YYYY-MM-DD)"},
    "until": {"type": "string", "description": "before this time (ISO-8601, or a date: up to its end)"},
    "before": {"type": "integer", "description": "page on: entries before this seq (next_before)"},
    "limit": {"type": "integer", "description": "at most this many (1-200, default 50)"},
}


def review_filters() -> dict[str, Any]:
    """The review's filters from the query string (:data:`REVIEW_QUERY`); 400 for a bad one."""
    filters: dict[str, Any] = {"limit": query_int("limit", 50, 1, 200)}
    before = request.args.get("before")
    filters["before"] = query_int("before", 0, 1) if before is not None else None
    for name in ("user", "record"):
        value = request.args.get(name) or None
        if value is not None and len(value) > 128:
            raise ApiError(400, "invalid_field", f"{name}: at most 128 characters", field=name)
        filters[name] = value
    filters["since"] = _instant("since", request.args.get("since"), end=False)
    filters["until"] = _instant("until", request.args.get("until"), end=True)
    return filters


def _instant(name: str, text: str | None, *, end: bool) -> str | None:
    """A time or a date as the ISO-8601 UTC text the logs compare with (a date's end is the next day)."""
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return iso_utc(datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time(), UTC))
        return iso_utc(parse_iso(text))
    except ValueError:
        raise ApiError(400, "invalid_field", f"{name}: not a time (ISO-8601) or a date (YYYY-MM-DD)",
                       field=name) from None
