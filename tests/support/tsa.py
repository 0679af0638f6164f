"""A time-stamp authority of the test's own: RFC 3161 over real HTTP on 127.0.0.1, real DER.

It makes a CA and a time-stamping certificate at start (RSA 2048, extended key usage
timeStamping, critical, as RFC 3161 asks), answers ``POST`` ``application/timestamp-query``
with a ``TimeStampResp`` whose token is CMS SignedData over a TSTInfo built with asn1crypto,
and keeps every request's imprint. ``mode`` makes it misbehave the ways a verifier must catch:
``"other_imprint"`` stamps other bytes than asked, ``"rejection"`` refuses, ``"no_eku"`` signs
with a certificate not for time-stamping.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from asn1crypto import algos, cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY = "1.3.6.1.4.1.99999.1"


def _certificate(subject: str, key: Any, issuer: x509.Name | None, signer: Any, *, ca: bool,
                 time_stamping: bool) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(signer, hashes.SHA256())


@dataclass
class LocalTsa:
    """The running TSA: its URL, its CA (PEM, for ``openssl ts -verify``) and what it was asked."""

    url: str = ""
    ca_pem: bytes = b""
    mode: str = "good"
    imprints: list[bytes] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> "LocalTsa":
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca = _certificate("lanebox test TSA root", ca_key, None, ca_key, ca=True, time_stamping=False)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._cert = _certificate("lanebox test TSA", self._key, ca.subject, ca_key, ca=False, time_stamping=True)
        self._plain = _certificate("not a TSA", self._key, ca.subject, ca_key, ca=False, time_stamping=False)
        self.ca_pem = ca.public_bytes(serialization.Encoding.PEM)
        self._serial = 0
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                answer = tsa.respond(tsp.TimeStampReq.load(body))
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/tsa"
        threading.Thread(target=self._server.serve_forever, daemon=True, name="local-tsa").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def respond(self, request: tsp.TimeStampReq) -> bytes:
        """The DER answer to ``request``."""
        imprint = request["message_imprint"]["hashed_message"].native
        self.imprints.append(imprint)
        if self.mode == "rejection":  # status alone: asn1crypto will not dump a response without a token
            status = tsp.PKIStatusInfo({"status": "rejection", "fail_info": {"bad_request"}}).dump()
            return b"\x30" + bytes([len(status)]) + status
        if self.mode == "other_imprint":
            imprint = hashlib.sha256(imprint).digest()
        self._serial += 1
        tst = tsp.TSTInfo({"version": "v1", "policy": POLICY,
                           "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": imprint},
                           "serial_number": self._serial, "gen_time": datetime.now(UTC),
                           "nonce": request["nonce"].native})
        return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": self.token(tst)}).dump()

    def token(self, tst: tsp.TSTInfo) -> cms.ContentInfo:
        """``tst`` signed as RFC 3161 says: SignedData, the certificate in it, signed attributes."""
        certificate = asn1_x509.Certificate.load(
            (self._plain if self.mode == "no_eku" else self._cert).public_bytes(serialization.Encoding.DER))
        essential = tsp.SigningCertificateV2({"certs": [{"hash_algorithm": {"algorithm": "sha256"},
                                                         "cert_hash": hashlib.sha256(certificate.dump()).digest()}]})
        attributes = cms.CMSAttributes([
            cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
            cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(tst.dump()).digest()]}),
            cms.CMSAttribute({"type": "signing_certificate_v2", "values": [essential]})])
        signature = self._key.sign(attributes.dump(), padding.PKCS1v15(), hashes.SHA256())
        signer = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
                "issuer": certificate.issuer, "serial_number": certificate.serial_number}}),
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "signed_attrs": attributes,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
            "signature": signature})
        signed = cms.SignedData({
            "version": "v3", "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": "tst_info", "content": tst},
            "certificates": [certificate], "signer_infos": [signer]})
        return cms.ContentInfo({"content_type": "signed_data", "content": signed})
