#!/usr/bin/env python3
"""Helpers and report writer for scripts/bench.sh (python3 standard library only).

Subcommands (all called by bench.sh; see there for how a benchmark is run):

  repo-stats                 read `git cat-file --batch-check='%(objecttype) %(objectsize) %(rest)'`
                             output (fed by `git rev-list --objects --all --missing=print`) on stdin,
                             print JSON: object counts, unique blob count and bytes, missing object ids
  placeholders OBJDIR FILE   write an empty-blob loose object under OBJDIR for every object id in FILE
                             (used only for the git-CLI view of a repository with missing blobs)
  report RUNDIR OUT.md       parse every run under RUNDIR (/usr/bin/time -v output, exit code, the
                             tool's JSON output) and print the Markdown results table, followed by
                             keyledger's findings (rule, redacted value, earliest location) so that
                             they can be checked by hand; also save it to OUT.md
"""

import json
import os
import re
import statistics
import sys
import zlib

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MB = 1_000_000  # all MB figures in the report are 10^6 bytes


# ---------------------------------------------------------------- repo stats

def repo_stats(stream):
    counts = {}
    blob_bytes = 0
    missing = []
    for line in stream:
        parts = line.rstrip("\n").split(" ", 2)
        if len(parts) >= 2 and parts[1] == "missing":
            # `rev-list --missing=print` marks a missing object as "?<oid>"
            missing.append(parts[0].lstrip("?"))
            continue
        if len(parts) < 2:
            continue
        kind = parts[0]
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "blob":
            blob_bytes += int(parts[1])
    json.dump(
        {
            "objects": counts,
            "blobs": counts.get("blob", 0),
            "blob_bytes": blob_bytes,
            "missing": sorted(set(missing)),
        },
        sys.stdout,
        indent=1,
    )
    sys.stdout.write("\n")


def placeholders(objdir, oid_file):
    """Empty-blob stand-ins for objects absent from the object store.

    Git does not check an object's hash when it reads a blob for `git log -p`, so a loose
    object named after a missing id with the content of an empty blob lets git-CLI based
    scanners (gitleaks, betterleaks) read past it instead of stopping at
    "fatal: unable to read <oid>". Only ever written into the separate view repository.
    """
    data = zlib.compress(b"blob 0\0")
    n = 0
    with open(oid_file) as f:
        for oid in f.read().split():
            if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", oid):
                raise SystemExit(f"bench_report.py: not an object id: {oid!r}")
            d = os.path.join(objdir, oid[:2])
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, oid[2:]), "wb") as out:
                out.write(data)
            n += 1
    print(n)


# ---------------------------------------------------------------- run parsing

def read(path, default=""):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return default


def parse_time_v(text):
    """Wall seconds, max RSS kB and exit status from GNU time -v output."""
    wall = rss = status = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            val = line.rsplit(": ", 1)[-1].strip()
            secs = 0.0
            for part in val.split(":"):
                secs = secs * 60 + float(part)
            wall = secs
        elif line.startswith("Maximum resident set size"):
            rss = int(line.rsplit(":", 1)[-1])
        elif line.startswith("Exit status:"):
            status = int(line.rsplit(":", 1)[-1])
    return wall, rss, status


def load_json(path):
    try:
        with open(path, errors="replace") as f:
            return json.load(f), None
    except FileNotFoundError:
        return None, "no output file"
    except (OSError, ValueError) as e:
        return None, f"unreadable JSON ({e.__class__.__name__})"


def first_error_line(stderr, pattern):
    for line in ANSI.sub("", stderr).splitlines():
        if re.search(pattern, line):
            return line.strip()[:160]
    return ""


def parse_keyledger(out, rc, stderr):
    d, err = load_json(out)
    if d is None:
        return "failed", None, None, err or "", {}
    if not isinstance(d, dict) or not isinstance(d.get("credentials"), list):
        return "failed", None, None, "JSON without a credentials list", {}
    creds = d["credentials"]
    fps = {c.get("fingerprint") or c.get("id") for c in creds if isinstance(c, dict)}
    scan = d.get("scan") or {}
    own = {}
    if isinstance(scan.get("blobs"), int):
        own["blobs"] = scan["blobs"]
    if isinstance(scan.get("bytes"), (int, float)):
        own["bytes"] = scan["bytes"]
    skipped = scan.get("skipped")
    if isinstance(skipped, dict) and skipped:
        own["skipped"] = ", ".join(f"{k} {v:,}" for k, v in sorted(skipped.items()) if isinstance(v, int))
    own["locations"] = sum(len(c.get("locations") or []) for c in creds if isinstance(c, dict))
    # exit code 1 = findings at or above --fail-on; 2 = usage or runtime error
    status = "ok" if rc in (0, 1) else "failed"
    return status, len(creds), len(fps), "", own


