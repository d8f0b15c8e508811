#!/usr/bin/env python3
"""Recall corpus builder and scorer for scripts/bench-recall.sh (python3 standard library only).

The corpus is made from the peers' own published rule tests, read from checkouts of the three peer
repositories (bench-recall.sh makes them; nothing here touches the network):

  kingfisher   mongodb/kingfisher 1.x      data/rules/*.yml: every rule's `examples` (positives) and
                                           `negative_examples` (negatives); a tiny YAML reader, no PyYAML
  gitleaks     gitleaks/gitleaks           cmd/generate/config/rules/*.go: the true/false positive lists
                                           given to utils.Validate (`tps`/`fps`), evaluated by a small Go
                                           expression evaluator: string literals, `+`, []string{…},
                                           append, fmt.Sprintf, strings.Repeat, package/local variables,
                                           utils.GenerateSampleSecret(s) and secrets.NewSecret(REGEX)
                                           (random text from the regex, seeded: same seed = same corpus)
  trufflehog   trufflesecurity/trufflehog  pkg/detectors/**/*_test.go: the `input` of every test case in a
                                           Test*Pattern* function; positive when its `want` is non-empty,
                                           negative when `want` is nil/empty/absent

Subcommands:

  build  --kingfisher DIR --gitleaks DIR --trufflehog DIR --out CORPUS [--seed N] [--all-templates]
         writes CORPUS/<source>/<pos|neg>/<category>/<provider>/<n>.txt (one example per file) and
         CORPUS.manifest.json beside the folder (every example with its source, rule, provider, category, polarity,
         expected secret when known) plus what was left out and why
  score  --corpus CORPUS --runs RUNDIR --json OUT.json --md OUT.md
         reads RUNDIR/<tool>/out.json for keyledger, gitleaks, betterleaks, kingfisher; maps findings to
         example files; writes the raw per-example results (JSON) and the Markdown report (also stdout)
  misses --json RESULTS.json [--tool T] [--source S] [--category C] [--negatives] [--well-formed]
         prints the corpus files of the positives tool T missed (or, with --negatives, the negatives it
         flagged), one path a line, tab, rule, and the placeholder/contested reason when there is one;
         --well-formed keeps only well-formed positives (with --negatives: only clean negatives)

The headline is fair to a scanner that deliberately ignores placeholders and that reports a well-formed
key wherever it stands (score writes both classes into the JSON: `shape`/`shape_reason` on positives,
`contest`/`contest_reasons` on negatives):

  placeholder-shaped  an expected secret is placeholder-shaped when its principal part (the longest run
                      of key characters [A-Za-z0-9_+/-] with '=' padding, so that the host, e-mail or
                      account name TruffleHog joins to a key with ':' is not judged) holds
                        - a counting run: 6 characters each the successor (or each the predecessor) of
                          the previous in 0-9 or a-z, any case (abcdef, 123456, abcdefgh, lmnopq, 654321,
                          fedcba …), or
                        - a run of >= 5 identical letters or digits (AAAAA, xxxxx, 00000); a run of 'A'
                          (base64 of zero bytes, found in real Twitter bearer tokens, Azure DevOps PATs,
                          Entra refresh tokens, macaroons) only when it is at least half the secret, or
                        - one of the words example, sample, fake, dummy, placeholder, your, xxxx, test,
                          redacted, changeme, lorem (any case; 'test' as a mode segment such as sk_test_,
                          test_pub_, FLWSECK_TEST- does not count).
                      A positive is placeholder-shaped when every expected secret is (when the secret is
                      unknown, the longest token of 16+ key characters in the example stands in for it);
                      the others are well-formed. The headline recall is over well-formed positives; the
                      raw recall over all positives is shown beside it and placeholder-shaped ones in a
                      table of their own. A random 40-character base62 key matches by chance with odds ~2e-4 (a 40-character hex key ~5e-5).
  contested negative  a negative whose file
                        - at least two of the four scanners report under a non-generic rule (keyword =
                          value heuristics, rule ids containing "generic" but not "private-key", do not
                          vote: gitleaks and betterleaks' generic-api-key agree on ~100 TruffleHog inputs
                          that hold a random string beside a keyword), or
                        - the source's own scanner flags under any rule (gitleaks/betterleaks on gitleaks'
                          fps, Kingfisher on its own negative_examples), or
                        - contains a string that one of the same source's positives gives as its expected
                          secret or as a ':'-separated part of it, when that string is credential-like (16+
                          characters, no whitespace, not a URL, host name, e-mail or query string, not
                          placeholder-shaped). TruffleHog is not run here: this stands for "its own
                          scanner reports it", e.g. a refresh token rejected only because the client id
                          or instance URL beside it is missing.
                      The judgement is per file (each file is one short test input), not per string.
                      Other negatives are clean; the headline counts flagged clean negatives and lists
                      the contested ones with their reasons.
  target per source   keyledger's well-formed recall >= the best independent peer's well-formed recall
                      (a peer that did not write the source's tests), with <= 5 clean negatives flagged
                      (score --max-clean N).
"""

import argparse
import hashlib
import json
import os
import random
import re
import sys
import warnings
import zlib
from collections import Counter, defaultdict

try:  # Python 3.11+: the regex parser lives in re._parser; sre_parse is a deprecated alias
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import sre_constants
        import sre_parse

SOURCES = ["kingfisher", "gitleaks", "trufflehog"]
TOOLS = ["keyledger", "gitleaks", "betterleaks", "kingfisher"]
# Who wrote each source's tests. betterleaks is the gitleaks author's successor and ships gitleaks'
# rules with their tests, so neither counts as an independent peer on the gitleaks source.
AUTHORS = {"kingfisher": {"kingfisher"}, "gitleaks": {"gitleaks", "betterleaks"}, "trufflehog": set()}

# ---------------------------------------------------------------- providers and categories

ALIASES = {
    "openaiadmin": "openai", "azureopenai": "azure-openai", "azure_openai": "azure-openai",
    "googlegemini": "google-gemini", "gemini": "gemini-exchange", "weightsandbiases": "wandb",
    "gcp": "google-cloud", "google": "google-cloud", "googleoauth2": "google-cloud",
    "teams": "microsoft-teams", "microsoftteams": "microsoft-teams", "microsoftteamswebhook": "microsoft-teams",
    "hashicorpvault": "hashicorp", "boxcom": "box", "frameio": "frameio", "particleio": "particle",
    "cratesio": "crates", "huggingface": "huggingface", "nvapi": "nvidia", "langchain": "langsmith",
    "xai": "xai", "grok": "xai", "togetherai": "together", "fireworksai": "fireworks", "voyageai": "voyage",
    "mistralai": "mistral", "perplexityai": "perplexity", "privateai": "private-ai", "squareup": "square",
    "twitterv1": "twitter", "twitterv2": "twitter", "fullstoryv2": "fullstory", "slackwebhook": "slack",
}
SUFFIXES = ("apikey", "accesstoken", "bottoken", "token", "key", "license", "webhook", "oauth")

# AI/ML APIs and model providers, vector DBs, AI gateways and LLM observability (normalised names).
AI_PROVIDERS = {
    "openai", "anthropic", "azure-openai", "cohere", "huggingface", "replicate", "groq", "xai", "mistral",
    "deepseek", "perplexity", "together", "fireworks", "openrouter", "deepgram", "elevenlabs",
    "assemblyai", "clarifai", "deepai", "edenai", "nvidia", "wandb", "pinecone", "weaviate", "qdrant",
    "chroma", "langsmith", "langfuse", "helicone", "portkey", "cerebras", "voyage", "google-gemini",
    "vertexai", "stabilityai", "runwayml", "anyscale", "octoai", "sambanova", "nomic", "jina",
    "monkeylearn", "paralleldots", "speechtextai", "voicegain", "uclassify", "imagga", "cloudsight",
    "private-ai", "aiml", "ai21", "aleph-alpha", "alephalpha", "writer", "lepton", "novita", "moonshot",
    "kimi", "zhipu", "baseten", "modal", "predibase", "gradient", "unify", "leonardoai", "midjourney",
    "bedrock", "sagemaker", "azureml", "databricksai", "dify", "flowise", "litellm", "vectara",
    "milvus", "zilliz", "lancedb", "tavily", "exa", "serpapi_ai", "ollama", "lmstudio", "textcortex",
    "copyai", "jasper", "rev", "speechmatics", "gladia", "sightengine", "nlpcloud", "gooseai",
    "bannerbearai", "humanloop", "braintrust", "arize", "datarobot", "dataiku", "h2oai", "deepinfra",
    "lambdalabs", "runpod", "vastai", "featherless", "hyperbolic", "friendliai", "nebius",
}

# Left out: not provider credentials (generic detectors, passwords, PII, hashes, unattributed
# formats). Keyed by a regex on the normalised provider and the rule id / detector name.
EXCLUDE = [
    ("generic", r"^(generic|genericapi|genericsecret|genericpassword|weakpassword|password|passwords|"
                r"credentials?|securestring|secret|apikey|customregex|regex|keyword|stopwords|curl)$"),
    ("pii", r"^(email|emailaddress|phone|phonenumber|ssn|creditcard|iban|ipaddress|ip|privacy|pii|"
            r"address|passport|dob)$"),
    ("password-hash", r"^(hashes|hash|bcrypt|htpasswd|shadow|md5|sha1|sha256|ntlm)$"),
    ("unattributed-format", r"^(jwt|privatekey|privkey|pem|pgp|ssh|sshkey|age|wireguard|"
                            r"base64|uuid|x509|certificate|psexec|netrc|odbc|jdbc|ldap|uri|url|urls|"
                            r"ftp|redis|postgres|postgresql|mysql|sqlserver|mongodb|mongo|rabbitmq|"
                            r"amqp|smtp|sqlalchemy|connectionstring)$"),
]


