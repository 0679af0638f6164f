"""Declaring an API route once: who may call it, what body it takes, and
its OpenAPI description — so the checks and the document cannot drift.

``@endpoint(bp, "/devices/<device_id>/zero", "POST", roles=WRITE_DEVICES,
body=SCHEMA, summary=...)`` registers the Flask view, checks the bearer
token and role before the view runs, parses and validates the JSON body
against the JSON Schema (unknown fields, wrong types, missing fields → 400)
and hangs the spec on the view for :mod:`common.web.openapi`.

Most routes are called by people, with a signed-in session. A route called
by a machine with a credential of its own (the hub's sync routes take a
lane's sync token) is declared with ``token=`` a :class:`TokenScheme`
instead of ``roles=``: the same one declaration still checks the caller
first and puts the right security scheme in the document.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from flask import Blueprint, Flask, current_app, g, request
from jsonschema import Draft202012Validator

from common.web import strict_json
from common.web.errors import ApiError, bad_request, install_error_handlers
from common.web.headers import install_security_headers
from common.web.schema_words import plain

PUBLIC = ()  # no token needed

PUBLIC_MAX_BODY = 16 << 10
"""The most a caller not yet authenticated may send (a sign-in is well under 1 KiB):
nobody without a credential makes a server read, parse or hold more."""


@dataclass(frozen=True)
class TokenScheme:
    """A bearer credential that is not a user's session, such as a lane's
    sync token at the hub.

    ``check`` gets the route's path arguments and raises an
    :class:`~common.web.errors.ApiError` (401) unless the request carries a
    token valid for them, so a credential can be bound to what the path
    names (a lane's token opens its own lane's routes only). ``name`` is the
    scheme's key in the document's ``securitySchemes``, kept apart from the
    session's ``bearer`` so a client or a fuzzer knows which credential
    each route takes.
    """

    name: str
    description: str
    check: Callable[..., None]


@dataclass
class RouteSpec:
    rule: str
    method: str
    summary: str
    roles: tuple[str, ...] | None          # None: any signed-in user; (): public
    body: dict[str, Any] | None = None
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    tag: str = ""
    status: int = 200
    token: TokenScheme | None = None       # set: this credential instead of a session
    responses: dict[int, str] = field(default_factory=dict)  # other answers: status → when
    max_body: int | None = None            # set: this route's body limit instead of the app's
    content: dict[str, dict[str, Any]] = field(default_factory=dict)  # raw bodies the view reads: type → schema
    consultation: Any = None               # set: a common.web.consultation.Consultation (personal data served)


def make_api_app(import_name: str, server: Any, blueprints: Iterable[Blueprint],
                 max_body_bytes: int) -> Flask:
    """The Flask app of a lane server or a hub: ``server`` answers
    :func:`lane_server` for its routes, bodies over ``max_body_bytes`` are a
    413 (a route may declare its own limit, and public routes take at most
    :data:`PUBLIC_MAX_BODY`), JSON is parsed strictly
    (:mod:`common.web.strict_json`) and keeps the order routes build it in,
    errors are JSON, and every answer carries the browser hardening headers
    of :mod:`common.web.headers`."""
    app = Flask(import_name)
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    app.json = strict_json.StrictJSONProvider(app)
    app.extensions["lanebox"] = server
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    install_error_handlers(app)
    install_security_headers(app)
    return app


def lane_server() -> Any:
    """The :class:`edge.server.LaneServer` this request is served by."""
    return current_app.extensions["lanebox"]


def current_session() -> Any:
    """The signed-in session of this request (after the role check)."""
    return g.session


def authenticate_request(roles: tuple[str, ...] | None) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "sign in first: send Authorization: Bearer <token>")
    session = lane_server().users.check_token(token.strip())
    if session is None:
        raise ApiError(401, "unauthorized", "session expired or not valid; sign in again")
    if roles is not None and session.role not in roles:
        raise ApiError(403, "forbidden", f"the {session.role} role may not do this")
    g.session = session


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON object, validated against ``schema``."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    raw = request.get_data(cache=True)
    try:
        body = strict_json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"body is not valid JSON: {exc}", "invalid_json") from None
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        where, message = plain(errors[0])
        raise ApiError(400, "invalid_field", message, field=where)
    return body


def query_int(name: str, default: int, minimum: int = 0, maximum: int = 10**12) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_field", f"{name}: must be an integer", field=name) from None
    if not minimum <= value <= maximum:
        raise ApiError(400, "invalid_field", f"{name}: must be between {minimum} and {maximum}", field=name)
    return value


def endpoint(bp: Blueprint, rule: str, method: str, *, summary: str, roles: tuple[str, ...] | None = None,
             body: dict[str, Any] | None = None, query: dict[str, dict[str, Any]] | None = None,
             status: int = 200, token: TokenScheme | None = None,
             responses: dict[int, str] | None = None, max_body: int | None = None,
             content: dict[str, dict[str, Any]] | None = None,
             consultation: Any = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``view`` on ``bp`` with auth, body validation and an OpenAPI spec.

    The caller is checked first, before a byte of the body is read: by
    ``token`` when given, else by a session with one of ``roles``. The view
    receives the validated body as ``body=`` when a schema is given.
    ``responses`` documents the route's other answers (status → when it is
    given), e.g. a 409 or a 304. ``max_body`` raises (or lowers) the app's
    body limit for this route alone, such as a sync batch; a public route
    takes at most :data:`PUBLIC_MAX_BODY` whatever the app's limit.
    ``content`` documents a body the view reads and checks itself, by media
    type (a camera's XML or multipart push), where ``body`` cannot say it.
    ``consultation`` (a :class:`common.web.consultation.Consultation`) says the
    route serves personal data: the request's justification is checked and the
    consultation logged before anything is served.
    """
    if token is not None and roles is not None:
        raise ValueError(f"{method} {rule}: a route takes a session with roles or a token, not both")
    spec = RouteSpec(rule=rule, method=method, summary=summary, roles=roles, body=body,
                     query=query or {}, tag=bp.name, status=status, token=token,
                     responses=responses or {}, max_body=max_body, content=content or {},
                     consultation=consultation)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            _limit_body(spec)
            if token is not None:
                token.check(**kwargs)
            elif roles != PUBLIC:
                authenticate_request(roles)
            if body is not None:
                kwargs["body"] = json_body(body)
            result = view(**kwargs) if consultation is None else consultation.serve(lambda: view(**kwargs), kwargs)
            return (result, status) if status != 200 and isinstance(result, dict) else result

        wrapper.openapi = spec  # type: ignore[attr-defined]
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapper, methods=[method])
        return wrapper

    return decorate


def _limit_body(spec: RouteSpec) -> None:
    """Set this request's body limit from its route (Werkzeug answers 413 past
    it, as soon as the declared length says so, without reading the body)."""
    limit = spec.max_body if spec.max_body is not None else request.max_content_length
    if spec.roles == PUBLIC and spec.token is None:
        limit = min(limit or PUBLIC_MAX_BODY, PUBLIC_MAX_BODY)
    request.max_content_length = limit


def obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed JSON Schema object: unknown fields are refused."""
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False}
