"""Signs a regulator in at argv[1] with e-mail argv[2], password argv[3]
and a TOTP code (RFC 6238: SHA-1, 30 s, 6 digits) made from the base32
secret argv[4] that `meldeplikt create-regulator` printed; prints the
access token (for .ci/fuzz, so that the fuzzer reaches the back office)."""

import base64
import hashlib
import hmac
import json
import struct
import sys
import time
import urllib.request

BASE, EMAIL, PASSWORD, SECRET = sys.argv[1:5]


def code(secret: str, at: float) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


body = {"grant_type": "password", "username": EMAIL, "password": PASSWORD, "totp": code(SECRET, time.time())}
request = urllib.request.Request(
    BASE + "/v1/auth/token",
    data=json.dumps(body).encode(),
    method="POST",
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(request, timeout=10) as response:
    print(json.load(response)["access_token"])
