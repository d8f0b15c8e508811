#!/usr/bin/env python3
"""Generate the example credentials that rules/*.yml use as examples.

Every key in a rule example is made here from the published format (prefix,
length, alphabet, marker, checksum) with random bodies; none is a real key.
The generator is seeded, so running it again prints exactly the keys that
sit in the rule files:

    scripts/generate-rule-examples.py                 # every rule
    scripts/generate-rule-examples.py github.         # rules whose id starts with "github."
    scripts/generate-rule-examples.py --seed 7 aws.   # fresh keys for new examples

Each rule draws from its own random stream (seeded with seed + rule id), so
adding a rule does not change the keys of the others. Random parts are
redrawn while they contain a word the scanner treats as a placeholder
("xxxx", "example", "your", "test", ...) or a run of five identical
characters; a fixed marker of the format may still carry one (the Azure AI
Services code "AAAAACOG").

Formats follow ../shared/reference/providers.md, Part A. Python 3 standard
library only.
"""
import argparse
import base64
import json
import random
import re
import signal
import string
import sys
import zlib

DEFAULT_SEED = 20251120

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = UPPER + LOWER + DIGITS
BASE62 = DIGITS + UPPER + LOWER          # GitHub's checksum alphabet, in this order
URLSAFE = ALNUM + "_-"
BASE64 = ALNUM + "+/"
HEX = "0123456789abcdef"
BASE32 = UPPER + "234567"
LOWER_ALNUM = LOWER + DIGITS
ENTRA = ALNUM + "_~.-"

# What Sources/KeyLedger/Matching/PlaceholderFilter.swift drops, plus a few words a reader would doubt.
PLACEHOLDER_WORDS = ("xxxx", "****", "...", "${", "{{", "<", ">", "%s", "example", "your", "dummy",
                     "fake", "sample", "test", "redacted", "changeme", "placeholder", "replace", "insert",
                     "000000", "abcdefgh", "12345678")
FIXED_MARKERS = ("AAAAACOG",)             # part of the format, not a placeholder
REPEATED_RUN = re.compile(r"(.)\1{4}", re.DOTALL)
PEM_ARMOR = re.compile(r"-----(?:BEGIN|END) [A-Z ]+-----")


def without_markers(text):
    """The text minus PEM armor lines and fixed format markers, which legitimately repeat characters."""
    lines = [line for line in text.splitlines() if not PEM_ARMOR.fullmatch(line.strip())]
    text = "\n".join(lines)
    for marker in FIXED_MARKERS:
        text = text.replace(marker, "|")
    return text


def reads_as_placeholder(text):
    """True when the scanner would drop the value as a placeholder (ignoring PEM armor and fixed markers)."""
    text = without_markers(text.replace("\\n", "\n"))
    lowered = text.lower()
    return any(word in lowered for word in PLACEHOLDER_WORDS) or REPEATED_RUN.search(text) is not None


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64(data):
    return base64.b64encode(data).decode()


class Draw:
    """Random parts for one rule, redrawn until they read as random."""

    def __init__(self, seed, rule_id):
        self.rng = random.Random(f"{seed}:{rule_id}")

    def clean(self, make):
        """Calls make() until its result is free of placeholder words and long runs."""
        while True:
            value = make()
            if not reads_as_placeholder(value):
                return value

    def chars(self, alphabet, count):
        return self.clean(lambda: "".join(self.rng.choice(alphabet) for _ in range(count)))

    def digits(self, count):
        return self.rng.choice("123456789") + self.chars(DIGITS, count - 1)

    def raw(self, count):
        return bytes(self.rng.getrandbits(8) for _ in range(count))

    def uuid4(self):
        def make():
            value = bytearray(self.raw(16))
            value[6] = (value[6] & 0x0F) | 0x40
            value[8] = (value[8] & 0x3F) | 0x80
            h = value.hex()
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return self.clean(make)


# --- formats -----------------------------------------------------------------

def openai_key(d, prefix, half):
    """prefix + half + "T3BlbkFJ" (base64 "OpenAI") + half; observed keys end in "A"."""
    return d.clean(lambda: prefix + d.chars(URLSAFE, half) + "T3BlbkFJ" + d.chars(URLSAFE, half - 1) + "A")


def openai_legacy(d):
    return "sk-" + d.chars(ALNUM, 20) + "T3BlbkFJ" + d.chars(ALNUM, 20)


