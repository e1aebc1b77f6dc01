#!/usr/bin/env python3
"""Computes the independent SDK-HMAC-SHA256 vectors of the sign and
sigcheck tests from the documented algorithm, with Python's hashlib and hmac
only (no Go code). Run: python3 sign/testdata/vectors.py"""
import hashlib
import hmac
from urllib.parse import unquote_to_bytes

UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
DATE = "20250101T000000Z"


def encode(b):
    return "".join(chr(c) if c in UNRESERVED else "%%%02X" % c for c in b)


def canonical_uri(escaped_path):
    # The decoded path, split at '/': an escaped slash separates segments.
    p = "/".join(encode(s) for s in unquote_to_bytes(escaped_path).split(b"/"))
    return p if p.endswith("/") else p + "/"


def canonical_query(raw):
    pairs = []
    for part in raw.split("&"):
        if part:
            k, _, v = part.partition("=")
            pairs.append((unquote_to_bytes(k.replace("+", " ")), unquote_to_bytes(v.replace("+", " "))))
    return "&".join(encode(k) + "=" + encode(v) for k, v in sorted(pairs))


def sign(sk, method, escaped_path, raw_query, headers, body=b"", body_hash=None):
    hs = sorted((k.lower(), v.strip()) for k, v in headers.items())
    canonical = "\n".join([
        method,
        canonical_uri(escaped_path),
        canonical_query(raw_query),
        "".join(k + ":" + v + "\n" for k, v in hs),
        ";".join(k for k, _ in hs),
        body_hash or hashlib.sha256(body).hexdigest(),
    ])
    string_to_sign = "SDK-HMAC-SHA256\n" + DATE + "\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(sk.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


H = {"host": "h.example.com", "x-sdk-date": DATE}
print("escaped path and query",
      sign("SecretKey", "GET", "/v5/p/image/image-sync/tasks/%E4%BB%BB%E5%8A%A1:1/registries", "b=2&name=my+reg%2f%C3%BC&a&b=1", H))
print("JSON body", sign("SecretKey", "POST", "/x", "", H, b'{"a":1}'))
print("unsigned payload", sign("SecretKey", "PUT", "/v1/objects/big", "",
      dict(H, **{"x-sdk-content-sha256": "UNSIGNED-PAYLOAD"}), b"ignored", "UNSIGNED-PAYLOAD"))
print("escaped slash", sign("SecretKey", "GET", "/v5/p/tasks/a%2Fb/registries", "", H))
print("temporary key", sign("sk-Full/Vector+Secret=1", "POST",
      "/v5/0123456789abcdef0123456789abcdef/image/image-sync/tasks/t%20%2B1%40%E5%90%8D/run",
      "q=a%3Db%26c&q=&plus=1%2B1&space=a+b&z&uni=%C3%BC&%E9%94%AE=v",
      {"host": "hss.cn-north-4.myhuaweicloud.com", "x-sdk-date": DATE,
       "x-project-id": "0123456789abcdef0123456789abcdef", "x-security-token": "security-token-value"},
      '{"name":"任务 1","registries":["a+b","c&d"]}'.encode()))
print("ExampleRequest", sign("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", "GET",
      "/v5/0123456789abcdef0123456789abcdef/image/image-sync/tasks/task-1/registries", "limit=20",
      {"host": "hss.cn-north-4.myhuaweicloud.com", "x-project-id": "0123456789abcdef0123456789abcdef", "x-sdk-date": DATE}))
# A header sent on several lines ("  a " and "b  c") is one value to the
# server: the lines, trimmed, joined by ','.
print("repeated header", sign("SecretKey", "GET", "/x", "", dict(H, **{"x-list": "a,b  c"})))
# net/http sends an IPv6 host without its zone.
print("IPv6 host", sign("SecretKey", "GET", "/x", "", {"host": "[fe80::1]:8080", "x-sdk-date": DATE}))