def norm_provider(name):
    s = name.lower()
    s = re.sub(r"\.(ya?ml|go)$", "", s)
    s = re.sub(r"[_-]?v\d+$", "", s)
    s = re.sub(r"[^a-z0-9]", "", s)
    if s in ALIASES:
        return ALIASES[s]
    for suf in SUFFIXES:
        if s.endswith(suf) and len(s) - len(suf) >= 3:
            t = s[: -len(suf)]
            return ALIASES.get(t, t)
    return s


def category_of(provider):
    return "ai" if provider in AI_PROVIDERS else "service"


def exclusion(provider, rule):
    r = re.sub(r"[^a-z0-9]", "", (rule or "").lower())
    for cat, rx in EXCLUDE:
        if re.match(rx, provider) or re.match(rx, r):
            return cat
    if re.search(r"generic", r) or re.search(r"(^|[-_.])generic", (rule or "").lower()):
        return "generic"
    return None


# ---------------------------------------------------------------- GitHub checksum

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
GH_TOKEN = re.compile(r"(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36})(?![A-Za-z0-9_])")


def github_crc_ok(tok):
    v = zlib.crc32(tok[4:34].encode())
    d = ""
    while True:
        d = B62[v % 62] + d
        v //= 62
        if v == 0:
            break
    return tok[34:] == d.rjust(6, "0")


def github_bad_crc_only(text):
    toks = GH_TOKEN.findall(text)
    return bool(toks) and not any(github_crc_ok(t) for t in toks)


# ---------------------------------------------------------------- random text from a regex

class RegexGen:
    """Random text for the regex subset used by gitleaks' secrets.NewSecret (literals, classes,
    counted repeats, groups, alternation); sre_parse does the parsing."""

    def __init__(self, rng, star_max=4):
        self.rng = rng
        self.star_max = star_max

    def gen(self, pattern):
        return self._seq(sre_parse.parse(pattern))

    def _seq(self, items):
        return "".join(self._one(op, av) for op, av in items)

    def _pool(self, av):
        chars, neg = [], False
        for op, a in av:
            if op == sre_constants.NEGATE:
                neg = True
            elif op == sre_constants.LITERAL:
                chars.append(chr(a))
            elif op == sre_constants.RANGE:
                chars.extend(chr(c) for c in range(a[0], a[1] + 1))
            elif op == sre_constants.CATEGORY:
                chars.extend(self._cat(a))
        if neg:
            allc = [chr(c) for c in range(33, 127)]
            chars = [c for c in allc if c not in set(chars)]
        return chars or ["x"]

    @staticmethod
    def _cat(a):
        if a == sre_constants.CATEGORY_DIGIT:
            return list("0123456789")
        if a == sre_constants.CATEGORY_WORD:
            return list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
        if a == sre_constants.CATEGORY_SPACE:
            return [" "]
        return list("abcdefghijklmnopqrstuvwxyz")

    def _one(self, op, av):
        C = sre_constants
        if op == C.LITERAL:
            return chr(av)
        if op == C.NOT_LITERAL:
            return "a" if av != ord("a") else "b"
        if op == C.ANY:
            return self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
        if op == C.IN:
            return self.rng.choice(self._pool(av))
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            hi = lo + self.star_max if hi == C.MAXREPEAT else hi
            n = self.rng.randint(lo, hi)
            return "".join(self._seq(sub) for _ in range(n))
        if op == C.SUBPATTERN:
            return self._seq(av[-1])
        if op == C.BRANCH:
            return self._seq(self.rng.choice(av[1]))
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return ""
        if op == C.GROUPREF:
            return ""
        raise ValueError(f"regex op {op} not supported")


# ---------------------------------------------------------------- a tiny Go reader

GO_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<lc>//[^\n]*)|(?P<bc>/\*.*?\*/)|(?P<raw>`[^`]*`)|(?P<str>"(?:\\.|[^"\\\n])*")"""
    r"""|(?P<rune>'(?:\\.|[^'\\\n])+')|(?P<num>\d[\w.]*)|(?P<id>[A-Za-z_]\w*)"""
    r"""|(?P<op>\.\.\.|:=|==|!=|<=|>=|&&|\|\||\+=|<-|[-+*/%&|^<>=!(){}\[\],;.:])""",
    re.S)

_ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b",
        "f": "\f", "v": "\v"}


def go_unquote(s):
    body = s[1:-1]
    out, i = [], 0
    raw_bytes = bytearray()

    def flush():
        if raw_bytes:
            out.append(raw_bytes.decode("utf-8", "replace"))
            raw_bytes.clear()

    while i < len(body):
        c = body[i]
        if c != "\\":
            flush()
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n in _ESC:
            flush(); out.append(_ESC[n]); i += 2
        elif n == "x":
            raw_bytes.append(int(body[i + 2:i + 4], 16)); i += 4
        elif n in "01234567":
            raw_bytes.append(int(body[i + 1:i + 4], 8)); i += 4
        elif n == "u":
            flush(); out.append(chr(int(body[i + 2:i + 6], 16))); i += 6
        elif n == "U":
            flush(); out.append(chr(int(body[i + 2:i + 10], 16))); i += 10
        else:
            flush(); out.append(n); i += 2
    flush()
    return "".join(out)


def go_tokens(src):
    toks = []
    for m in GO_TOKEN.finditer(src):
        k = m.lastgroup
        if k in ("ws", "lc", "bc"):
            continue
        v = m.group()
        if k == "raw":
            toks.append(("str", v[1:-1].replace("\r", "")))
        elif k == "str":
            toks.append(("str", go_unquote(v)))
        else:
            toks.append((k, v))
    return toks


class Unresolved(Exception):
    pass


class Sample:
    __slots__ = ("text", "generated", "secrets")

    def __init__(self, text, generated=False, secrets=()):
        self.text, self.generated, self.secrets = text, generated, list(secrets)

    def __add__(self, other):
        return Sample(self.text + other.text, self.generated or other.generated, self.secrets + other.secrets)


SAMPLE_TEMPLATES = [
    '{i}Token="{s}"', '{i}Token = "{s}"', "{i}Token={s}", "{i}Token = {s}",
    '{\n    "{i}_token": "{s}"\n}', '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}',
    "<{i}Token>\n    {s}\n</{i}Token>", "{i}_token: {s}", "{i}_token: '{s}'", '{i}_token: "{s}"',
    'string {i}Token = "{s}";', 'var {i}Token string = "{s}"', '{i}Token := "{s}"', "{i}Token := `{s}`",
    'String {i}Token = "{s}";', 'var {i}Token = "{s}"', '${i}Token .= "{s}"', "{i}Token = '{s}'",
    '{i}Token = "{s}"', 'System.setProperty("{I}_TOKEN", "{s}")', '  "{i}Token" => "{s}"',
    '{i}_TOKEN = "{s}"', '{i}_TOKEN := "{s}"', '{i}_TOKEN ::= "{s}"', '{i}_TOKEN :::= "{s}"',
    '{i}_TOKEN ?= "{s}"',
]  # gitleaks cmd/generate/config/utils/generate.go GenerateSampleSecrets (the ones not marked TODO)

UTIL_REGEX = {
    "Numeric": "[0-9]{%s}", "Hex": "[a-f0-9]{%s}", "AlphaNumeric": "[a-z0-9]{%s}",
    "AlphaNumericExtendedShort": "[a-z0-9_-]{%s}", "AlphaNumericExtended": r"[a-z0-9=_\-]{%s}",
    "AlphaNumericExtendedLong": r"[a-z0-9\/=_\+\-]{%s}",
}