def anthropic_key(d, prefix):
    """prefix + 93 url-safe characters + "AA"."""
    return d.clean(lambda: prefix + d.chars(URLSAFE, 93) + "AA")


def github_token(d, prefix, checksum_ok=True):
    """prefix + 30 random base62 + base62(crc32(random part)) left-padded with '0' to 6."""
    def make():
        body = d.chars(ALNUM, 30)
        crc = zlib.crc32(body.encode())
        if not checksum_ok:
            crc ^= 0x5A5A5A5A
        digits = ""
        while crc:
            crc, r = divmod(crc, 62)
            digits = BASE62[r] + digits
        return prefix + body + digits.rjust(6, "0")
    return d.clean(make)


def aws_key_id(d, prefix, account):
    """prefix + base32 of 10 bytes whose first 6 carry the account: 1 | account(40 bits) | 7 random bits."""
    def make():
        z = (1 << 47) | (account << 7) | d.rng.getrandbits(7)
        data = z.to_bytes(6, "big") + d.raw(4)
        return prefix + base64.b32encode(data).decode()
    return d.clean(make)


def aws_account(d):
    return int(d.digits(12))


def aws_secret(d):
    return d.chars(BASE64, 40)


def aws_session_token(d, length=356):
    return "IQoJb3JpZ2luX2Vj" + d.chars(BASE64, length)


def bedrock_long_term(d, account, padded=True):
    """"ABSK" + base64("BedrockAPIKey-<4>-at-<account>:" + base64(44 random bytes))."""
    def make():
        decoded = (f"BedrockAPIKey-{d.chars(LOWER_ALNUM, 4)}-at-{account:012d}:"
                   + b64(d.raw(44)))
        key = "ABSK" + b64(decoded.encode())
        return key if padded else key.rstrip("=")
    return d.clean(make)


def bedrock_short_term(d, account, region, stamp):
    """"bedrock-api-key-" + base64 of a presigned CallWithBearerToken URL, Version=1."""
    def make():
        key_id = aws_key_id(d, "ASIA", account)
        token = aws_session_token(d).replace("+", "%2B").replace("/", "%2F") + "%3D%3D"
        url = ("bedrock.amazonaws.com/?Action=CallWithBearerToken"
               "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
               f"&X-Amz-Credential={key_id}%2F{stamp[:8]}%2F{region}%2Fbedrock%2Faws4_request"
               f"&X-Amz-Date={stamp}&X-Amz-Expires=43200"
               f"&X-Amz-Security-Token={token}"
               f"&X-Amz-Signature={d.chars(HEX, 64)}&Version=1")
        return "bedrock-api-key-" + b64(url.encode())
    return d.clean(make)


def azure_identifiable(d, provider_code):
    """52 base62 + "JQQJ99" + 1 + [A-L] + 12 + provider code (AAABACOG / AAAAACOG) + 4."""
    return d.clean(lambda: d.chars(ALNUM, 52) + "JQQJ99" + d.rng.choice("ABC") + d.rng.choice("ABCDEFGHIJKL")
                   + d.chars(ALNUM, 12) + provider_code + d.chars(ALNUM, 4))


def entra_secret(d):
    """3 characters + digit (7 or 8) + "Q~" + 34, alphabet [A-Za-z0-9_~.-]."""
    def make():
        return (d.chars(ALNUM + "_~.", 3) + d.rng.choice("78") + "Q~" + d.chars(ENTRA, 34))
    return d.clean(make)


def jwt(d, payload, kid_bytes=32, signature_bytes=256):
    def make():
        header = {"alg": "RS256", "kid": b64url(d.raw(kid_bytes))}
        encode = lambda obj: b64url(json.dumps(obj, separators=(",", ":")).encode())
        return f"{encode(header)}.{encode(payload)}.{b64url(d.raw(signature_bytes))}"
    return d.clean(make)


def k8s_legacy_claims(d, namespace, account, secret_suffix):
    return {
        "iss": "kubernetes/serviceaccount",
        "kubernetes.io/serviceaccount/namespace": namespace,
        "kubernetes.io/serviceaccount/secret.name": f"{account}-token-{secret_suffix}",
        "kubernetes.io/serviceaccount/service-account.name": account,
        "kubernetes.io/serviceaccount/service-account.uid": d.uuid4(),
        "sub": f"system:serviceaccount:{namespace}:{account}",
    }


