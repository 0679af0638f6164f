"""The headers every answer of a lane or the hub carries, so a browser holds
the apps to what they are: pages of this box, with scripts of this box only.

* ``Content-Security-Policy``: scripts, styles, connections, workers and
  manifests from this origin only, no inline script or style, no plugins,
  no ``<base>``, no ``eval``; images may also be ``blob:``/``data:`` (photos
  being attached, QR codes) and a ``blob:`` the app made may be fetched. Text from devices and notes is rendered as text
  already; this is the second wall should that ever slip.
* ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` (for older
  browsers): no page elsewhere may frame the board and trick a supervisor
  into clicking Acknowledge.
* ``X-Content-Type-Options: nosniff``: a file is what its type says, never
  sniffed into a script.
* ``Referrer-Policy: no-referrer``: no URL of a case leaves with a link.
* ``Strict-Transport-Security`` on answers sent over TLS (the box's own,
  ``request.is_secure``): once a browser has reached a box over HTTPS it
  never falls back to plain HTTP. Behind a proxy ending TLS, the proxy sets
  it (docs/server.md).
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "connect-src 'self' blob:",
    "font-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000"

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def install_security_headers(app: Flask) -> None:
    """Put :data:`SECURITY_HEADERS` (and HSTS over TLS) on every answer of ``app``,
    errors included; a header a view set itself is left as it is."""

    @app.after_request
    def _secure(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
