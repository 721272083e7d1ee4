#!/usr/bin/env python3
"""An independent SEV guest owner and chain checker, written from the spec
with python3-cryptography only (no swsev code).

  sev_owner.py session PDH_CERT POLICY PREFIX   -> PREFIX_{godh,session}.b64, _{tek,tik}.bin
  sev_owner.py measure PREFIX POLICY API_MAJ API_MIN BUILD IMAGE MEASURE_BLOB  (exit 0 on match)
  sev_owner.py secret PREFIX MEASURE_BLOB SECRET_FILE OUT_PREFIX
  sev_owner.py chain DIR OUT_DIR   verify PEK/OCA/PDH ECDSA and CEK<-ASK RSA-PSS, write
                                   PEM/DER pieces for an openssl cross-check
"""
import base64
import hashlib
import hmac
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CERT_LEN = 0x824


def le(b):
    return int.from_bytes(b, "little")


def ec_pub(cert):
    curve, = struct.unpack_from("<I", cert, 0x10)
    assert curve == 2, "not P-384"
    x, y = le(cert[0x14:0x14 + 48]), le(cert[0x5C:0x5C + 48])
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP384R1()).public_key()


def kdf(key, label, context, bits):
    out, i = b"", 1
    while len(out) * 8 < bits:
        msg = struct.pack("<I", i) + label + b"\0" + context + struct.pack("<I", bits)
        out += hmac.new(key, msg, hashlib.sha256).digest()
        i += 1
    return out[: bits // 8]


def ctr(key, iv, data):
    e = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return e.update(data) + e.finalize()


def session(pdh_path, policy, prefix):
    pdh = open(pdh_path, "rb").read()
    assert len(pdh) == CERT_LEN and struct.unpack_from("<I", pdh, 8)[0] == 0x1003
    mine = ec.generate_private_key(ec.SECP384R1())
    z = mine.exchange(ec.ECDH(), ec_pub(pdh))  # x-coordinate, big-endian, 48 bytes
    nonce, iv, tek, tik = (os.urandom(16) for _ in range(4))
    master = kdf(z, b"sev-master-secret", nonce, 128)
    kek, kik = kdf(master, b"sev-kek", b"", 128), kdf(master, b"sev-kik", b"", 128)
    wrap_tk = ctr(kek, iv, tek + tik)
    wrap_mac = hmac.new(kik, wrap_tk, hashlib.sha256).digest()
    policy_mac = hmac.new(tik, struct.pack("<I", policy), hashlib.sha256).digest()
    blob = nonce + wrap_tk + iv + wrap_mac + policy_mac
    pub = mine.public_key().public_numbers()
    cert = bytearray(CERT_LEN)
    struct.pack_into("<IBBHII", cert, 0, 1, 0, 0, 0, 0x1003, 0x3)
    struct.pack_into("<I", cert, 0x10, 2)
    cert[0x14:0x14 + 48] = pub.x.to_bytes(48, "little")
    cert[0x5C:0x5C + 48] = pub.y.to_bytes(48, "little")
    struct.pack_into("<II", cert, 0x414, 0x1000, 0)
    struct.pack_into("<II", cert, 0x61C, 0x1000, 0)
    open(prefix + "_godh.b64", "w").write(base64.b64encode(bytes(cert)).decode() + "\n")
    open(prefix + "_session.b64", "w").write(base64.b64encode(blob).decode() + "\n")
    open(prefix + "_tek.bin", "wb").write(tek)
    open(prefix + "_tik.bin", "wb").write(tik)


def expected_measure(tik, api_maj, api_min, build, policy, digest, mnonce):
    msg = bytes([0x04, api_maj, api_min, build]) + struct.pack("<I", policy) + digest + mnonce
    return hmac.new(tik, msg, hashlib.sha256).digest()


def measure(prefix, policy, api_maj, api_min, build, image, blob_path):
    tik = open(prefix + "_tik.bin", "rb").read()
    blob = open(blob_path, "rb").read()
    digest = hashlib.sha256(open(image, "rb").read()).digest()
    want = expected_measure(tik, api_maj, api_min, build, policy, digest, blob[32:48])
    return hmac.compare_digest(want, blob[:32])


def secret(prefix, blob_path, secret_path, out):
    tek = open(prefix + "_tek.bin", "rb").read()
    tik = open(prefix + "_tik.bin", "rb").read()
    measure_value = open(blob_path, "rb").read()[:32]
    data = open(secret_path, "rb").read()
    data += b"\0" * (-len(data) % 16)
    iv = os.urandom(16)
    ct = ctr(tek, iv, data)
    n = struct.pack("<I", len(data))
    mac = hmac.new(tik, b"\x01" + struct.pack("<I", 0) + iv + n + n + ct + measure_value,
                   hashlib.sha256).digest()
    open(out + "_header.bin", "wb").write(struct.pack("<I", 0) + iv + mac)
    open(out + "_payload.bin", "wb").write(ct)


def ecdsa_ok(signer_cert, cert):
    usage, = struct.unpack_from("<I", signer_cert, 8)
    for slot in (0x414, 0x61C):
        su, algo = struct.unpack_from("<II", cert, slot)
        if su != usage:
            continue
        r, s = le(cert[slot + 8: slot + 8 + 72]), le(cert[slot + 80: slot + 80 + 72])
        h = hashes.SHA384() if algo & 0x100 else hashes.SHA256()
        ec_pub(signer_cert).verify(encode_dss_signature(r, s), cert[:0x414], ec.ECDSA(h))
        return True
    raise AssertionError("no signature by usage 0x%x" % usage)


def amd_pub(c):
    bits, = struct.unpack_from("<I", c, 0x3C)
    n = bits // 8
    e, m = le(c[0x40:0x40 + n]), le(c[0x40 + n:0x40 + 2 * n])
    return rsa.RSAPublicNumbers(e, m).public_key(), n


def chain(d, out):
    rd = lambda n: open(os.path.join(d, n), "rb").read()
    ark, ask, cek, oca, pek, pdh = (rd(n + ".cert") for n in ("ark", "ask", "cek", "oca", "pek", "pdh"))
    ecdsa_ok(oca, oca)
    ecdsa_ok(oca, pek)
    ecdsa_ok(cek, pek)
    ecdsa_ok(pek, pdh)
    ask_pub, n = amd_pub(ask)
    su, algo = struct.unpack_from("<II", cek, 0x414)
    assert su == 0x13, "CEK not signed by an ASK"
    h = hashes.SHA384() if algo & 0x100 else hashes.SHA256()
    sig = cek[0x41C:0x41C + n][::-1]
    ask_pub.verify(sig, cek[:0x414], padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
    # Pieces for openssl: the ARK's key, the ASK's signed bytes and signature.
    ark_pub, n = amd_pub(ark)
    open(os.path.join(out, "ark_pub.pem"), "wb").write(
        ark_pub.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    open(os.path.join(out, "ask_body.bin"), "wb").write(ask[:0x40 + 2 * n])
    open(os.path.join(out, "ask_sig.bin"), "wb").write(ask[0x40 + 2 * n:0x40 + 3 * n][::-1])


def main(a):
    if a[0] == "session":
        session(a[1], int(a[2], 0), a[3])
    elif a[0] == "measure":
        return 0 if measure(a[1], int(a[2], 0), int(a[3]), int(a[4]), int(a[5]), a[6], a[7]) else 1
    elif a[0] == "secret":
        secret(a[1], a[2], a[3], a[4])
    elif a[0] == "chain":
        chain(a[1], a[2])
    else:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