def k8s_bound_claims(d, issuer, namespace, account, pod, issued_at):
    return {
        "aud": ["https://kubernetes.default.svc"],
        "exp": issued_at + 31536000,
        "iat": issued_at,
        "iss": issuer,
        "kubernetes.io": {
            "namespace": namespace,
            "pod": {"name": pod, "uid": d.uuid4()},
            "serviceaccount": {"name": account, "uid": d.uuid4()},
            "warnafter": issued_at + 3607,
        },
        "nbf": issued_at,
        "sub": f"system:serviceaccount:{namespace}:{account}",
    }


def docker_auth(d, user, password_length=24):
    return d.clean(lambda: b64(f"{user}:{d.chars(ALNUM, password_length)}".encode()))


# DER openings of the key types, so bodies start the way real ones do; the rest is random.
DER_OPENINGS = {
    "pkcs8-rsa-2048": (bytes.fromhex("308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100"), 1217),
    "pkcs1-rsa-2048": (bytes.fromhex("308204a40201000282010100"), 1192),
    "sec1-ec-p256": (bytes.fromhex("30770201010420"), 121),
    "dsa-1024": (bytes.fromhex("308201bb02010002818100"), 447),
    "pkcs8-encrypted": (bytes.fromhex("3081e7305206092a864886f70d01050d3045"), 234),
    "rsa-1024-encrypted": (bytes.fromhex("3082025c02010002818100"), 608),
}


def der_base64(d, kind):
    opening, total = DER_OPENINGS[kind]
    return d.clean(lambda: b64(opening + d.raw(total - len(opening))))


def openssh_base64(d, total=399):
    """"openssh-key-v1" opening, then random (real bodies carry long runs of "A")."""
    return d.clean(lambda: "b3BlbnNzaC1rZXktdjE" + d.chars(BASE64, total - 19))


def pem(label, body, width=64, newline="\n", headers=""):
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    return (f"-----BEGIN {label}-----{newline}{headers}"
            + newline.join(lines) + f"{newline}-----END {label}-----")


def gcp_service_account(d, project, account):
    """The key file as IAM hands it out; json.dumps escapes the PEM's newlines as \\n."""
    email = f"{account}@{project}.iam.gserviceaccount.com"
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": d.chars(HEX, 40),
        "private_key": pem("PRIVATE KEY", der_base64(d, "pkcs8-rsa-2048")) + "\n",
        "client_email": email,
        "client_id": d.digits(21),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }


# --- rules -------------------------------------------------------------------
# Each entry: rule id -> function(Draw) -> {label: value}. Labels starting with
# "negative" are the malformed values used in negative_examples.

