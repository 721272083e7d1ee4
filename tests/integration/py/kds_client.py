#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The client side of tests/integration/kds.sh, independent of swsev and of
the openssl command: HTTP through urllib, http.client and raw sockets, and
certificate checks with python3-cryptography (RSASSA-PSS, SHA-384, MGF1
SHA-384, salt 48, as AMD's chain is signed).

  get URL OUT                  fetch; print "STATUS CONTENT-TYPE"
  head URL                     HEAD; print "STATUS CONTENT-LENGTH BODY-BYTES"
  raw PORT CASE                a malformed or hostile request; print the
                               status line or "none"
  split CHAIN A B              the two PEM certificates of a cert_chain
  info CERT                    "HWID QUERY PRODUCT CN" of a VCEK (DER or PEM)
  verify ISSUER CERT           CERT is signed by ISSUER's key (PSS-SHA384, 48)
  tamper ISSUER CERT           one flipped TBS byte no longer verifies
  same-tbs A B                 A and B differ in their PSS signatures only
  differ-key A B               A and B certify different keys
  crl ARK CRL                  the CRL is the ARK's, signed by it, empty
"""
import http.client
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

# AMD's VCEKs (and ours) have serial number 0, which RFC 5280 disallows.
warnings.filterwarnings("ignore", message=".*serial number.*")

AMD = "1.3.6.1.4.1.3704.1."
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48)


def die(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def load(path):
    data = open(path, "rb").read()
    if data.startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def get(url, out):
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            code, ctype, data = r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        code, ctype, data = e.code, e.headers.get("Content-Type"), e.read()
    open(out, "wb").write(data)
    print(code, ctype)


def head(url):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request("HEAD", u.path + ("?" + u.query if u.query else ""))
    r = c.getresponse()
    body = r.read()
    print(r.status, r.getheader("Content-Length"), len(body))


def raw(port, case):
    requests = {
        "garbage": b"garbage\r\n\r\n",
        "nul": b"GET /vcek/v1/Milan/crl\x00 HTTP/1.1\r\n\r\n",
        "no-version": b"GET /vcek/v1/Milan/crl\r\n\r\n",
        "http2": b"GET /vcek/v1/Milan/crl HTTP/2.0\r\n\r\n",
        "post": b"POST /vcek/v1/Milan/crl HTTP/1.1\r\nHost: x\r\n\r\n",
        "bad-header": b"GET /vcek/v1/Milan/crl HTTP/1.1\r\nno colon here\r\n\r\n",
        "relative": b"GET vcek/v1/Milan/crl HTTP/1.1\r\n\r\n",
        "oversized": b"GET /vcek/v1/Milan/crl HTTP/1.1\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n",
        "half": b"GET /vcek/v1/Milan/crl HTTP/1.1\r\n",
        "slow": b"GET /vcek/v1/Mil",
        "silent": b"",
        "ok": b"GET /vcek/v1/Milan/crl HTTP/1.1\r\nHost: x\r\n\r\n",
    }
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
    try:
        s.sendall(requests[case])
        if case == "half":  # then hang up
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the server may answer and close before it has read it all
    resp = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            resp += b
    except OSError:
        pass
    s.close()
    print(resp.split(b"\r\n", 1)[0].decode(errors="replace") if resp else "none")


def split(chain, a, b):
    data = open(chain, "rb").read()
    certs = x509.load_pem_x509_certificates(data)
    if len(certs) != 2:
        die(f"{chain}: {len(certs)} certificates, expected 2")
    for c, out in zip(certs, (a, b)):
        open(out, "wb").write(c.public_bytes(serialization.Encoding.PEM))


def der_int(v):
    if v[0] != 0x02 or v[1] != len(v) - 2:
        die(f"not a DER INTEGER: {v.hex()}")
    return int.from_bytes(v[2:], "big", signed=True)


def ext(cert, oid):
    for e in cert.extensions:
        if e.oid.dotted_string == AMD + oid:
            return e.value.value
    return None


def info(path):
    c = load(path)
    hwid = ext(c, "4")
    names = [("blSPL", "3.1"), ("teeSPL", "3.2"), ("snpSPL", "3.3"), ("ucodeSPL", "3.8")]
    if ext(c, "3.9") is not None:
        names.append(("fmcSPL", "3.9"))
    query = "&".join(f"{n}={der_int(ext(c, o))}" for n, o in names)
    product = ext(c, "2")
    if product[0] != 0x16:
        die("productName1 is not an IA5String")
    cn = c.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    print(hwid.hex(), query, product[2:].decode(), cn)


def pss_verify(issuer, cert):
    params = cert.signature_algorithm_parameters
    if not isinstance(params, padding.PSS) or cert.signature_hash_algorithm.name != "sha384":
        die("not RSASSA-PSS with SHA-384")
    issuer.public_key().verify(cert.signature, cert.tbs_certificate_bytes, PSS, hashes.SHA384())


def verify(issuer, cert):
    try:
        pss_verify(load(issuer), load(cert))
    except InvalidSignature:
        die(f"{cert} is not signed by {issuer}")
    print("verified")


def tamper(issuer, cert):
    i, c = load(issuer), load(cert)
    tbs = bytearray(c.tbs_certificate_bytes)
    for pos in (10, len(tbs) // 2, len(tbs) - 3):
        tbs[pos] ^= 1
        try:
            i.public_key().verify(c.signature, bytes(tbs), PSS, hashes.SHA384())
            die(f"{cert} still verifies with TBS byte {pos} flipped")
        except InvalidSignature:
            pass
        tbs[pos] ^= 1
    print("refused")


def same_tbs(a, b):
    ca, cb = load(a), load(b)
    if ca.tbs_certificate_bytes != cb.tbs_certificate_bytes:
        die(f"{a} and {b} differ in what they sign")
    print("same")


def differ_key(a, b):
    enc, fmt = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if load(a).public_key().public_bytes(enc, fmt) == load(b).public_key().public_bytes(enc, fmt):
        die(f"{a} and {b} certify the same key")
    print("different")


def crl(ark, path):
    a = load(ark)
    data = open(path, "rb").read()
    c = x509.load_der_x509_crl(data)
    if c.issuer != a.subject:
        die("the CRL's issuer is not the ARK")
    if len(list(c)) != 0:
        die("the CRL revokes something")
    try:
        a.public_key().verify(c.signature, c.tbs_certlist_bytes, PSS, hashes.SHA384())
    except InvalidSignature:
        die("the CRL is not signed by the ARK")
    print("crl ok")


def main():
    cmds = {"get": get, "head": head, "raw": raw, "split": split, "info": info, "verify": verify,
            "tamper": tamper, "same-tbs": same_tbs, "differ-key": differ_key, "crl": crl}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        die(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
