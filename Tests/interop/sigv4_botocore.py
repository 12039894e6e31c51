"""Writes SigV4 test cases signed by botocore (the oracle for CubeStorageS3's signer).

usage: python sigv4_botocore.py --seed N --count M --out cases.json

Each case holds a request as the Swift signer takes it (method, raw key, raw query pairs, headers,
body text, credentials, region, date) and botocore's signature and canonical request for it. The
Swift test SigV4CrossCheckTests signs every case and fails on any difference. Random parts: keys and
query values with spaces, '+', '=', '%', '&', '/', '~', non-ASCII letters and emoji, empty values,
valueless parameters (?uploads), repeated names, header values with runs of white space, session
tokens. Not collected by pytest (its name does not start with test_).
"""
import argparse
import datetime
import hashlib
import json
import random
import string
from unittest import mock
from urllib.parse import quote

import botocore.auth
import botocore.credentials
from botocore.awsrequest import AWSRequest

AWKWARD = [" ", "+", "=", "%", "&", "/", "~", "-", "_", ".", "*", "'", "(", ")", "!", "$", ",", ";", ":", "@",
           "é", "ß", "日本", "€", "🙂", "\u00a0"]


def text(rng, low=0, high=12, slash=True):
    alphabet = list(string.ascii_letters + string.digits) + AWKWARD
    if not slash:
        alphabet.remove("/")
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def header_value(rng):
    words = ["".join(rng.choice(string.ascii_letters + string.digits + "-_.:/=+;,") for _ in range(rng.randint(0, 8)))
             for _ in range(rng.randint(1, 4))]
    gaps = [rng.choice([" ", "  ", "   ", "\t", " \t "]) for _ in words]
    value = "".join(w + g for w, g in zip(words, gaps)).strip(" \t")
    return rng.choice(["", " ", "  "]) + value + rng.choice(["", " ", "  "])


def make_case(rng, index):
    method = rng.choice(["GET", "PUT", "HEAD", "DELETE", "POST"])
    key = "/".join(text(rng, 1, 10, slash=False) for _ in range(rng.randint(1, 4)))
    query = []
    for _ in range(rng.randint(0, 5)):
        name = rng.choice(["uploads", "uploadId", "partNumber", "prefix", "list-type", "continuation-token",
                           "max-keys", "delete", "x-id", text(rng, 1, 6, slash=True)])
        value = "" if rng.random() < 0.3 else text(rng, 0, 14)
        query.append([name, value])
    if rng.random() < 0.15:
        query = [["uploads", ""]]
    headers = [["host", rng.choice(["127.0.0.1:8333", "examplebucket.s3.amazonaws.com", "localhost:9000"])]]
    for name in rng.sample(["range", "content-md5", "content-type", "if-none-match", "x-amz-meta-note",
                            "x-amz-storage-class", "X-Amz-Meta-Mixed-Case", "cache-control"], rng.randint(0, 4)):
        headers.append([name, header_value(rng)])
    body = "" if method in ("GET", "HEAD", "DELETE") else text(rng, 0, 40)
    token = None if rng.random() < 0.6 else "".join(rng.choice(string.ascii_letters + "+/=") for _ in range(40))
    credentials = {"access_key": "AKID" + "".join(rng.choice(string.ascii_uppercase) for _ in range(12)),
                   "secret_key": "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(40)),
                   "token": token}
    region = rng.choice(["us-east-1", "eu-central-1", "ap-southeast-2", "local"])
    seconds = rng.randint(1_300_000_000, 2_000_000_000)
    date = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return sign({"name": f"random-{index}", "method": method, "key": key, "query": query, "headers": headers,
                 "body": body, "credentials": credentials, "region": region, "epoch_seconds": seconds}, date)


def sign(case, date):
    path = "/" + quote(case["key"], safe="/-_.~")
    query = "&".join(quote(n, safe="-_.~") + "=" + quote(v, safe="-_.~") for n, v in case["query"])
    url = f"http://{dict(case['headers'])['host']}{path}" + (f"?{query}" if query else "")
    request = AWSRequest(method=case["method"], url=url, data=case["body"].encode("utf-8"),
                         headers={n: v for n, v in case["headers"]})
    c = case["credentials"]
    auth = botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(c["access_key"], c["secret_key"], c["token"]),
                                     "s3", case["region"])
    with mock.patch("botocore.auth.get_current_datetime", return_value=date.replace(tzinfo=None)):
        auth.add_auth(request)
    authorization = request.headers["Authorization"]
    case["expected_signature"] = authorization.rsplit("Signature=", 1)[1]
    case["expected_authorization"] = authorization
    case["expected_payload_hash"] = hashlib.sha256(case["body"].encode("utf-8")).hexdigest()
    return case


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = [make_case(rng, i) for i in range(args.count)]
    # AWS's documented example (GET /test.txt, Range bytes=0-9) through the same path: the oracle must reproduce it.
    example = sign({"name": "aws-example-get-object", "method": "GET", "key": "test.txt", "query": [],
                    "headers": [["host", "examplebucket.s3.amazonaws.com"], ["range", "bytes=0-9"]], "body": "",
                    "credentials": {"access_key": "AKIAIOSFODNN7EXAMPLE",
                                    "secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "token": None},
                    "region": "us-east-1", "epoch_seconds": 1369353600},
                   datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc))
    assert example["expected_signature"] == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", example
    cases.insert(0, example)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(json.dumps({"seed": args.seed, "botocore": botocore.__version__, "cases": []})[:-2] + "\n")
        f.write(",\n".join(json.dumps(case, ensure_ascii=False) for case in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} botocore-signed cases (seed {args.seed}) to {args.out}")


if __name__ == "__main__":
    main()