RULES = {
    "openai.project-key": lambda d: {
        "example-1": openai_key(d, "sk-proj-", 74),
        "example-2": openai_key(d, "sk-proj-", 74),
        "example-3 (2024 short form)": "sk-proj-" + d.chars(ALNUM, 20) + "T3BlbkFJ" + d.chars(ALNUM, 20),
        "negative wrong length (73 + 74)": openai_key(d, "sk-proj-", 74)[:-1],
    },
    "openai.service-account-key": lambda d: {
        "example-1": openai_key(d, "sk-svcacct-", 74),
        "example-2": openai_key(d, "sk-svcacct-", 74),
        "negative marker missing": openai_key(d, "sk-svcacct-", 74).replace("T3BlbkFJ", "T3BlbkFj"),
    },
    "openai.admin-key": lambda d: {
        "example-1": openai_key(d, "sk-admin-", 58),
        "example-2": openai_key(d, "sk-admin-", 58),
        "negative wrong length (57 + 58)": openai_key(d, "sk-admin-", 58)[:-1],
    },
    "openai.legacy-key": lambda d: {
        "example-1": openai_legacy(d),
        "example-2": openai_legacy(d),
        "negative no marker (sk- + 48)": "sk-" + d.chars(ALNUM, 48),
    },
    "openai.none-key": lambda d: {
        "example-1": openai_key(d, "sk-None-", 74),
        "example-2 (48-character body)": "sk-None-" + d.chars(URLSAFE, 48),
        "negative too short (40)": "sk-None-" + d.chars(ALNUM, 40),
    },
    "anthropic.api-key": lambda d: {
        "example-1": anthropic_key(d, "sk-ant-api03-"),
        "example-2": anthropic_key(d, "sk-ant-api03-"),
        "negative no AA suffix": anthropic_key(d, "sk-ant-api03-")[:-2] + "Qw",
    },
    "anthropic.admin-key": lambda d: {
        "example-1": anthropic_key(d, "sk-ant-admin01-"),
        "example-2": anthropic_key(d, "sk-ant-admin01-"),
        "negative truncated (92 + AA)": anthropic_key(d, "sk-ant-admin01-")[:-3] + "AA",
    },
    "anthropic.oauth-token": lambda d: {
        "example-1 (access)": anthropic_key(d, "sk-ant-oat01-"),
        "example-2 (refresh)": anthropic_key(d, "sk-ant-ort01-"),
        "negative too short (30)": "sk-ant-oat01-" + d.chars(URLSAFE, 30),
    },
    "google.api-key": lambda d: {
        "example-1": "AIzaSy" + d.chars(URLSAFE, 33),
        "example-2": "AIzaSy" + d.chars(URLSAFE, 33),
        "negative too short (34)": "AIzaSy" + d.chars(URLSAFE, 32),
    },
    "google.gemini-key": lambda d: {
        "example-1": "AQ.Ab8RN6" + d.chars(URLSAFE, 44),
        "example-2": "AQ.Ab8R" + d.chars(URLSAFE, 46),
        "negative too short (40)": "AQ.Ab8R" + d.chars(URLSAFE, 40),
    },
    "gcp.service-account-key": lambda d: {
        "example-1": gcp_service_account(d, "billing-etl-318207", "bq-loader"),
        "example-2": gcp_service_account(d, "vertex-prod-4471", "gemini-runner"),
        "example-3 (stored as a JSON string)": gcp_service_account(d, "ci-tools-27310", "github-actions"),
    },
    "google.oauth-client-secret": lambda d: {
        "example-1": "GOCSPX-" + d.chars(URLSAFE, 28),
        "example-1 client id": d.digits(12) + "-" + d.chars(LOWER_ALNUM, 32) + ".apps.googleusercontent.com",
        "example-2": "GOCSPX-" + d.chars(URLSAFE, 28),
        "negative too short (20)": "GOCSPX-" + d.chars(ALNUM, 20),
    },
    "azure.openai-key": lambda d: {
        "example-1": d.chars(HEX, 32),
        "example-2": d.chars(HEX, 32),
        "example-3": d.chars(HEX, 32),
        "negative uppercase hex": d.chars("0123456789ABCDEF", 32),
        "negative no endpoint": d.chars(HEX, 32),
        "negative not a key variable": d.chars(HEX, 32),
    },
    "azure.openai-identifiable-key": lambda d: {
        "example-1": azure_identifiable(d, "AAABACOG"),
        "example-2": azure_identifiable(d, "AAABACOG"),
        "negative wrong signature": azure_identifiable(d, "AAABACOG").replace("JQQJ99", "JQQJ98"),
    },
    "azure.ai-services-key": lambda d: {
        "example-1": azure_identifiable(d, "AAAAACOG"),
        "example-2": azure_identifiable(d, "AAAAACOG"),
        "negative too short (83)": azure_identifiable(d, "AAAAACOG")[1:],
    },
    "azure.entra-client-secret": lambda d: {
        "example-1": entra_secret(d),
        "example-1 client id": d.uuid4(),
        "example-1 tenant id": d.uuid4(),
        "example-2": entra_secret(d),
        "negative no Q~ marker": entra_secret(d).replace("Q~", "Qx", 1),
    },
    "aws.access-key": lambda d: (lambda account: {
        "example-1 id": aws_key_id(d, "AKIA", account),
        "example-1 secret": aws_secret(d),
        "example-2 id": aws_key_id(d, "AKIA", account),
        "example-2 secret": aws_secret(d),
        "example-3 id": aws_key_id(d, "AKIA", aws_account(d)),
        "example-3 secret": aws_secret(d),
        "example-4 (credentials.csv) id": aws_key_id(d, "AKIA", aws_account(d)),
        "example-4 (credentials.csv) secret": aws_secret(d),
        "negative secret with no key id nearby": aws_secret(d),
        "negative session key id": aws_key_id(d, "ASIA", account),
        "negative session secret": aws_secret(d),
    })(aws_account(d)),
    "aws.session-key": lambda d: (lambda account: {
        "example-1 id": aws_key_id(d, "ASIA", account),
        "example-1 secret": aws_secret(d),
        "example-1 session token": aws_session_token(d),
        "example-2 id": aws_key_id(d, "ASIA", account),
        "example-2 secret": aws_secret(d),
        "example-2 session token": aws_session_token(d),
        "negative long-term id": aws_key_id(d, "AKIA", account),
        "negative long-term secret": aws_secret(d),
    })(aws_account(d)),
    "aws.access-key-id": lambda d: {
        "example-1": aws_key_id(d, "AKIA", aws_account(d)),
        "example-2": aws_key_id(d, "ASIA", aws_account(d)),
        "negative too short (19)": aws_key_id(d, "AKIA", aws_account(d))[:-1],
    },
    "aws.bedrock-long-term-key": lambda d: {
        "example-1": bedrock_long_term(d, aws_account(d)),
        "example-2 (padding stripped)": bedrock_long_term(d, aws_account(d), padded=False),
        "negative truncated": bedrock_long_term(d, aws_account(d))[:60],
    },
    "aws.bedrock-short-term-key": lambda d: {
        "example-1": bedrock_short_term(d, aws_account(d), "us-east-1", "20251120T101500Z"),
        "example-2": bedrock_short_term(d, aws_account(d), "eu-central-1", "20251120T164207Z"),
        "negative truncated": bedrock_short_term(d, aws_account(d), "us-west-2", "20251120T080000Z")[:70],
    },
    "huggingface.user-token": lambda d: {
        "example-1": "hf_" + d.chars(UPPER + LOWER, 34),
        "example-2": "hf_" + d.chars(UPPER + LOWER, 34),
        "negative too short (30)": "hf_" + d.chars(UPPER + LOWER, 30),
    },
    "huggingface.org-token": lambda d: {
        "example-1": "api_org_" + d.chars(UPPER + LOWER, 34),
        "example-2": "api_org_" + d.chars(UPPER + LOWER, 34),
        "negative too long (40)": "api_org_" + d.chars(UPPER + LOWER, 40),
    },
    "groq.api-key": lambda d: {
        "example-1": "gsk_" + d.chars(ALNUM, 20) + "WGdyb3FY" + d.chars(ALNUM, 24),
        "example-2": "gsk_" + d.chars(ALNUM, 20) + "WGdyb3FY" + d.chars(ALNUM, 24),
        "negative too short (51)": "gsk_" + d.chars(ALNUM, 20) + "WGdyb3FY" + d.chars(ALNUM, 23),
    },
    "replicate.api-token": lambda d: {
        "example-1": "r8_" + d.chars(ALNUM, 37),
        "example-2": "r8_" + d.chars(ALNUM, 37),
        "negative too short (32)": "r8_" + d.chars(ALNUM, 32),
    },
    "together.api-key": lambda d: {
        "example-1": "tgp_v1_" + d.chars(URLSAFE, 43),
        "example-2": "tgp_v1_" + d.chars(URLSAFE, 43),
        "negative too short (40)": "tgp_v1_" + d.chars(URLSAFE, 40),
    },
    "fireworks.api-key": lambda d: {
        "example-1": "fw_" + d.chars(ALNUM, 24),
        "example-2": "fw_" + d.chars(ALNUM, 24),
        "negative no fireworks context": "fw_" + d.chars(ALNUM, 24),
    },
    "perplexity.api-key": lambda d: {
        "example-1": "pplx-" + d.chars(ALNUM, 48),
        "example-2": "pplx-" + d.chars(ALNUM, 48),
        "negative too short (32)": "pplx-" + d.chars(ALNUM, 32),
    },
    "xai.api-key": lambda d: {
        "example-1": "xai-" + d.chars(ALNUM, 80),
        "example-2": "xai-" + d.chars(ALNUM, 80),
        "negative too short (40)": "xai-" + d.chars(ALNUM, 40),
    },
    "deepseek.api-key": lambda d: {
        "example-1": "sk-" + d.chars(HEX, 32),
        "example-2": "sk-" + d.chars(HEX, 32),
        "negative no deepseek context": "sk-" + d.chars(HEX, 32),
    },
    "openrouter.api-key": lambda d: {
        "example-1": "sk-or-v1-" + d.chars(HEX, 64),
        "example-2": "sk-or-v1-" + d.chars(HEX, 64),
        "negative not hex": "sk-or-v1-" + d.chars(LOWER, 64),
    },
    "mistral.api-key": lambda d: {
        "example-1": d.chars(ALNUM, 32),
        "example-2": d.chars(ALNUM, 32),
        "example-3": d.chars(ALNUM, 32),
        "negative keyword missing": d.chars(ALNUM, 32),
    },
    "cohere.api-key": lambda d: {
        "example-1": d.chars(ALNUM, 40),
        "example-2": d.chars(ALNUM, 40),
        "example-3": d.chars(ALNUM, 40),
        "negative keyword missing": d.chars(ALNUM, 40),
    },
    "langsmith.api-key": lambda d: {
        "example-1 (personal)": "lsv2_pt_" + d.chars(HEX, 32) + "_" + d.chars(HEX, 10),
        "example-2 (service)": "lsv2_sk_" + d.chars(HEX, 32) + "_" + d.chars(HEX, 10),
        "negative unknown type": "lsv2_xx_" + d.chars(HEX, 32) + "_" + d.chars(HEX, 10),
    },
    "pinecone.api-key": lambda d: {
        "example-1": "pcsk_" + d.chars(ALNUM, 5) + "_" + d.chars(ALNUM, 63),
        "example-2": "pcsk_" + d.chars(ALNUM, 6) + "_" + d.chars(ALNUM, 63),
        "negative too short (50)": "pcsk_" + d.chars(ALNUM, 5) + "_" + d.chars(ALNUM, 50),
    },
    "elevenlabs.api-key": lambda d: {
        "example-1": "sk_" + d.chars(HEX, 48),
        "example-2": "sk_" + d.chars(HEX, 48),
        "negative not hex": "sk_" + d.chars(ALNUM, 48),
    },
    "voyage.api-key": lambda d: {
        "example-1": "pa-" + d.chars(URLSAFE, 43),
        "example-2": "pa-" + d.chars(URLSAFE, 43),
        "negative no voyage context": "pa-" + d.chars(URLSAFE, 43),
    },
    "cerebras.api-key": lambda d: {
        "example-1": "csk-" + d.chars(LOWER_ALNUM, 48),
        "example-2": "csk-" + d.chars(LOWER_ALNUM, 48),
        "negative uppercase body": "csk-" + d.chars(UPPER + DIGITS, 48),
    },
    "nvidia.api-key": lambda d: {
        "example-1": "nvapi-" + d.chars(URLSAFE, 64),
        "example-2": "nvapi-" + d.chars(URLSAFE, 64),
        "negative too short (40)": "nvapi-" + d.chars(URLSAFE, 40),
    },
    "langfuse.secret-key": lambda d: {
        "example-1": "sk-lf-" + d.uuid4(),
        "example-1 public key": "pk-lf-" + d.uuid4(),
        "example-2": "sk-lf-" + d.uuid4(),
        "example-2 public key": "pk-lf-" + d.uuid4(),
        "negative public key only": "pk-lf-" + d.uuid4(),
    },
    "github.classic-token": lambda d: {
        "example-1": github_token(d, "ghp_"),
        "example-2": github_token(d, "ghp_"),
        "negative bad checksum": github_token(d, "ghp_", checksum_ok=False),
    },
    "github.oauth-token": lambda d: {
        "example-1": github_token(d, "gho_"),
        "example-2": github_token(d, "gho_"),
        "negative bad checksum": github_token(d, "gho_", checksum_ok=False),
    },
    "github.user-to-server-token": lambda d: {
        "example-1": github_token(d, "ghu_"),
        "example-2": github_token(d, "ghu_"),
        "negative bad checksum": github_token(d, "ghu_", checksum_ok=False),
    },
    "github.installation-token": lambda d: {
        "example-1": github_token(d, "ghs_"),
        "example-2": github_token(d, "ghs_"),
        "negative bad checksum": github_token(d, "ghs_", checksum_ok=False),
    },
    "github.refresh-token": lambda d: {
        "example-1": github_token(d, "ghr_"),
        "example-2": github_token(d, "ghr_"),
        "negative bad checksum": github_token(d, "ghr_", checksum_ok=False),
    },
    "github.fine-grained-token": lambda d: {
        "example-1": "github_pat_" + d.chars(ALNUM, 22) + "_" + d.chars(ALNUM, 59),
        "example-2": "github_pat_" + d.chars(ALNUM, 22) + "_" + d.chars(ALNUM, 59),
        "negative short second part (50)": "github_pat_" + d.chars(ALNUM, 22) + "_" + d.chars(ALNUM, 50),
    },
    "slack.bot-token": lambda d: {
        "example-1": f"xoxb-{d.digits(12)}-{d.digits(13)}-{d.chars(ALNUM, 24)}",
        "example-2": f"xoxb-{d.digits(13)}-{d.digits(13)}-{d.chars(ALNUM, 24)}",
        "negative user token": f"xoxp-{d.digits(12)}-{d.digits(13)}-{d.digits(13)}-{d.chars(HEX, 32)}",
    },
    "kubernetes.service-account-token": lambda d: {
        "example-1 (legacy Secret token)": jwt(d, k8s_legacy_claims(d, "ci", "deployer", d.chars(LOWER_ALNUM, 5))),
        "example-2 (bound token)": jwt(d, k8s_bound_claims(
            d, "https://oidc.eks.eu-west-1.amazonaws.com/id/" + d.chars("0123456789ABCDEF", 32),
            "payments", "ledger-api", "ledger-api-7d9f8c6b5-" + d.chars(LOWER_ALNUM, 5), 1763632800)),
        "negative non-Kubernetes JWT": jwt(d, {
            "iss": "https://login.acme-idp.net/", "sub": "auth0|" + d.chars(HEX, 24),
            "aud": "billing-api", "iat": 1763632800, "exp": 1763719200}),
    },
    "docker.registry-auth": lambda d: {
        "example-1": docker_auth(d, "ci-publisher"),
        "example-2": docker_auth(d, "gitlab+deploy-token-41235", 20),
        "negative no colon": d.clean(lambda: b64(d.chars(ALNUM, 36).encode())),
    },
    "generic.private-key": lambda d: {
        "example-1 (RSA, PKCS#1)": pem("RSA PRIVATE KEY", der_base64(d, "pkcs1-rsa-2048")),
        "example-2 (EC, SEC1)": pem("EC PRIVATE KEY", der_base64(d, "sec1-ec-p256")),
        "example-3 (OpenSSH)": pem("OPENSSH PRIVATE KEY", openssh_base64(d), width=70),
        "example-4 (PKCS#8, JSON-escaped)": pem("PRIVATE KEY", der_base64(d, "pkcs8-rsa-2048"), newline="\\n"),
        "example-5 (encrypted PKCS#8)": pem("ENCRYPTED PRIVATE KEY", der_base64(d, "pkcs8-encrypted")),
        "example-6 (DSA)": pem("DSA PRIVATE KEY", der_base64(d, "dsa-1024")),
        "example-7 (encrypted PKCS#1)": pem(
            "RSA PRIVATE KEY", der_base64(d, "rsa-1024-encrypted"),
            headers=f"Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{d.chars('0123456789ABCDEF', 32)}\n\n"),
    },
}


def generate(seed, rule_id):
    """The labelled values of one rule; warns when a composed value reads as a placeholder."""
    values = RULES[rule_id](Draw(seed, rule_id))
    for label, value in values.items():
        texts = value.values() if isinstance(value, dict) else [value]
        if any(reads_as_placeholder(text) for text in texts):
            print(f"warning: {rule_id} {label} reads as a placeholder; try another --seed", file=sys.stderr)
    return values


def main(argv):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # quiet when piped into head
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("prefixes", nargs="*", help="only rules whose id starts with one of these")
    args = parser.parse_args(argv)
    selected = [r for r in RULES if not args.prefixes or any(r.startswith(p) for p in args.prefixes)]
    if not selected:
        parser.error("no rule id starts with " + ", ".join(args.prefixes))
    for rule_id in selected:
        print(rule_id)
        for label, value in generate(args.seed, rule_id).items():
            if isinstance(value, dict):
                value = json.dumps(value, indent=2)
            if "\n" in value:
                print(f"  {label}:")
                for line in value.splitlines():
                    print(f"    {line}")
            else:
                print(f"  {label}: {value}")
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
