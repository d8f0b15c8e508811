#!/usr/bin/env python3
"""Writes docs/rules.md: every built-in rule by provider (id, name, kind, confidence), from rules/*.yml.

Run by scripts/embed-rules.sh; a test fails when docs/rules.md and rules/ drift. Standard library only: the rule
files are read line by line for their `provider`, `id`, `name`, `kind` and `confidence` keys and the host of a
`validation:` block's `url`.
"""
import glob
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
providers = {}
for path in sorted(glob.glob(os.path.join(root, "rules", "*.yml"))):
    provider = None
    rules = []
    current = None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^provider:\s*(\S+)", line)
        if m:
            provider = m.group(1)
            continue
        m = re.match(r"^\s*-\s+id:\s*['\"]?([^'\"\s]+)", line)
        if m:
            current = {"id": m.group(1), "name": "", "kind": "", "confidence": "high", "validates": None}
            rules.append(current)
            in_validation = False
            continue
        if current is None:
            continue
        if re.match(r"^\s{2,4}validation:\s*$", line):
            in_validation = True
            continue
        m = re.match(r"^\s{4,6}url:\s*['\"]?https://([^/?'\"\s]+)", line)
        if in_validation and m:
            current["validates"] = m.group(1)
            in_validation = False
            continue
        for key in ("name", "kind", "confidence"):
            m = re.match(r"^\s{2,4}" + key + r":\s*(.+?)\s*$", line)
            if m and (key == "confidence" or not current[key]):
                current[key] = m.group(1).strip("'\"")
    providers.setdefault(provider or os.path.basename(path)[:-4], []).extend(rules)

count = sum(len(r) for r in providers.values())
validated = sum(1 for rs in providers.values() for r in rs if r["validates"])
out = ["# Built-in rules", "",
       f"{count} rules for {len(providers)} providers, generated from `rules/*.yml` by `scripts/rules-doc.py`",
       "(`scripts/embed-rules.sh` runs it). Each rule's description, identity and examples are in its file;",
       "`keyledger rules list` prints the same ids. Confidence: `high` provider formats (prefix, checksum or",
       "structure), `medium` shapes that need context or decoding (JWTs, unpaired secrets), `low` credentials by",
       "position (generic config assignments, Kubernetes Secret, SSM and Vault values).",
       f"{validated} rules declare the read-only call `scan --validate` makes (\u2713 host); the providers with a",
       "validator in code (README, Scanning) are checked too.", "",
       "| provider | rules |", "|---|---|"]
for provider in sorted(providers):
    cells = []
    for r in providers[provider]:
        note = "" if r["confidence"] == "high" else f" *({r['confidence']})*"
        if r["validates"]:
            note += f" \u2713 {r['validates']}"
        cells.append(f"`{r['id']}`{note}")
    out.append(f"| {provider} | {', '.join(cells)} |")
text = "\n".join(out) + "\n"
target = os.path.join(root, "docs", "rules.md")
if len(sys.argv) > 1 and sys.argv[1] == "--check":
    sys.exit(0 if os.path.exists(target) and open(target, encoding="utf-8").read() == text else 1)
open(target, "w", encoding="utf-8").write(text)
print(f"wrote docs/rules.md ({count} rules, {len(providers)} providers)")