def parse_gitleaks(out, rc, stderr):
    d, err = load_json(out)
    if d is None:
        return "failed", None, None, err or "", {}
    if not isinstance(d, list):
        return "failed", None, None, "JSON is not a list", {}
    secrets = {f.get("Secret") for f in d if isinstance(f, dict)}
    own = {}
    m = re.search(r"scanned ~(\d+) bytes", ANSI.sub("", stderr))
    if m:
        own["bytes"] = int(m.group(1))
    m = re.search(r"(\d+) commits scanned", ANSI.sub("", stderr))
    if m:
        own["commits"] = int(m.group(1))
    # gitleaks exits 0 even when `git log -p` dies half way; its log then has ERR lines
    err_line = first_error_line(stderr, r"\bERR\b|fatal:")
    status = "ok" if rc == 0 else "failed"
    if status == "ok" and err_line:
        status = "partial"
    return status, len(d), len(secrets), err_line, own


def parse_betterleaks(out, rc, stderr):
    d, err = load_json(out)
    if d is None:
        return "failed", None, None, err or "", {}
    findings = d.get("findings") if isinstance(d, dict) else None
    if not isinstance(findings, list):
        return "failed", None, None, "JSON without a findings list", {}
    values = {((f.get("match") or {}).get("value")) for f in findings if isinstance(f, dict)}
    scan = d.get("scan") or {}
    own = {}
    if isinstance(scan.get("bytes_scanned"), int):
        own["bytes"] = scan["bytes_scanned"]
    state = scan.get("state")
    note = ""
    if state == "complete" and rc == 0:
        status = "ok"
    elif state == "incomplete":
        status = "partial"
        note = first_error_line(stderr, r"fatal:|ERR")
    else:
        status = "failed"
        note = f"state={state} rc={rc}"
    return status, len(findings), len(values), note, own


def parse_kingfisher(out, rc, stderr):
    d, err = load_json(out)
    if d is None:
        return "failed", None, None, err or "", {}
    findings = d.get("findings") if isinstance(d, dict) else None
    if not isinstance(findings, list):
        return "failed", None, None, "JSON without a findings list", {}
    snippets = {((f.get("finding") or {}).get("snippet")) for f in findings if isinstance(f, dict)}
    summary = ((d.get("metadata") or {}).get("summary")) or {}
    own = {}
    if isinstance(summary.get("blobs_scanned"), int):
        own["blobs"] = summary["blobs_scanned"]
    if isinstance(summary.get("bytes_scanned"), int):
        own["bytes"] = summary["bytes_scanned"]
    repos = ((d.get("audit") or {}).get("repositories")) or []
    bad = [r.get("scan", {}).get("status") for r in repos if r.get("scan", {}).get("status") != "completed"]
    # kingfisher: 0 = no findings, 200 = findings, 205 = validated findings
    status = "ok" if rc in (0, 200, 205) else "failed"
    note = ""
    if status == "ok" and bad:
        status, note = "partial", "repository scan status " + ",".join(map(str, bad))
    return status, len(findings), len(snippets), note, own


PARSERS = {
    "keyledger": parse_keyledger,
    "gitleaks": parse_gitleaks,
    "betterleaks": parse_betterleaks,
    "kingfisher": parse_kingfisher,
}


def parse_run(kind, rundir):
    time_txt = read(os.path.join(rundir, "time.txt"))
    wall, rss, _ = parse_time_v(time_txt)
    rc_txt = read(os.path.join(rundir, "rc")).strip()
    rc = int(rc_txt) if rc_txt.lstrip("-").isdigit() else None
    stderr = read(os.path.join(rundir, "stderr"))
    run = {"wall": wall, "rss_kb": rss, "rc": rc, "findings": None, "distinct": None,
           "note": "", "own": {}}
    if rc in (124, 137):
        run["status"] = "timeout"
        return run
    if wall is None:
        run["status"] = "failed"
        run["note"] = "no /usr/bin/time output"
        return run
    status, findings, distinct, note, own = PARSERS[kind](os.path.join(rundir, "out.json"), rc, stderr)
    if status == "failed" and not note:
        note = first_error_line(stderr, r"\S") or f"exit code {rc}"
    run.update(status=status, findings=findings, distinct=distinct, note=note, own=own)
    return run


# ---------------------------------------------------------------- report

def fmt_num(x, digits=1):
    return "–" if x is None else f"{x:,.{digits}f}"


