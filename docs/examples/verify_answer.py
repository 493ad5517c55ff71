#!/usr/bin/env python3
"""Checks idgate answer signatures the way a relying party does (docs/CLIENTS.md, "Signed answers").

Independent of the gateway's code: Python's standard hashlib and the `cryptography` package's Ed25519.

    verify_answer.py KEYS.json BODY_FILE 'x-idgate-signature value'

KEYS.json is the document of GET /.well-known/idgate-signing-keys. Exit 0 and "valid" when the signature covers
the body's exact bytes; exit 1 and "invalid" otherwise. With --json, reads [{"body", "signature"}] and the key
document as {"keys": ..., "answers": [...]} on stdin and prints a list of booleans.
"""
import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ROOT_PREFIX = b"idgate-merkle-v1:"


def fields(value):
    pairs = {}
    for part in value.split(";"):
        name, _, rest = part.strip().partition("=")
        pairs[name] = rest
    return pairs


def walk(node, index, count, path):
    """From a node at `index` of `count` up to the root with the sibling hashes in `path`; None if malformed."""
    if not 0 <= index < count or len(path) % 32:
        return None
    siblings = [path[i:i + 32] for i in range(0, len(path), 32)]
    while count > 1:
        if index % 2 == 1:
            if not siblings:
                return None
            node = hashlib.sha256(b"\x01" + siblings.pop(0) + node).digest()
        elif index + 1 < count:
            if not siblings:
                return None
            node = hashlib.sha256(b"\x01" + node + siblings.pop(0)).digest()
        index //= 2
        count = (count + 1) // 2
    return node if not siblings else None


def merkle_root(leaves):
    """Root of the tree over `leaves`: pairs hashed level by level, an unpaired last node moves up unchanged."""
    while len(leaves) > 1:
        leaves = [hashlib.sha256(b"\x01" + leaves[i] + leaves[i + 1]).digest() if i + 1 < len(leaves) else leaves[i]
                  for i in range(0, len(leaves), 2)]
    return leaves[0]


def position(pairs):
    index, _, count = pairs["leaf"].partition("/")
    return int(index), int(count), base64.b64decode(pairs.get("path", ""))


def verify(keys, body, signature):
    pairs = fields(signature)
    key = next((k for k in keys["keys"] if k["kid"] == pairs.get("keyid")), None)
    if key is None or "sig" not in pairs:
        return False
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["publicKey"]))
    if "leaf" in pairs:
        node = hashlib.sha256(b"\x00" + body).digest()
        if "leaves" in pairs:
            # An answer grouped with others of its connection: its leaf is one of the listed ones, and the list's
            # root is the group's leaf in the signed tree.
            listed = base64.b64decode(pairs["leaves"])
            leaves = [listed[i:i + 32] for i in range(0, len(listed), 32)]
            if len(listed) % 32 or len(leaves) < 2 or node not in leaves:
                return False
            node = merkle_root(leaves)
        node = walk(node, *position(pairs))
        if node is None:
            return False
        message = ROOT_PREFIX + node
    elif "leaves" not in pairs:
        message = body
    else:
        return False
    try:
        public_key.verify(base64.b64decode(pairs["sig"]), message)
        return True
    except (InvalidSignature, ValueError):
        return False


def main():
    if sys.argv[1:2] == ["--json"]:
        request = json.load(sys.stdin)
        json.dump([verify(request["keys"], a["body"].encode(), a["signature"])
                   for a in request["answers"]], sys.stdout)
        return 0
    keys = json.load(open(sys.argv[1]))
    body = open(sys.argv[2], "rb").read()
    valid = verify(keys, body, sys.argv[3])
    print("valid" if valid else "invalid")
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
