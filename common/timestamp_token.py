"""An RFC 3161 time-stamp token checked with the standard library and ``cryptography`` alone.

A case bundle may carry a token from the port's time-stamp authority (TSA)
over a chain head: proof, from a party outside lanebox, that the head (and
so every event before it) existed by the token's time. The defence must be
able to check it with a verifier it can read and copy out of lanebox
(:mod:`common.bundle_verify`), so this module needs no ASN.1 library: it
reads the few DER structures a token is made of (RFC 5652 SignedData, RFC
3161 TSTInfo) with a strict reader of tag-length-value, and checks:

- the token is SignedData over a TSTInfo (``id-ct-TSTInfo``);
- its message imprint is SHA-256 of exactly the expected bytes;
- the signed attributes' ``messageDigest`` is the digest of the TSTInfo;
- the signature over the signed attributes verifies with the public key of
  the certificate in the token that the signer names (issuer and serial),
  the signed attributes name that very certificate by its hash (ESS
  signing-certificate), and it is for time-stamping (extended key usage).

What it cannot check: whether that certificate belongs to a TSA anyone
should trust. That is for the port to establish (the TSA's published
certificate, its chain to a root the court accepts), so the result names
the certificate's subject and SHA-256 fingerprint for that comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

SEQUENCE, SET, INTEGER, OCTET_STRING, OID, GENERALIZED_TIME = 0x30, 0x31, 0x02, 0x04, 0x06, 0x18
CONTEXT_0 = 0xA0

SIGNED_DATA = "1.2.840.113549.1.7.2"
TST_INFO = "1.2.840.113549.1.9.16.1.4"
MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12"
SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"
SHA256 = "2.16.840.1.101.3.4.2.1"
DIGESTS = {SHA256: hashes.SHA256, "2.16.840.1.101.3.4.2.2": hashes.SHA384,
           "2.16.840.1.101.3.4.2.3": hashes.SHA512}
"""The digests a TSA may sign with (SHA-1 and MD5 are refused)."""


class TokenRefused(ValueError):
    """The token does not prove what it should; the message says why."""


@dataclass(frozen=True)
class TimestampProof:
    """What a token that verified says: when, by whom (as its certificate names it)."""

    gen_time: datetime
    tsa_subject: str
    tsa_fingerprint_sha256: str
    serial: int


@dataclass(frozen=True)
class _Node:
    tag: int
    content: bytes
    encoded: bytes

    def children(self) -> list["_Node"]:
        return read_all(self.content)


def _read(data: bytes, pos: int) -> tuple[_Node, int]:
    """One DER tag-length-value at ``pos`` and the position after it (single-byte tags, definite lengths)."""
    if pos + 2 > len(data):
        raise TokenRefused("the token is cut short")
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:
        raise TokenRefused("the token uses a tag form no time-stamp token has")
    at = pos + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or at + count > len(data):
            raise TokenRefused("the token has a length DER does not allow")
        length = int.from_bytes(data[at:at + count], "big")
        at += count
    if at + length > len(data):
        raise TokenRefused("the token is cut short")
    return _Node(tag, data[at:at + length], data[pos:at + length]), at + length


def read_all(data: bytes) -> list[_Node]:
    """Every DER value in ``data``, in order."""
    nodes, pos = [], 0
    while pos < len(data):
        node, pos = _read(data, pos)
        nodes.append(node)
    return nodes


def _one(data: bytes, tag: int, what: str) -> _Node:
    nodes = read_all(data)
    if len(nodes) != 1 or nodes[0].tag != tag:
        raise TokenRefused(f"{what} is not where a time-stamp token has it")
    return nodes[0]


def _expect(node: _Node, tag: int, what: str) -> _Node:
    if node.tag != tag:
        raise TokenRefused(f"{what} is not where a time-stamp token has it")
    return node


def oid_text(node: _Node) -> str:
    """The dotted form of an OBJECT IDENTIFIER."""
    content = _expect(node, OID, "an object identifier").content
    if not content:
        raise TokenRefused("an empty object identifier")
    arcs, value = [min(content[0] // 40, 2), content[0] - 40 * min(content[0] // 40, 2)], 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(map(str, arcs))


def verify_token(token: bytes, imprint: bytes) -> TimestampProof:
    """Check the DER ``token`` (a TimeStampToken: ContentInfo of SignedData) over SHA-256 ``imprint``.

    Returns what it proves; :class:`TokenRefused` naming the first thing that fails (a token
    damaged anywhere is refused, never a crash).
    """
    try:
        return _verify(token, imprint)
    except TokenRefused:
        raise
    except (ValueError, IndexError, TypeError, UnicodeDecodeError) as exc:
        raise TokenRefused(f"the token is damaged: {exc}") from None


def _verify(token: bytes, imprint: bytes) -> TimestampProof:
    content_info = _one(token, SEQUENCE, "the token").children()
    if len(content_info) != 2 or oid_text(content_info[0]) != SIGNED_DATA:
        raise TokenRefused("the token is not CMS SignedData")
    signed = _one(_expect(content_info[1], CONTEXT_0, "SignedData").content, SEQUENCE, "SignedData").children()
    if len(signed) < 4:
        raise TokenRefused("the token's SignedData is incomplete")
    encap = _expect(signed[2], SEQUENCE, "the signed content").children()
    if len(encap) != 2 or oid_text(encap[0]) != TST_INFO:
        raise TokenRefused("the token does not sign a TSTInfo (RFC 3161)")
    tst_der = _one(_expect(encap[1], CONTEXT_0, "the TSTInfo").content, OCTET_STRING, "the TSTInfo").content
    tst = _one(tst_der, SEQUENCE, "the TSTInfo").children()
    gen_time, serial = _check_imprint(tst, imprint)
    certificates = [n for n in signed[3:-1] if n.tag == CONTEXT_0]
    if not certificates:
        raise TokenRefused("the token carries no TSA certificate (it must be asked for with certReq)")
    infos = _expect(signed[-1], SET, "the signer infos").children()
    if len(infos) != 1:
        raise TokenRefused("the token must have exactly one signer")
    certificate = _check_signer(infos[0].children(), certificates[0].children(), tst_der)
    return TimestampProof(gen_time, certificate.subject.rfc4514_string(),
                          certificate.fingerprint(hashes.SHA256()).hex(), serial)


def _check_imprint(tst: list[_Node], imprint: bytes) -> tuple[datetime, int]:
    if len(tst) < 5:
        raise TokenRefused("the TSTInfo is incomplete")
    hashed = _expect(tst[2], SEQUENCE, "the message imprint").children()
    algorithm = _expect(hashed[0], SEQUENCE, "the imprint's algorithm").children() if hashed else []
    if len(hashed) != 2 or not algorithm or oid_text(algorithm[0]) != SHA256:
        raise TokenRefused("the token's imprint is not a SHA-256 digest")
    if _expect(hashed[1], OCTET_STRING, "the imprint").content != imprint:
        raise TokenRefused("the token is over other bytes than the chain head it is filed with")
    serial = int.from_bytes(_expect(tst[3], INTEGER, "the serial number").content, "big", signed=True)
    text = _expect(tst[4], GENERALIZED_TIME, "the time").content.decode("ascii", "replace")
    try:
        when = datetime.strptime(text.split(".")[0].rstrip("Z"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise TokenRefused(f"the token's time {text!r} is not a time") from None
    return when, serial


def _certificate(node: _Node) -> x509.Certificate:
    """A certificate in the token, or a refusal: a garbled one must not escape as a library error."""
    try:
        return x509.load_der_x509_certificate(node.encoded)
    except (ValueError, x509.InvalidVersion) as error:
        raise TokenRefused(f"a certificate in the token cannot be read ({error})") from None


def _check_signer(info: list[_Node], certs: list[_Node], tst_der: bytes) -> x509.Certificate:
    if len(info) < 6 or info[3].tag != CONTEXT_0:
        raise TokenRefused("the signer info has no signed attributes")
    sid = _expect(info[1], SEQUENCE, "the signer's issuer and serial").children()
    wanted = int.from_bytes(_expect(sid[-1], INTEGER, "the signer's serial").content, "big", signed=True) \
        if len(sid) == 2 else None
    certificate = next((c for c in (_certificate(n) for n in certs) if c.serial_number == wanted), None)
    if certificate is None:
        raise TokenRefused("the certificate the signer names is not in the token")
    digest_oid = oid_text(_expect(info[2], SEQUENCE, "the digest algorithm").children()[0])
    if digest_oid not in DIGESTS:
        raise TokenRefused("the token is signed with a digest lanebox does not accept")
    algorithm = DIGESTS[digest_oid]()
    attributes = {oid_text(a.children()[0]): a.children()[1].children() for a in info[3].children()}
    digest = attributes.get(MESSAGE_DIGEST)
    hasher = hashes.Hash(algorithm)
    hasher.update(tst_der)
    if not digest or digest[0].content != hasher.finalize():
        raise TokenRefused("the token's signed digest is not the digest of its TSTInfo")
    _check_bound(attributes, certificate)
    signed_attributes = bytes([SET]) + info[3].encoded[1:]  # signed as a SET (RFC 5652, 5.4)
    signature = _expect(info[5], OCTET_STRING, "the signature").content
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed_attributes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed_attributes, ec.ECDSA(algorithm))
        else:
            raise TokenRefused("the TSA's key is neither RSA nor EC")
    except InvalidSignature:
        raise TokenRefused("the token's signature does not verify with its TSA certificate") from None
    _check_time_stamping(certificate)
    return certificate


def _check_bound(attributes: dict[str, list[_Node]], certificate: x509.Certificate) -> None:
    """The signed ESS signing-certificate attribute (RFC 3161 2.4.1, RFC 5816) must name this very
    certificate by its hash: else the certificate (its name, its issuer) could be swapped unsigned."""
    if SIGNING_CERTIFICATE_V2 in attributes:
        ess = attributes[SIGNING_CERTIFICATE_V2][0].children()[0].children()[0].children()
        algorithm = DIGESTS[oid_text(ess[0].children()[0])]() if ess[0].tag == SEQUENCE else hashes.SHA256()
        cert_hash = ess[1] if ess[0].tag == SEQUENCE else ess[0]
    elif SIGNING_CERTIFICATE in attributes:  # version 1: SHA-1, as older TSAs still send
        cert_hash = attributes[SIGNING_CERTIFICATE][0].children()[0].children()[0].children()[0]
        algorithm = hashes.SHA1()
    else:
        raise TokenRefused("the token does not name its certificate in what is signed (ESS signing-certificate)")
    if _expect(cert_hash, OCTET_STRING, "the certificate's hash").content != certificate.fingerprint(algorithm):
        raise TokenRefused("the token's certificate is not the one its signer named")


def _check_time_stamping(certificate: x509.Certificate) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise TokenRefused("the token's certificate is not a time-stamping certificate")


def imprint_of(head_hash: str) -> bytes:
    """What a token over a chain head stamps: the head's SHA-256 itself (its 32 bytes)."""
    return bytes.fromhex(head_hash)