def fmt_count(values):
    vals = sorted({v for v in values if v is not None})
    if not vals:
        return "–"
    if len(vals) == 1:
        return f"{vals[0]:,}"
    return f"{vals[0]:,}–{vals[-1]:,}"


def fmt_own(own):
    parts = []
    if "commits" in own:
        parts.append(f"{own['commits']:,} commits")
    if "blobs" in own:
        parts.append(f"{own['blobs']:,} blobs")
    if "bytes" in own:
        parts.append(f"{own['bytes'] / MB:,.1f} MB")
    if "locations" in own:
        parts.append(f"{own['locations']:,} locations")
    if own.get("skipped"):
        parts.append(f"skipped: {own['skipped']}")
    return " / ".join(parts) if parts else "–"


def read_meta(rundir):
    meta = {}
    for line in read(os.path.join(rundir, "meta.txt")).splitlines():
        if "\t" in line:
            k, v = line.split("\t", 1)
            meta[k] = v
    return meta


def keyledger_findings(rundir, nruns):
    """keyledger's credentials from its last completed run: rule, redacted value, earliest location."""
    for i in range(nruns, 0, -1):
        out = os.path.join(rundir, "tools", "keyledger", f"run-{i}", "out.json")
        d, _ = load_json(out)
        if not isinstance(d, dict) or not isinstance(d.get("credentials"), list):
            continue
        rows = []
        for c in d["credentials"]:
            if not isinstance(c, dict):
                continue
            locs = [l for l in c.get("locations") or [] if isinstance(l, dict)]
            first = min(locs, key=lambda l: l.get("date") or "9999", default={})
            rows.append({
                "from": os.path.relpath(out, rundir), "rule": c.get("rule") or "?",
                "redacted": (c.get("redacted") or "?").replace("|", "\\|"),
                "confidence": c.get("confidence") or "?", "locations": len(locs),
                "path": (first.get("path") or "?").replace("|", "\\|"),
                "commit": (first.get("commit") or "")[:9] or "–", "date": (first.get("date") or "")[:10] or "–",
            })
        return sorted(rows, key=lambda r: (r["rule"], r["redacted"]))
    return None