class GoEval:
    """Evaluates the Go expressions that build test strings. Scalars are Sample, lists are list[Sample]."""

    def __init__(self, toks, pkg_defs, rng, all_templates=False, stats=None):
        self.t = toks
        self.pkg = pkg_defs      # name -> (tokens, index) evaluated lazily
        self.pkg_cache = {}
        self.env = {}
        self.lazy_local = {}     # name -> index in self.t (trufflehog: locals resolved on demand)
        self.rng = rng
        self.regen = RegexGen(rng)
        self.all_templates = all_templates
        self.stats = stats if stats is not None else Counter()

    # -- helpers
    def peek(self, i, v=None):
        if i >= len(self.t):
            return False
        return self.t[i][1] == v if v is not None else True

    def skip_balanced(self, i):
        """i at an opening bracket; return index after its match."""
        pairs = {"(": ")", "{": "}", "[": "]"}
        stack = []
        while i < len(self.t):
            v = self.t[i][1]
            if self.t[i][0] == "op":
                if v in pairs:
                    stack.append(pairs[v])
                elif stack and v == stack[-1]:
                    stack.pop()
                    if not stack:
                        return i + 1
            i += 1
        return i

    def skip_expr(self, i):
        depth = 0
        while i < len(self.t):
            k, v = self.t[i]
            if k == "op" and v in "([{":
                depth += 1
            elif k == "op" and v in ")]}":
                if depth == 0:
                    return i
                depth -= 1
            elif k == "op" and v == "," and depth == 0:
                return i
            i += 1
        return i

    # -- expressions
    def expr(self, i):
        val, i = self.unary(i)
        while self.peek(i, "+"):
            rhs, i = self.unary(i + 1)
            if isinstance(val, Sample) and isinstance(rhs, Sample):
                val = val + rhs
            elif isinstance(val, int) and isinstance(rhs, int):
                val = val + rhs
            else:
                raise Unresolved("+ on lists")
        return val, i

    def unary(self, i):
        k, v = self.t[i]
        if k == "str":
            return Sample(v), i + 1
        if k == "num":
            try:
                return int(v, 0), i + 1
            except ValueError:
                raise Unresolved("number")
        if k == "op" and v == "(":
            val, j = self.expr(i + 1)
            if not self.peek(j, ")"):
                raise Unresolved("paren")
            return val, j + 1
        if k == "op" and v == "[":
            # []string{...} / []byte(...)
            if self.peek(i + 1, "]") and i + 2 < len(self.t):
                typ = self.t[i + 2][1]
                j = i + 3
                if self.peek(j, "{"):
                    return self.list_lit(j, typ)
                if self.peek(j, "("):
                    args, j = self.args(j)
                    if len(args) == 1:
                        return args[0], j
            raise Unresolved("slice type")
        if k == "op" and v == "&":
            return self.unary(i + 1)
        if k == "id":
            name, j = v, i + 1
            while self.peek(j, ".") and j + 1 < len(self.t) and self.t[j + 1][0] == "id":
                name += "." + self.t[j + 1][1]
                j += 2
            if self.peek(j, "("):
                return self.call(name, j)
            if self.peek(j, "{"):
                raise Unresolved("struct literal")
            if name in ("nil",):
                return [], j
            if name in ("true", "false"):
                return name == "true", j
            return self.lookup(name), j
        raise Unresolved(f"token {v!r}")

    def lookup(self, name):
        if name in self.env:
            v = self.env[name]
            if isinstance(v, Unresolved):
                raise v
            return v
        if name in self.lazy_local:
            idx = self.lazy_local.pop(name)
            try:
                v, _ = self.expr(idx)
            except (Unresolved, IndexError, ValueError) as e:
                self.env[name] = Unresolved(str(e))
                raise Unresolved(str(e))
            self.env[name] = v
            return v
        if name in self.pkg_cache:
            v = self.pkg_cache[name]
            if isinstance(v, Unresolved):
                raise v
            return v
        if name in self.pkg:
            toks, idx = self.pkg[name]
            sub = GoEval(toks, self.pkg, self.rng, self.all_templates, self.stats)
            sub.pkg_cache = self.pkg_cache
            self.pkg_cache[name] = Unresolved("recursive")
            try:
                v, _ = sub.expr(idx)
            except (Unresolved, IndexError, ValueError) as e:
                self.pkg_cache[name] = Unresolved(str(e))
                raise Unresolved(str(e))
            self.pkg_cache[name] = v
            return v
        raise Unresolved(f"unknown name {name}")

    def args(self, i):
        """i at '('; returns list of evaluated args (spread `x...` kept as ('spread', list))."""
        out = []
        i += 1
        while not self.peek(i, ")"):
            val, i = self.expr(i)
            if self.peek(i, "..."):
                val = ("spread", val)
                i += 1
            out.append(val)
            if self.peek(i, ","):
                i += 1
            elif not self.peek(i, ")"):
                raise Unresolved("args")
        return out, i + 1

    def list_lit(self, i, typ):
        """i at '{'. Elements that cannot be evaluated are skipped and counted."""
        end = self.skip_balanced(i)
        out = []
        j = i + 1
        while j < end - 1:
            start = j
            try:
                val, j2 = self.expr(j)
                if self.peek(j2, ":"):  # map / keyed element: value after the colon
                    val, j2 = self.expr(j2 + 1)
                if not (self.peek(j2, ",") or j2 == end - 1):
                    raise Unresolved("element")
                if isinstance(val, Sample):
                    out.append(val)
                elif isinstance(val, list):
                    out.extend(val)
                else:
                    raise Unresolved("element type")
                j = j2
            except (Unresolved, IndexError, ValueError):
                self.stats["unresolved"] += 1
                j = self.skip_expr(start)
                if self.peek(j, ":"):
                    j = self.skip_expr(j + 1)
            if self.peek(j, ","):
                j += 1
            elif j < end - 1:
                j = self.skip_expr(j + 1)
                if self.peek(j, ","):
                    j += 1
        return out, end

    def call(self, name, i):
        base = name.split(".")[-1]
        if base in ("NewGenerator",):
            raise Unresolved("generator")
        args, j = self.args(i)
        if name == "append":
            lst = list(args[0]) if isinstance(args[0], list) else []
            for a in args[1:]:
                if isinstance(a, tuple):
                    lst.extend(a[1])
                elif isinstance(a, Sample):
                    lst.append(a)
                else:
                    raise Unresolved("append arg")
            return lst, j
        if name == "secrets.NewSecret":
            pat = args[0].text
            try:
                text = self.regen.gen(pat)
            except Exception as e:  # unsupported regex feature
                raise Unresolved(f"regex: {e}")
            self.stats["generated_values"] += 1
            return Sample(text, True, [text]), j
        if name.startswith("utils.") and base in UTIL_REGEX:
            return Sample(UTIL_REGEX[base] % args[0].text), j
        if name == "utils.Hex8_4_4_4_12":
            return Sample("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), j
        if name == "utils.GenerateSampleSecret":
            ident, s = args[0].text, args[1]
            text = f'{ident}_api_token = "{s.text}"'
            return Sample(text, s.generated, [s.text]), j
        if name == "utils.GenerateSampleSecrets":
            ident, s = args[0].text, args[1]
            tmpls = SAMPLE_TEMPLATES if self.all_templates else [self.rng.choice(SAMPLE_TEMPLATES)]
            out = []
            for t in tmpls:
                text = t.replace("{i}", ident).replace("{I}", ident.upper()).replace("{s}", s.text)
                out.append(Sample(text, s.generated, [s.text]))
            self.stats["sample_template_calls"] += 1
            return out, j
        if name == "fmt.Sprintf":
            fmt_ = args[0].text
            rest = [a for a in args[1:]]
            pieces = re.split(r"(%[-+# 0]*\d*(?:\.\d+)?[svdqxX%])", fmt_)
            acc = Sample("")
            k = 0
            for p in pieces:
                if re.fullmatch(r"%[-+# 0]*\d*(?:\.\d+)?[svdqxX%]", p or "x"):
                    if p == "%%":
                        acc = acc + Sample("%")
                        continue
                    if k >= len(rest):
                        raise Unresolved("sprintf args")
                    a = rest[k]
                    k += 1
                    if isinstance(a, Sample):
                        acc = acc + (Sample(json.dumps(a.text), a.generated, a.secrets) if p.endswith("q") else a)
                    elif isinstance(a, (int, bool)):
                        acc = acc + Sample(str(a).lower() if isinstance(a, bool) else str(a))
                    else:
                        raise Unresolved("sprintf arg type")
                else:
                    acc = acc + Sample(p)
            return acc, j
        if name == "strings.Repeat":
            if isinstance(args[0], Sample) and isinstance(args[1], int):
                return Sample(args[0].text * args[1], args[0].generated, args[0].secrets), j
        if name in ("strings.ToUpper", "strings.ToLower", "strings.TrimSpace"):
            s = args[0]
            f = {"strings.ToUpper": str.upper, "strings.ToLower": str.lower, "strings.TrimSpace": str.strip}[name]
            return Sample(f(s.text), s.generated, [f(x) for x in s.secrets]), j
        if name == "strings.Join" and isinstance(args[0], list):
            sep = args[1].text
            return Sample(sep.join(a.text for a in args[0]), any(a.generated for a in args[0]),
                          [x for a in args[0] for x in a.secrets]), j
        if name in ("string",) and args and isinstance(args[0], Sample):
            return args[0], j
        raise Unresolved(f"call {name}")


def go_package_defs(files_tokens):
    """Top-level `var`/`const` definitions `name = expr` (also inside var ( … ) blocks)."""
    defs = {}
    for toks in files_tokens:
        depth = 0
        i = 0
        n = len(toks)
        while i < n:
            k, v = toks[i]
            if k == "op" and v in "{(":
                depth += 1
            elif k == "op" and v in "})":
                depth -= 1
            elif depth == 0 and k == "id" and v in ("var", "const"):
                if i + 1 < n and toks[i + 1][1] == "(":
                    j, d = i + 2, 1
                    while j < n and d > 0:
                        if toks[j][1] in "({[":
                            d += 1
                        elif toks[j][1] in ")}]":
                            d -= 1
                        elif d == 1 and toks[j][0] == "id" and j + 1 < n and toks[j + 1][1] == "=" :
                            defs.setdefault(toks[j][1], (toks, j + 2))
                        elif d == 1 and toks[j][0] == "id" and j + 2 < n and toks[j + 1][0] == "id" \
                                and toks[j + 2][1] == "=":
                            defs.setdefault(toks[j][1], (toks, j + 3))
                        j += 1
                    i = j
                    continue
                if i + 2 < n and toks[i + 1][0] == "id":
                    if toks[i + 2][1] == "=":
                        defs.setdefault(toks[i + 1][1], (toks, i + 3))
                    elif i + 3 < n and toks[i + 3][1] == "=":
                        defs.setdefault(toks[i + 1][1], (toks, i + 4))
            i += 1
    return defs


def go_functions(toks):
    """Yields (name, body_start, body_end) for top-level func declarations."""
    i, n = 0, len(toks)
    while i < n:
        if toks[i] == ("id", "func"):
            j = i + 1
            if j < n and toks[j][1] == "(":  # method receiver
                d = 0
                while j < n:
                    if toks[j][1] == "(":
                        d += 1
                    elif toks[j][1] == ")":
                        d -= 1
                        if d == 0:
                            break
                    j += 1
                j += 1
            name = toks[j][1] if j < n else ""
            # find the body '{' at paren depth 0
            d = 0
            while j < n:
                v = toks[j][1]
                if v in "([":
                    d += 1
                elif v in ")]":
                    d -= 1
                elif v == "{" and d == 0 and toks[j - 1][1] not in ("struct", "interface") \
                        and toks[j - 1][1] != "]" and not (toks[j - 1][0] == "id" and toks[j - 2][1] == "]"):
                    break
                j += 1
            start = j
            d = 0
            while j < n:
                if toks[j][1] == "{":
                    d += 1
                elif toks[j][1] == "}":
                    d -= 1
                    if d == 0:
                        break
                j += 1
            yield name, start, j
            i = j + 1
        else:
            i += 1


# ---------------------------------------------------------------- source readers

def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def gitleaks_examples(root, rng, all_templates, stats):
    rdir = os.path.join(root, "cmd", "generate", "config", "rules")
    files = sorted(f for f in os.listdir(rdir) if f.endswith(".go") and not f.endswith("_test.go"))
    toks_by_file = {f: go_tokens(read(os.path.join(rdir, f))) for f in files}
    pkg = go_package_defs(toks_by_file.values())
    out = []
    for f in files:
        toks = toks_by_file[f]
        for fname, b0, b1 in go_functions(toks):
            body = toks[b0:b1 + 1]
            rule_ids = [body[k + 2][1] for k in range(len(body) - 2)
                        if body[k] == ("id", "RuleID") and body[k + 1][1] == ":" and body[k + 2][0] == "str"]
            calls = [k for k in range(len(body) - 1) if body[k][0] == "id"
                     and body[k][1].startswith("Validate") and body[k - 1][1] == "." and body[k + 1][1] == "("]
            if not rule_ids or not calls:
                continue
            ev = GoEval(body, pkg, rng, all_templates, stats)
            # sequential local assignments
            k = 0
            while k < len(body) - 1:
                if body[k][0] == "id" and body[k + 1][1] in (":=", "=") and body[k - 1][1] not in (".", ","):
                    name = body[k][1]
                    try:
                        val, k2 = ev.expr(k + 2)
                        ev.env[name] = val
                        k = k2
                        continue
                    except (Unresolved, IndexError, ValueError) as e:
                        ev.env[name] = Unresolved(str(e))
                k += 1
            for c in calls[:1]:
                # utils.Validate(r, tps, fps): evaluate the 2nd and 3rd argument only
                args, j = [], c + 2
                while j < len(body) and not body[j] == ("op", ")"):
                    end = ev.skip_expr(j)
                    if len(args) in (1, 2):
                        try:
                            v, _ = ev.expr(j)
                        except (Unresolved, IndexError, ValueError):
                            stats["gitleaks_validate_arg_unresolved"] += 1
                            v = []
                        args.append(v)
                    else:
                        args.append(None)
                    j = end + 1 if end < len(body) and body[end] == ("op", ",") else end
                pos = args[1] if len(args) > 1 else []
                neg = args[2] if len(args) > 2 else []
                if isinstance(pos, dict) or not isinstance(pos, list):
                    pos = []
                if not isinstance(neg, list):
                    neg = []
                rid = rule_ids[0]
                prov = norm_provider(f)
                for s in pos:
                    out.append(dict(source="gitleaks", rule=rid, provider_raw=f[:-3], provider=prov,
                                    polarity="pos", text=s.text, generated=s.generated,
                                    expected=sorted(set(s.secrets)), origin=f"{rdir_rel(root, rdir)}/{f}:{fname}"))
                for s in neg:
                    out.append(dict(source="gitleaks", rule=rid, provider_raw=f[:-3], provider=prov,
                                    polarity="neg", text=s.text, generated=s.generated, expected=[],
                                    origin=f"{rdir_rel(root, rdir)}/{f}:{fname}"))
    return out


def rdir_rel(root, d):
    return os.path.relpath(d, root)


def trufflehog_examples(root, rng, stats):
    ddir = os.path.join(root, "pkg", "detectors")
    out = []
    for dirpath, dirnames, filenames in os.walk(ddir):
        dirnames.sort()
        tests = sorted(f for f in filenames if f.endswith("_test.go") and "integration" not in f)
        if not tests:
            continue
        gos = sorted(f for f in filenames if f.endswith(".go"))
        toks_by_file = {f: go_tokens(read(os.path.join(dirpath, f))) for f in gos}
        pkg = go_package_defs(toks_by_file.values())
        rel = os.path.relpath(dirpath, ddir)
        detector = rel.split(os.sep)[0]
        prov = norm_provider(detector)
        for f in tests:
            toks = toks_by_file[f]
            for fname, b0, b1 in go_functions(toks):
                if "pattern" not in fname.lower():
                    continue
                body = toks[b0:b1 + 1]
                ev = GoEval(body, pkg, rng, False, stats)
                for k in range(len(body) - 1):
                    if body[k][0] == "id" and body[k + 1][1] == ":=" and body[k - 1][1] not in (".", ","):
                        ev.lazy_local.setdefault(body[k][1], k + 2)
                # brace stack to find each test-case block holding `input:`
                stack = []
                blocks = {}
                for k, (kind, v) in enumerate(body):
                    if v == "{" and kind == "op":
                        stack.append(k)
                    elif v == "}" and kind == "op" and stack:
                        s0 = stack.pop()
                        blocks[s0] = k
                    elif kind == "id" and v == "input" and k + 1 < len(body) and body[k + 1][1] == ":" \
                            and stack:
                        blocks.setdefault(("in", stack[-1]), []).append(k)
                for key, ks in sorted((k2, v2) for k2, v2 in blocks.items() if isinstance(k2, tuple)):
                    s0 = key[1]
                    e0 = blocks.get(s0, len(body) - 1)
                    fields = {}
                    d = 0
                    for k in range(s0 + 1, e0):
                        v = body[k][1]
                        if body[k][0] == "op" and v in "([{":
                            d += 1
                        elif body[k][0] == "op" and v in ")]}":
                            d -= 1
                        elif d == 0 and body[k][0] == "id" and body[k + 1][1] == ":" and v not in fields:
                            fields[v] = k + 2
                    if "input" not in fields:
                        continue
                    try:
                        inp, _ = ev.expr(fields["input"])
                        if not isinstance(inp, Sample):
                            raise Unresolved("input type")
                    except (Unresolved, IndexError, ValueError):
                        stats["trufflehog_input_unresolved"] += 1
                        continue
                    want_key = next((w for w in ("want", "expected", "wantResults", "want_results",
                                                 "expectedResults", "shouldMatch", "wantMatch") if w in fields), None)
                    polarity, expected = "neg", []
                    if want_key:
                        wi = fields[want_key]
                        if body[wi] == ("id", "nil") or body[wi] == ("id", "false"):
                            polarity = "neg"
                        elif body[wi] == ("id", "true"):
                            polarity = "pos"
                        elif body[wi][1] == "[" and body[wi + 1][1] == "]" and body[wi + 3][1] == "{" \
                                and body[wi + 4][1] == "}":
                            polarity = "neg"
                        else:
                            polarity = "pos"
                            try:
                                w, _ = ev.expr(wi)
                                if isinstance(w, list):
                                    expected = [x.text for x in w]
                                    if not w:
                                        polarity = "neg"
                                elif isinstance(w, Sample):
                                    expected = [w.text]
                            except (Unresolved, IndexError, ValueError):
                                stats["trufflehog_want_unresolved"] += 1
                    out.append(dict(source="trufflehog", rule=detector, provider_raw=detector, provider=prov,
                                    polarity=polarity, text=inp.text, generated=inp.generated,
                                    expected=sorted(set(x for x in expected if x)),
                                    origin=f"pkg/detectors/{rel}/{f}:{fname}"))
    return out


# -- Kingfisher YAML (only what its rule files use)

YAML_ESC = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0"}


def yaml_fold(lines):
    """Flow-scalar line folding: single newline -> space, empty lines -> newline."""
    out = ""
    pending_blank = 0
    for idx, ln in enumerate(lines):
        s = ln.strip() if 0 < idx < len(lines) - 1 else (ln.rstrip() if idx == 0 else ln.lstrip())
        if idx == 0 and len(lines) > 1:
            s = ln.rstrip()
        if idx > 0 and s == "" and idx < len(lines) - 1:
            pending_blank += 1
            continue
        if idx > 0:
            out += "\n" * pending_blank if pending_blank else " "
            pending_blank = 0
        out += s
    return out


def yaml_dq(text):
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n == "x":
                out.append(chr(int(text[i + 2:i + 4], 16))); i += 4; continue
            if n == "u":
                out.append(chr(int(text[i + 2:i + 6], 16))); i += 6; continue
            if n == "U":
                out.append(chr(int(text[i + 2:i + 10], 16))); i += 10; continue
            if n == "\n":
                i += 2
                while i < len(text) and text[i] in " \t":
                    i += 1
                continue
            out.append(YAML_ESC.get(n, n)); i += 2; continue
        out.append(c); i += 1
    return "".join(out)


def indent_of(line):
    return len(line) - len(line.lstrip(" "))


def yaml_scalar(lines, i, first, base_indent):
    """Parses the scalar starting with `first` (text after '- ' or 'key: ') on line i.
    Returns (value, next_line_index)."""
    f = first.strip()
    if f[:1] in "|>":
        m = re.match(r"^([|>])([+-]?)(\d?)([+-]?)\s*(#.*)?$", f)
        style, chomp = m.group(1), (m.group(2) or m.group(4))
        j = i + 1
        block = []
        ind = None
        while j < len(lines):
            ln = lines[j]
            if ln.strip() == "":
                block.append("")
                j += 1
                continue
            if indent_of(ln) <= base_indent:
                break
            if ind is None:
                ind = int(m.group(3)) + base_indent if m.group(3) else indent_of(ln)
            if indent_of(ln) < ind:
                break
            block.append(ln[ind:])
            j += 1
        # trailing blank lines belong to chomping
        trail = 0
        while block and block[-1] == "":
            block.pop()
            trail += 1
        if style == "|":
            body = "\n".join(block)
        else:
            body, prev_more = "", False
            for k, b in enumerate(block):
                more = b.startswith((" ", "\t"))
                if k == 0:
                    body = b
                elif b == "":
                    body += "\n"
                elif body.endswith("\n") or more or prev_more:
                    body += ("\n" if not body.endswith("\n") else "") + b
                else:
                    body += " " + b
                prev_more = more
        if chomp == "-":
            val = body
        elif chomp == "+":
            val = body + "\n" * (1 + trail) if block else "\n" * trail
        else:
            val = body + "\n" if block else ""
        return val, j
    if f[:1] in ("'", '"'):
        q = f[0]
        buf = [first.lstrip()[1:]]
        j = i
        while True:
            joined = "\n".join(buf)
            if q == "'":
                m = re.match(r"^((?:[^']|'')*)'", joined)
            else:
                m = re.match(r'^((?:[^"\\]|\\.|\\\n)*)"', joined, re.S)
            if m:
                raw = m.group(1)
                break
            j += 1
            if j >= len(lines):
                raw = joined
                break
            buf.append(lines[j])
        parts = raw.split("\n")
        if q == "'":
            folded = yaml_fold(parts) if len(parts) > 1 else raw
            return folded.replace("''", "'"), j + 1
        if len(parts) > 1:
            # keep escaped line breaks for yaml_dq, fold the rest
            segs, cur = [], []
            for p in parts:
                cur.append(p)
            raw = yaml_fold(cur) if not any(p.endswith("\\") for p in parts) else raw
        return yaml_dq(raw), j + 1
    # plain scalar, possibly continued on more-indented lines
    val = re.sub(r"\s+#.*$", "", f)
    j = i + 1
    while j < len(lines):
        ln = lines[j]
        if ln.strip() == "" or indent_of(ln) <= base_indent or ln.lstrip().startswith("- ") \
                or ln.lstrip().startswith("#"):
            break
        val += " " + re.sub(r"\s+#.*$", "", ln.strip())
        j += 1
    return val, j


def yaml_seq(lines, i, key_indent):
    """Sequence of scalars under a key at key_indent; i = first line after the key."""
    items = []
    item_indent = None
    j = i
    while j < len(lines):
        ln = lines[j]
        st = ln.strip()
        if st == "" or st.startswith("#"):
            j += 1
            continue
        ind = indent_of(ln)
        if item_indent is None:
            if not st.startswith("-") or ind < key_indent:
                break
            item_indent = ind
        if ind != item_indent or not (st == "-" or st.startswith("- ")):
            break
        first = st[1:].lstrip() if st != "-" else ""
        m = re.match(r"^(text|example|input):\s*(.*)$", first)
        if m and first[:1] not in "'\"":  # mapping item {text: …} (not used by kingfisher 1.x)
            first = m.group(2)
        val, j = yaml_scalar(lines, j, first, item_indent)
        items.append(val)
    return items, j


def kingfisher_examples(root, stats):
    rdir = os.path.join(root, "data", "rules")
    out = []
    for f in sorted(os.listdir(rdir)):
        if not f.endswith((".yml", ".yaml")):
            continue
        lines = read(os.path.join(rdir, f)).replace("\r\n", "\n").split("\n")
        # split into rules at "- name:" / "- id:" items
        starts = [k for k, ln in enumerate(lines) if re.match(r"^\s*- (name|id):", ln)]
        if starts:  # rule items only: the indent of the first one (block scalars may hold "- name:")
            rind = indent_of(lines[starts[0]])
            starts = [k for k in starts if indent_of(lines[k]) == rind]
        starts.append(len(lines))
        for a, b in zip(starts, starts[1:]):
            chunk = lines[a:b]
            rid, pattern, ex, neg = None, None, [], []
            k = 0
            while k < len(chunk):
                ln = chunk[k]
                m = re.match(r"^(\s*)(?:- )?(id|pattern|examples|negative_examples):\s*(.*)$", ln)
                if not m:
                    k += 1
                    continue
                ind = len(m.group(1)) + (2 if ln.lstrip().startswith("- ") else 0)
                key, rest = m.group(2), m.group(3)
                if key == "id":
                    rid = rest.strip().strip("'\"")
                    k += 1
                elif key == "pattern":
                    pattern, k = yaml_scalar(chunk, k, rest, ind)
                elif rest.strip() in ("", ) or rest.strip().startswith("#"):
                    items, k = yaml_seq(chunk, k + 1, ind)
                    (ex if key == "examples" else neg).extend(items)
                else:
                    k += 1
            if not rid:
                continue
            comp = kingfisher_regex(pattern, stats)
            prov = norm_provider(f)
            for pol, items in (("pos", ex), ("neg", neg)):
                for text in items:
                    expected = []
                    if comp is not None and pol == "pos":
                        mm = comp.search(text)
                        if mm:
                            g = next((x for x in mm.groups() if x), None) if mm.groups() else None
                            expected = [g or mm.group(0)]
                    out.append(dict(source="kingfisher", rule=rid, provider_raw=f.rsplit(".", 1)[0],
                                    provider=prov, polarity=pol, text=text, generated=False,
                                    expected=expected, origin=f"data/rules/{f}:{rid}"))
    return out


def kingfisher_regex(pattern, stats):
    """Kingfisher (Rust regex) pattern -> Python re, to name the expected secret (capture group 1)."""
    if not pattern:
        return None
    p = pattern
    flags = 0
    for fl, bit in (("x", re.X), ("i", re.I), ("s", re.S), ("m", re.M)):
        if re.search(r"\(\?%s\)" % fl, p):
            flags |= bit
            p = re.sub(r"\(\?%s\)" % fl, "", p)
    p = p.replace(r"\z", r"\Z")
    try:
        return re.compile(p, flags)
    except re.error:
        stats["kingfisher_regex_not_python"] += 1
        return None


# ---------------------------------------------------------------- build

def cmd_build(a):
    stats = Counter()
    rng = random.Random(a.seed)
    examples = []
    if a.kingfisher:
        examples += kingfisher_examples(a.kingfisher, stats)
    if a.gitleaks:
        examples += gitleaks_examples(a.gitleaks, rng, a.all_templates, stats)
    if a.trufflehog:
        examples += trufflehog_examples(a.trufflehog, rng, stats)

    kept, left_out = [], Counter()
    left_out_rules = defaultdict(set)
    crc_dropped = Counter()
    seen = set()
    dup = Counter()
    for e in examples:
        if not e["text"].strip():
            left_out[(e["source"], "empty")] += 1
            continue
        ex = exclusion(e["provider"], e["rule"])
        if ex:
            left_out[(e["source"], ex)] += 1
            left_out_rules[ex].add(f'{e["source"]}:{e["rule"]}')
            continue
        if e["polarity"] == "pos" and github_bad_crc_only(e["text"]):
            crc_dropped[e["source"]] += 1
            continue
        key = (e["source"], e["polarity"], e["text"])
        if key in seen:
            dup[e["source"]] += 1
            continue
        seen.add(key)
        e["category"] = category_of(e["provider"])
        kept.append(e)

    # A negative of one rule can be a real credential of another ("wrong prefix: an API key, not an
    # admin key"): negatives holding a secret that is a positive anywhere in the corpus are left out.
    pos_secrets = {x for e in kept if e["polarity"] == "pos" for x in e.get("expected") or [] if len(x) >= 12}
    pos_texts = {e["text"].strip() for e in kept if e["polarity"] == "pos"}
    other_rule = Counter()
    kept2 = []
    for e in kept:
        if e["polarity"] == "neg" and (e["text"].strip() in pos_texts or any(x in e["text"] for x in pos_secrets)):
            other_rule[e["source"]] += 1
            continue
        kept2.append(e)
    kept = kept2

    out = a.out
    if os.path.isdir(out):
        import shutil
        shutil.rmtree(out)
    os.makedirs(out)
    counters = Counter()
    for e in kept:
        d = os.path.join(e["source"], e["polarity"], e["category"], e["provider"])
        counters[d] += 1
        rel = os.path.join(d, f"{counters[d]}.txt")
        os.makedirs(os.path.join(out, d), exist_ok=True)
        text = e["text"] if e["text"].endswith("\n") else e["text"] + "\n"
        with open(os.path.join(out, rel), "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        e["file"] = rel
        e["id"] = rel[:-4]
        del e["text"]

    summary = {
        "seed": a.seed,
        "all_templates": a.all_templates,
        "examples": len(kept),
        "by_source": {s: dict(Counter(e["polarity"] for e in kept if e["source"] == s)) for s in SOURCES},
        "left_out": {f"{s}:{r}": n for (s, r), n in sorted(left_out.items())},
        "left_out_rules": {k: sorted(v) for k, v in sorted(left_out_rules.items())},
        "github_bad_crc_positives_dropped": dict(crc_dropped),
        "duplicates_dropped": dict(dup),
        "negatives_that_are_positives_elsewhere": dict(other_rule),
        "extraction": dict(stats),
        "sources": a.source_desc or {},
    }
    with open(manifest_path(out), "w") as fh:
        json.dump({"summary": summary, "examples": kept}, fh, indent=1)
    sys.stderr.write("recall_corpus.py: %d examples (%s) in %s\n" % (
        len(kept), ", ".join(f"{s} {v.get('pos', 0)}+/{v.get('neg', 0)}-" for s, v in summary["by_source"].items()), out))
    return 0


# ---------------------------------------------------------------- score

def manifest_path(corpus):
    """The manifest sits beside the corpus folder (CORPUS.manifest.json), so that scanners never read it."""
    return os.path.abspath(corpus).rstrip("/") + ".manifest.json"


def load(path):
    try:
        with open(path, errors="replace") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def norm_path(p, corpus):
    if not p:
        return None
    p = p.replace("\\", "/")
    c = os.path.realpath(corpus).rstrip("/") + "/"
    if p.startswith(c):
        p = p[len(c):]
    elif os.path.isabs(p):
        cc = corpus.rstrip("/") + "/"
        if p.startswith(cc):
            p = p[len(cc):]
    while p.startswith("./"):
        p = p[2:]
    return p


def findings_of(tool, d, corpus):
    """-> dict file -> list of (rule, value, fingerprint, redacted)."""
    res = defaultdict(list)
    if d is None:
        return None
    if tool == "keyledger":
        for c in d.get("credentials") or []:
            for loc in c.get("locations") or []:
                res[norm_path(loc.get("path"), corpus)].append(
                    (c.get("rule"), None, (c.get("fingerprint") or "").replace("sha256:", ""), c.get("redacted")))
    elif tool == "gitleaks":
        for f in d if isinstance(d, list) else []:
            res[norm_path(f.get("File"), corpus)].append((f.get("RuleID"), f.get("Secret"), None, None))
    elif tool == "betterleaks":
        for f in d.get("findings") or []:
            loc = f.get("location") or {}
            path = loc.get("path") or loc.get("file") or f.get("file") or f.get("path") or \
                (f.get("source") or {}).get("path") if isinstance(f.get("source"), dict) else None
            path = path or loc.get("path") or f.get("File")
            rule = (f.get("rule") or {}).get("id") if isinstance(f.get("rule"), dict) else f.get("rule_id") or f.get("ruleID")
            val = (f.get("match") or {}).get("value") if isinstance(f.get("match"), dict) else f.get("secret")
            res[norm_path(path, corpus)].append((rule, val, None, None))
    elif tool == "kingfisher":
        for f in d.get("findings") or []:
            fi = f.get("finding") or {}
            rule = (f.get("rule") or {}).get("id")
            res[norm_path(fi.get("path"), corpus)].append((rule, fi.get("snippet"), None, None))
    return res


def covers(expected, hit):
    rule, val, fp, red = hit
    for e in expected:
        if fp and hashlib.sha256(e.encode()).hexdigest() == fp:
            return True
        if val:
            a, b = (val, e) if len(val) <= len(e) else (e, val)
            if len(a) >= 8 and a in b:
                return True
        if red and "\u2026" in red:
            pre, suf = red.split("\u2026", 1)
            if pre and suf and pre in e and suf in e and e.find(pre) + len(pre) <= e.rfind(suf):
                return True
    return False


def pct(n, d):
    return "–" if d == 0 else f"{100.0 * n / d:.1f}%"


def cell(n, d):
    return "–" if d == 0 else f"{n}/{d} ({pct(n, d)})"

# ---------------------------------------------------------------- fair headline: placeholder-shaped
# positives and contested negatives (see the module docstring for the definitions)

PLACEHOLDER_WORDS = ("example", "sample", "fake", "dummy", "placeholder", "your", "xxxx", "test",
                     "redacted", "changeme", "lorem")
# "test" as a mode segment of a key format is not a placeholder word: sk_test_…, test_pub_…, FLWSECK_TEST-…
MODE_TEST = re.compile(r"(?i)(^|[_-])test(?=[_-])")
RUN5 = re.compile(r"([A-Za-z0-9])\1{4,}")
KEY_TOKEN = re.compile(r"[A-Za-z0-9_+/\-]+={0,2}")
SECRET_PROXY = re.compile(r"[A-Za-z0-9_+/.\-]{16,}={0,2}")
COUNTING = ("0123456789", "abcdefghijklmnopqrstuvwxyz")


def counting_run(v, n=6):
    """The first run of n characters that count up or down by one (0-9 or a-z, any case), or None."""
    low = v.lower()
    for i in range(len(low) - n + 1):
        w = low[i:i + n]
        if any(w in seq or w in seq[::-1] for seq in COUNTING):
            return v[i:i + n]
    return None


def principal(v):
    """The secret part of an expected value: its longest run of key characters ([A-Za-z0-9_+/-], '='
    padding), so that the host, e-mail or account name that TruffleHog joins to a key with ':' (or
    that sits beside it in JSON) is not judged."""
    toks = KEY_TOKEN.findall(v)
    return max(toks, key=len) if toks else v


def placeholder_reason(v):
    """Why the value v is placeholder-shaped, or None when it is well-formed (see the module docstring)."""
    p = principal(v)
    c = counting_run(p)
    if c:
        return f"counting sequence '{c}'"
    for m in RUN5.finditer(p):
        # runs of 'A' are base64 zero bytes, part of real formats (Twitter bearer tokens, Azure DevOps
        # PATs, Entra refresh tokens, macaroons); they count only when they make up half the secret
        if m.group(1) != "A" or 2 * len(m.group(0)) >= len(p):
            return f"run '{m.group(0)[:8]}{'…' if len(m.group(0)) > 8 else ''}'"
    low = MODE_TEST.sub(r"\1_", p).lower()
    for w in PLACEHOLDER_WORDS:
        if w in low:
            return f"word '{w}'"
    return None


def secret_proxy(text):
    """The longest token of 16+ key characters in text: stands in for an unknown expected secret."""
    toks = SECRET_PROXY.findall(text)
    return max(toks, key=len) if toks else None


def positive_shape(r, corpus):
    """-> (shape, reason): shape "placeholder" when every expected secret is placeholder-shaped."""
    vals = list(r.get("expected") or [])
    proxy = False
    if not vals:
        p = secret_proxy(read(os.path.join(corpus, r["file"]))) if corpus else None
        if not p:
            return "well-formed", "secret unknown"
        vals, proxy = [p], True
    reasons = []
    for v in vals:
        why = placeholder_reason(v)
        if not why:
            return "well-formed", ""
        reasons.append(why)
    return "placeholder", reasons[0] + (" (in the longest token; expected secret unknown)" if proxy else "")


def is_generic_rule(rule):
    """Keyword = value heuristics (generic-api-key, generic-password, …) do not vote on whether a negative
    holds a credential; a generic private-key rule does (a private key is a credential)."""
    r = (rule or "").lower()
    return "generic" in r and not re.search(r"private[-_.]?key", r)


HOSTNAME = re.compile(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?")


def credential_like(p):
    """A part of an expected secret that is a credential itself: 16+ characters without whitespace, not a
    URL, host name, e-mail address or query string (the identifiers TruffleHog pairs with a key), and
    not placeholder-shaped."""
    return (len(p) >= 16 and not re.search(r"\s|//|@|&", p) and not HOSTNAME.fullmatch(p)
            and not placeholder_reason(p))


def credential_parts(results):
    """source -> set of the strings the source's own positives give as (part of) their expected
    secrets: each expected secret, and its ':'-separated parts (TruffleHog joins a detector's paired
    values with ':', e.g. refresh token:client id:client secret), where credential_like."""
    parts = defaultdict(set)
    for r in results:
        if r["polarity"] != "pos":
            continue
        for e in r.get("expected") or []:
            for p in {e} | set(e.split(":")):
                p = p.strip()
                if credential_like(p):
                    parts[r["source"]].add(p)
    return parts


def negative_contest(r, tools, text, parts):
    """-> (klass, reasons): "contested" when the negative holds a string reported as a credential by at
    least two of the scanners (non-generic rules), or flagged by the source's own scanner (any rule), or
    given as (part of) a positive's expected secret by the source's own tests; else "clean"."""
    reasons = []
    voters = [t for t in tools if any(not is_generic_rule(x) for x in r["results"][t]["rules"])]
    if len(voters) >= 2:
        reasons.append("reported by " + " + ".join(voters))
    own = [t for t in tools if t in AUTHORS[r["source"]] and r["results"][t]["found"]]
    if own:
        reasons.append("own scanner " + "/".join(own) + " flags it (" +
                       ", ".join(sorted({x for t in own for x in r["results"][t]["rules"]})) + ")")
    hit = next((p for p in sorted(parts.get(r["source"], ()), key=len, reverse=True) if p in text), None)
    if hit:
        reasons.append(f"holds a credential of the source's own positives ({hit[:12]}…)")
    return ("contested" if reasons else "clean"), reasons



def cmd_score(a):
    man = load(manifest_path(a.corpus))
    if not man:
        sys.exit("recall_corpus.py: no " + manifest_path(a.corpus))
    exs = man["examples"]
    summ = man["summary"]
    meta = {}
    if a.meta and os.path.exists(a.meta):
        for line in read(a.meta).splitlines():
            if "\t" in line:
                k, v = line.split("\t", 1)
                meta[k] = v
    tools, status = [], {}
    per_tool = {}
    for t in TOOLS:
        td = os.path.join(a.runs, t)
        if not os.path.isdir(td):
            continue
        if os.path.exists(os.path.join(td, "skipped")):
            status[t] = "skipped: " + read(os.path.join(td, "skipped")).strip()
            continue
        d = load(os.path.join(td, "out.json"))
        fm = findings_of(t, d, a.corpus)
        rc = read(os.path.join(td, "rc")).strip() if os.path.exists(os.path.join(td, "rc")) else "?"
        if fm is None:
            err = read(os.path.join(td, "stderr")).strip().splitlines() if os.path.exists(os.path.join(td, "stderr")) else []
            status[t] = f"failed (exit {rc}, no readable out.json" + (f": {err[0][:200]}" if err else "") + ")"
            sys.stderr.write(f"recall_corpus.py: {t} {status[t]}\n")
            continue
        tools.append(t)
        per_tool[t] = fm
        status[t] = f"ok (exit {rc})"
    known = {e["file"] for e in exs}
    unmapped = {t: sorted(set(k for k in per_tool[t] if k not in known)) for t in tools}

    results = []
    for e in exs:
        r = dict(e)
        r["results"] = {}
        for t in tools:
            hits = per_tool[t].get(e["file"], [])
            strict = None
            if e["polarity"] == "pos" and e.get("expected"):
                strict = any(covers(e["expected"], h) for h in hits)
            r["results"][t] = {"found": bool(hits), "strict": strict,
                               "rules": sorted(set(str(h[0]) for h in hits))}
        results.append(r)

    parts = credential_parts(results)
    for r in results:
        if r["polarity"] == "pos":
            r["shape"], r["shape_reason"] = positive_shape(r, a.corpus)
        else:
            r["contest"], r["contest_reasons"] = negative_contest(
                r, tools, read(os.path.join(a.corpus, r["file"])), parts)

    with open(a.json, "w") as fh:
        json.dump({"summary": summ, "tools": tools, "status": status, "meta": meta,
                   "unmapped_paths": unmapped, "examples": results}, fh, indent=1)

    pos = [r for r in results if r["polarity"] == "pos"]
    neg = [r for r in results if r["polarity"] == "neg"]
    L = []
    L.append(f"# keyledger recall benchmark — {meta.get('date', '')}".rstrip(" —"))
    L.append("")
    L.append("Corpus: the peers' own published rule tests, one example per file, AI and machine credentials only "
             f"(`{a.corpus}`). Seed {summ.get('seed')}.  ")
    for s, desc in (summ.get("sources") or {}).items():
        L.append(f"- {s}: {desc}")
    L.append("")
    L.append("Tools: " + "; ".join(f"{t} {meta.get('version_' + t, '?')} — {status.get(t, 'not run')}"
                                   for t in TOOLS if t in status or t in tools))
    L.append("")
    wf = [r for r in pos if r.get("shape") == "well-formed"]
    ph = [r for r in pos if r.get("shape") == "placeholder"]
    clean = [r for r in neg if r.get("contest") == "clean"]
    contested = [r for r in neg if r.get("contest") == "contested"]

    def rate(rs, t):
        return sum(r["results"][t]["found"] for r in rs) / len(rs) if rs else 0.0

    L.append("## Headline: well-formed recall per source, clean negatives flagged")
    L.append("")
    L.append("A positive counts when the tool reports any finding in its file. **Well-formed** = positives with at "
             "least one expected secret that is not placeholder-shaped; the raw recall over all positives is "
             "given beside it (`wf · all`). **Clean** negatives = negatives not contested (definitions below). "
             f"Target per source: keyledger's well-formed recall ≥ the best independent peer's, with ≤ {a.max_clean} "
             "clean negatives flagged.")
    L.append("")
    L.append("| source | well-formed / all positives | " + " | ".join(tools) +
             " | best independent peer (wf) | clean / all negatives | clean flagged: " + " / ".join(tools) +
             " | target met |")
    L.append("|---|---:|" + "---:|" * len(tools) + "---|---:|---:|---|")
    for s in SOURCES + ["all"]:
        ws = [r for r in wf if s == "all" or r["source"] == s]
        ps = [r for r in pos if s == "all" or r["source"] == s]
        cs = [r for r in clean if s == "all" or r["source"] == s]
        ns = [r for r in neg if s == "all" or r["source"] == s]
        row = [s, f"{len(ws)} / {len(ps)}"]
        for t in tools:
            n = sum(r["results"][t]["found"] for r in ws)
            row.append(f"{cell(n, len(ws))} · all {pct(sum(r['results'][t]['found'] for r in ps), len(ps))}")
        peers = [t for t in tools if t != "keyledger" and (s == "all" or t not in AUTHORS[s])]
        verdict = "–"
        if s != "all" and peers:
            best = max(peers, key=lambda t: rate(ws, t))
            row.append(f"{best} {pct(rate(ws, best) * len(ws), len(ws))}")
            if "keyledger" in tools:
                kl_clean = sum(r["results"]["keyledger"]["found"] for r in cs)
                ok_rec = rate(ws, "keyledger") >= rate(ws, best)
                ok_neg = kl_clean <= a.max_clean
                verdict = "yes" if ok_rec and ok_neg else "**no** (" + ", ".join(
                    x for x, bad in (("recall", not ok_rec), (f"{kl_clean} clean flagged", not ok_neg)) if bad) + ")"
        else:
            row.append("–")
        row.append(f"{len(cs)} / {len(ns)}")
        row.append(" / ".join(str(sum(r["results"][t]["found"] for r in cs)) for t in tools))
        row.append(verdict)
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    L.append("Independent peer = a peer that did not write the source's tests (gitleaks' tests ship with both "
             "gitleaks and betterleaks, so only Kingfisher is independent there; Kingfisher 2.x itself imports "
             "most betterleaks rules). The `all` row pools the sources and names no peer.")
    L.append("")
    L.append("**Placeholder-shaped** (an expected secret; TruffleHog's composite values are judged by their "
             "principal part, the longest run of key characters `[A-Za-z0-9_+/-]` with `=` padding): it holds "
             "a counting run of 6 characters (each the successor of the previous in 0-9 or a-z, any case: "
             "`abcdef`, `123456`, `lmnopq` …, or counting down: `654321`), or a run of ≥ 5 identical letters or digits (a run of `A`, "
             "base64 zero bytes that real formats such as Twitter bearer tokens and Azure DevOps PATs contain, "
             "only when it is at least half the secret), or one of the words "
             + ", ".join(f"`{w}`" for w in PLACEHOLDER_WORDS) + " (any case; `test` as a mode segment such as "
             "`sk_test_`, `test_pub_` does not count). A positive is placeholder-shaped when every expected "
             "secret is; when the secret is unknown, the longest token of 16+ key characters in the example "
             "stands in for it.  ")
    L.append("**Contested** negative: the tools' findings in its file mean that it holds a credential after all — "
             "at least two of the four scanners report it under a non-generic rule (keyword = value heuristics "
             "such as `generic-api-key` do not vote; private-key rules do), or the source's own scanner flags it "
             "under any rule (gitleaks/betterleaks on gitleaks' tests, Kingfisher on its own), or it contains a "
             "credential-like string (16+ characters, no whitespace, not a URL, host, e-mail or query string, "
             "not placeholder-shaped) that one of the source's own positives gives as its expected secret or "
             "as a `:`-separated part of it (TruffleHog, whose scanner is not run here, rejects such a negative "
             "only because the paired value or keyword is missing). Every other negative is clean.")
    L.append("")
    L.append("## Recall per source, all positives (raw)")
    L.append("")
    L.append("| source | positives | " + " | ".join(tools) + " | best independent peer | keyledger ≥ it |")
    L.append("|---|---:|" + "---:|" * len(tools) + "---|---|")
    for s in SOURCES + ["all"]:
        ps = [r for r in pos if s == "all" or r["source"] == s]
        row = [s, str(len(ps))]
        rec = {}
        for t in tools:
            n = sum(r["results"][t]["found"] for r in ps)
            rec[t] = n / len(ps) if ps else 0
            row.append(cell(n, len(ps)))
        if s == "all":
            row += ["", ""]
        else:
            peers = [t for t in tools if t != "keyledger" and t not in AUTHORS[s]]
            if peers:
                best = max(peers, key=lambda t: rec[t])
                row.append(f"{best} {pct(rec[best] * len(ps), len(ps))}")
                row.append(("yes" if rec.get("keyledger", 0) >= rec[best] else "**no**") if "keyledger" in tools else "–")
            else:
                row += ["–", "–"]
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    L.append("### Placeholder-shaped positives (left out of the headline)")
    L.append("")
    L.append("| source | placeholder-shaped | " + " | ".join(tools) + " | why (counting / run / word) |")
    L.append("|---|---:|" + "---:|" * len(tools) + "---|")
    for s in SOURCES + ["all"]:
        hs = [r for r in ph if s == "all" or r["source"] == s]
        why = Counter(r["shape_reason"].split(" ")[0] for r in hs)
        L.append("| " + " | ".join([s, str(len(hs))] + [cell(sum(r["results"][t]["found"] for r in hs), len(hs))
                                                       for t in tools]
                                     + [f"{why.get('counting', 0)} / {why.get('run', 0)} / {why.get('word', 0)}"]) + " |")
    L.append("")
    L.append("### Strict recall (the finding covers the expected secret; positives whose secret is known)")
    L.append("")
    L.append("| source | well-formed / all with known secret | " + " | ".join(tools) + " |")
    L.append("|---|---:|" + "---:|" * len(tools))
    for s in SOURCES + ["all"]:
        ps = [r for r in pos if (s == "all" or r["source"] == s) and r.get("expected")]
        ws = [r for r in ps if r.get("shape") == "well-formed"]
        L.append("| " + " | ".join([s, f"{len(ws)} / {len(ps)}"] + [
            f"{cell(sum(bool(r['results'][t]['strict']) for r in ws), len(ws))} · all "
            f"{pct(sum(bool(r['results'][t]['strict']) for r in ps), len(ps))}" for t in tools]) + " |")
    L.append("")
    L.append("## Recall per category")
    L.append("")
    L.append("| source | category | positives | " + " | ".join(tools) + " |")
    L.append("|---|---|---:|" + "---:|" * len(tools))
    for s in SOURCES + ["all"]:
        for c in ("ai", "service"):
            ps = [r for r in pos if (s == "all" or r["source"] == s) and r["category"] == c]
            L.append("| " + " | ".join([s, c, str(len(ps))] + [cell(sum(r["results"][t]["found"] for r in ps), len(ps))
                                                             for t in tools]) + " |")
    L.append("")
    if "keyledger" in tools:
        L.append(f"## Providers: keyledger's top misses (all sources, top {a.top})")
        L.append("")
        L.append("| provider | category | positives | keyledger missed | " + " | ".join(tools) + " |")
        L.append("|---|---|---:|---:|" + "---:|" * len(tools))
        byp = defaultdict(list)
        for r in pos:
            byp[r["provider"]].append(r)
        order = sorted(byp, key=lambda p: (-sum(not r["results"]["keyledger"]["found"] for r in byp[p]), p))
        for p in order[: a.top]:
            rs = byp[p]
            miss = sum(not r["results"]["keyledger"]["found"] for r in rs)
            if miss == 0:
                break
            L.append("| " + " | ".join([p, rs[0]["category"], str(len(rs)), str(miss)] +
                                       [cell(sum(r["results"][t]["found"] for r in rs), len(rs)) for t in tools]) + " |")
        L.append("")
        ai = defaultdict(list)
        for r in pos:
            if r["category"] == "ai":
                ai[r["provider"]].append(r)
        L.append("AI providers (all sources): " + ", ".join(
            f"{p} {sum(r['results']['keyledger']['found'] for r in rs)}/{len(rs)}" for p, rs in sorted(ai.items())))
        L.append("")
    L.append("## Flagged negatives (a negative counts when the tool reports any finding in its file)")
    L.append("")
    L.append("| source | negatives | clean | contested | " + " | ".join(f"{t} clean · contested" for t in tools) + " |")
    L.append("|---|---:|---:|---:|" + "---:|" * len(tools))
    for s in SOURCES + ["all"]:
        ns = [r for r in neg if s == "all" or r["source"] == s]
        cs = [r for r in ns if r.get("contest") == "clean"]
        xs = [r for r in ns if r.get("contest") == "contested"]
        L.append("| " + " | ".join([s, str(len(ns)), str(len(cs)), str(len(xs))] + [
            f"{sum(r['results'][t]['found'] for r in cs)} · {sum(r['results'][t]['found'] for r in xs)}"
            for t in tools]) + " |")
    L.append("")
    L.append("Clean negatives flagged (the headline count):")
    L.append("")
    for t in tools:
        fl = [r for r in clean if r["results"][t]["found"]]
        if not fl:
            L.append(f"- {t}: none")
            continue
        shown = fl if t == "keyledger" else fl[: a.list_neg]
        more = "" if len(shown) == len(fl) else f" … and {len(fl) - len(shown)} more (in the JSON)"
        L.append(f"- **{t}** ({len(fl)}): " + ", ".join(
            f"`{r['file']}` ({'/'.join(r['results'][t]['rules'])})" for r in shown) + more)
    L.append("")
    L.append(f"Contested negatives ({len(contested)}; flagged by: " +
             ", ".join(f"{t} {sum(r['results'][t]['found'] for r in contested)}" for t in tools) + "):")
    L.append("")
    for r in contested:
        who = [t for t in tools if r["results"][t]["found"]]
        L.append(f"- `{r['file']}` — " + "; ".join(r["contest_reasons"]) +
                 (f" — flagged by {', '.join(who)}" if who else " — flagged by none"))
    L.append("")
    L.append("## Corpus")
    L.append("")
    L.append("| source | positives | negatives | of which generated |")
    L.append("|---|---:|---:|---:|")
    for s in SOURCES:
        rs = [r for r in results if r["source"] == s]
        L.append(f"| {s} | {sum(r['polarity'] == 'pos' for r in rs)} | {sum(r['polarity'] == 'neg' for r in rs)} | "
                 f"{sum(bool(r.get('generated')) for r in rs)} |")
    L.append("")
    lo = summ.get("left_out", {})
    if lo:
        L.append("Left out (not AI or machine credentials of a named provider): " +
                 "; ".join(f"{k} {v}" for k, v in lo.items()) + ".  ")
    crc = summ.get("github_bad_crc_positives_dropped") or {}
    L.append("GitHub positives whose tokens all fail the CRC32 checksum (not real tokens) left out: " +
             (", ".join(f"{k} {v}" for k, v in crc.items()) or "none") + ".  ")
    dup = summ.get("duplicates_dropped") or {}
    if dup:
        L.append("Exact duplicates within a source dropped: " + ", ".join(f"{k} {v}" for k, v in dup.items()) + ".  ")
    oth = summ.get("negatives_that_are_positives_elsewhere") or {}
    if oth:
        L.append("Negatives left out because they hold a secret that is a positive of another rule (e.g. a "
                 "valid API key given as a negative of the admin-key rule): " +
                 ", ".join(f"{k} {v}" for k, v in oth.items()) + ".  ")
    st = summ.get("extraction") or {}
    if st:
        L.append("Extraction: " + ", ".join(f"{k} {v}" for k, v in sorted(st.items())) + " (unresolved = test "
                 "strings built by Go code the evaluator does not model; skipped and counted).")
    for t in tools:
        if unmapped[t]:
            L.append(f"  \n**{t}**: {len(unmapped[t])} finding paths not mapped to an example file, e.g. "
                     f"`{unmapped[t][0]}`")
    L.append("")
    L.append(f"Per-example results: `{a.json}` (`scripts/bench-recall.sh --misses keyledger` lists keyledger's misses).")
    text = "\n".join(L) + "\n"
    with open(a.md, "w") as fh:
        fh.write(text)
    sys.stdout.write(text)
    return 0


def cmd_misses(a):
    d = load(a.json)
    if not d:
        sys.exit(f"recall_corpus.py: cannot read {a.json}")
    if a.tool not in d["tools"]:
        sys.exit(f"recall_corpus.py: {a.tool} was not run in {a.json} (ran: {', '.join(d['tools'])})")
    corpus = a.corpus or ""
    for r in d["examples"]:
        if a.source and r["source"] != a.source:
            continue
        if a.category and r["category"] != a.category:
            continue
        found = r["results"][a.tool]["found"]
        if a.negatives:
            if r["polarity"] == "neg" and found:
                if a.well_formed and r.get("contest", "clean") != "clean":
                    continue
                print(os.path.join(corpus, r["file"]) + "\t" + ",".join(r["results"][a.tool]["rules"])
                      + ("\tcontested: " + "; ".join(r["contest_reasons"]) if r.get("contest") == "contested" else ""))
        elif r["polarity"] == "pos" and not found:
            if a.well_formed and r.get("shape", "well-formed") != "well-formed":
                continue
            print(os.path.join(corpus, r["file"]) + "\t" + r["rule"]
                  + ("\tplaceholder-shaped: " + r["shape_reason"] if r.get("shape") == "placeholder" else ""))
    return 0


def main(argv):
    if hasattr(__import__("signal"), "SIGPIPE"):  # `--misses … | head` ends quietly
        import signal
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--kingfisher")
    b.add_argument("--gitleaks")
    b.add_argument("--trufflehog")
    b.add_argument("--out", required=True)
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--all-templates", action="store_true",
                   help="gitleaks GenerateSampleSecrets: every template instead of one seeded choice per call")
    b.add_argument("--source-desc", type=json.loads, default=None, help="JSON {source: description}")
    s = sub.add_parser("score")
    s.add_argument("--corpus", required=True)
    s.add_argument("--runs", required=True)
    s.add_argument("--json", required=True)
    s.add_argument("--md", required=True)
    s.add_argument("--meta")
    s.add_argument("--top", type=int, default=25)
    s.add_argument("--list-neg", type=int, default=15)
    s.add_argument("--max-clean", type=int, default=5, help="target: at most this many clean negatives flagged")
    m = sub.add_parser("misses")
    m.add_argument("--json", required=True)
    m.add_argument("--tool", default="keyledger")
    m.add_argument("--source")
    m.add_argument("--category")
    m.add_argument("--corpus")
    m.add_argument("--negatives", action="store_true")
    m.add_argument("--well-formed", action="store_true",
                   help="only well-formed positives (with --negatives: only clean negatives)")
    a = p.parse_args(argv[1:])
    return {"build": cmd_build, "score": cmd_score, "misses": cmd_misses}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
