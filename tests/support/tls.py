"""A port's own certificate authority, made with openssl for a test: the CA's
file for a lane's ``[upstream] ca_file`` and a certificate for 127.0.0.1."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture
def port_ca(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    """A private CA and, signed by it, a certificate for 127.0.0.1: the CA's
    file and a server context for the hub."""
    ca_key, ca, key, request, cert = (tmp_path / n for n in ("ca.key", "ca.crt", "hub.key", "hub.csr", "hub.crt"))
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test port CA",
            "-keyout", str(ca_key), "-out", str(ca))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(request))
    extensions = tmp_path / "san.cnf"
    extensions.write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
            "-days", "2", "-extfile", str(extensions), "-out", str(cert))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return ca, context
