#!/usr/bin/env python3
"""Mints an HS256 user access token for bench/http.sh (standard library only).

Usage: http_jwt.py SECRET SUB
Prints two lines: the token, then its claims as compact JSON (the same bytes
that are signed, which is what cscx passes to request.jwt.claims).
"""
import base64
import hashlib
import hmac
import json
import sys


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    secret, sub = sys.argv[1], sys.argv[2]
    header = {"alg": "HS256", "typ": "JWT"}
    # exp 2100-01-01, like the API keys; iat fixed so the token is the same
    # on every run.
    claims = {"sub": sub, "role": "authenticated", "aud": "authenticated",
              "iat": 1735689600, "exp": 4102444800}
    claims_json = json.dumps(claims, separators=(",", ":"))
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode())
                     + "." + b64url(claims_json.encode()))
    sig = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    print(signing_input + "." + b64url(sig))
    print(claims_json)


if __name__ == "__main__":
    main()