def report(rundir, out_md):
    meta = read_meta(rundir)
    stats = json.loads(read(os.path.join(rundir, "repo-stats.json"), "{}") or "{}")
    blob_bytes = stats.get("blob_bytes") or 0
    nruns = int(meta.get("runs", "1"))
    tools = [t for t in meta.get("tools", "").split(",") if t]

    rows = []
    notes = []
    for tool in tools:
        tdir = os.path.join(rundir, "tools", tool)
        version = read(os.path.join(tdir, "version")).strip() or "?"
        if os.path.exists(os.path.join(tdir, "skipped")):
            reason = read(os.path.join(tdir, "skipped")).strip()
            rows.append([tool, version, f"0/{nruns}", "–", "–", "–", "–", "–", "–", "–", "skipped"])
            notes.append(f"**{tool}** skipped: {reason}")
            continue
        runs = []
        for i in range(1, nruns + 1):
            rd = os.path.join(tdir, f"run-{i}")
            if os.path.isdir(rd):
                runs.append(parse_run(tool, rd))
        ok = [r for r in runs if r["status"] == "ok"]
        # time the completed runs; if none completed, still show what the partial runs took
        timed = ok or [r for r in runs if r["status"] == "partial" and r["wall"] is not None]
        walls = [r["wall"] for r in timed]
        med = statistics.median(walls) if walls else None
        mn = min(walls) if walls else None
        rss = max((r["rss_kb"] for r in timed if r["rss_kb"]), default=None)
        rss_mb = rss * 1024 / MB if rss else None
        mbps = (blob_bytes / MB) / med if med and blob_bytes else None
        statuses = sorted({r["status"] for r in runs}) or ["not run"]
        status = "ok" if statuses == ["ok"] else "/".join(statuses)
        own = (timed[-1]["own"] if timed else {})
        rows.append([
            tool, version, f"{len(ok)}/{nruns}", fmt_num(med, 2), fmt_num(mn, 2), fmt_num(rss_mb, 0),
            fmt_num(mbps, 1), fmt_count(r["findings"] for r in timed),
            fmt_count(r["distinct"] for r in timed), fmt_own(own), status,
        ])
        for i, r in enumerate(runs, 1):
            if r["status"] != "ok":
                notes.append(f"**{tool}** run {i}: {r['status']}, exit code {r['rc']}"
                             + (f" — {r['note']}" if r["note"] else ""))

    head = ["tool", "version", "runs ok", "median wall s", "min wall s", "peak RSS MB", "MB/s",
            "findings", "distinct secrets", "tool-reported scanned", "status"]
    lines = []
    lines.append(f"# keyledger benchmark — {meta.get('date', '?')}")
    lines.append("")
    lines.append(f"Repository: `{meta.get('repo', '?')}` (scanned at `{meta.get('repo_path', '?')}`)  ")
    lines.append(f"{int(meta.get('commits', 0)):,} commits, {int(meta.get('refs', 0)):,} refs, "
                 f"{stats.get('blobs', 0):,} unique blobs = {blob_bytes / MB:,.1f} MB "
                 f"({blob_bytes:,} bytes), HEAD {meta.get('head', '?')}  ")
    missing = stats.get("missing") or []
    if missing:
        lines.append(f"Missing from the object store: {len(missing)} objects (sizes unknown, not in the "
                     f"byte count). gitleaks and betterleaks scanned the git-CLI view "
                     f"`{meta.get('gitcli_view', '?')}` (same refs and objects, the missing blobs read as "
                     f"empty); the other tools scanned the repository itself.  ")
    lines.append(f"Machine: {meta.get('nproc', '?')} CPUs ({meta.get('cpu', '?')}), "
                 f"{meta.get('mem', '?')} memory, {meta.get('os', '?')}, kernel {meta.get('kernel', '?')}  ")
    lines.append(f"Runs per tool: {nruns} (round-robin order), timeout {meta.get('timeout', '?')} s each; "
                 f"network during runs: {meta.get('network', '?')}  ")
    lines.append(f"Load average (1/5/15 min) before the runs: {meta.get('load_start', '?')}, after: "
                 f"{meta.get('load_end', '?')} (other work on the machine slows the tools unevenly)")
    lines.append("")
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] + ["---:" if 2 <= i <= 8 else "---" for i in range(1, len(head))]) + "|")
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    lines.append("")
    lines.append("- wall and peak RSS come from `/usr/bin/time -v` (Elapsed wall clock, Maximum resident set "
                 "size = the largest single process, e.g. not gitleaks + its `git log` child added up); "
                 "median/min over the completed runs, peak RSS = max over them.")
    lines.append("- MB/s = unique blob bytes of the repository (all distinct blobs reachable from all refs) "
                 "/ median wall time, the same numerator for every tool. MB = 10^6 bytes everywhere.")
    lines.append("- findings = each tool's native count (gitleaks/betterleaks: one per commit × location; "
                 "kingfisher: deduplicated per secret; keyledger: `.credentials | length`). distinct secrets = "
                 "distinct secret strings in the output (gitleaks `Secret`, betterleaks `match.value`, "
                 "kingfisher `finding.snippet`, keyledger distinct fingerprints). Each tool uses its default "
                 "rules and confidence threshold.")
    lines.append("- tool-reported scanned = what the tool says it read (gitleaks/betterleaks: patch text "
                 "from `git log -p -U0`; kingfisher/keyledger: blobs; keyledger also its credential locations).")
    if meta.get("kingfisher_cache"):
        lines.append(f"- kingfisher's compiled rule cache ({meta['kingfisher_cache']}) was warmed by one "
                     "untimed run before timing; a cold cache adds the rule compile time to its first run.")
    kl = keyledger_findings(rundir, nruns) if "keyledger" in tools else None
    if kl:
        lines.append("")
        lines.append(f"keyledger's findings ({len(kl)}; from `{kl[0]['from']}`; first = earliest location):")
        lines.append("")
        lines.append("| rule | redacted | confidence | locations | first path | commit | date |")
        lines.append("|---|---|---|---:|---|---|---|")
        for f in kl:
            lines.append(f"| {f['rule']} | `{f['redacted']}` | {f['confidence']} | {f['locations']} | "
                         f"`{f['path']}` | {f['commit']} | {f['date']} |")
    lines.append("")
    lines.append("Commands (REPO = the path scanned, run from an empty directory):")
    lines.append("")
    for tool in tools:
        cmd = read(os.path.join(rundir, "tools", tool, "cmd")).strip()
        if cmd:
            lines.append(f"- {tool}: `{cmd}`")
    if notes:
        lines.append("")
        lines.append("Notes:")
        lines.append("")
        for n in notes:
            lines.append(f"- {n}")
    lines.append("")
    lines.append(f"Raw outputs: `{rundir}`")
    text = "\n".join(lines) + "\n"
    with open(out_md, "w") as f:
        f.write(text)
    sys.stdout.write(text)


def main(argv):
    if len(argv) >= 2 and argv[1] == "repo-stats" and len(argv) == 2:
        repo_stats(sys.stdin)
    elif len(argv) == 4 and argv[1] == "placeholders":
        placeholders(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "report":
        report(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
