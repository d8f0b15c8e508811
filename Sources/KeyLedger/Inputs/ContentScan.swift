import Foundation

/// Turns the matches in one buffer (a file, a blob) into findings: each located by line, carrying the allow marker
/// of its line, and — for files — the matches in content decoded from it (Kubernetes Secret data, Docker auths,
/// notebook sources) too.
enum ContentScan {
    /// - Parameters:
    ///   - path: the buffer's path, which decides the structured decoders that apply.
    ///   - decodeStructured: also scan what `StructuredDecoders` derive from the buffer.
    ///   - locate: the location of a finding on `line`, with the decoder's note when it was reached by decoding.
    static func findings(in bytes: UnsafeRawBufferPointer, path: String, decodeStructured: Bool, matcher: RuleMatcher,
                         workspace: RuleMatcher.Workspace, locate: (_ line: Int, _ note: String?) -> FoundLocation) -> [Finding] {
        var findings: [Finding] = []
        // Lines counted incrementally over matches in offset order, not from the start for each match.
        var line = 1
        var scanned = 0
        for match in matcher.matches(in: bytes, path: path, workspace: workspace).sorted(by: { $0.offset < $1.offset }) {
            let end = min(match.offset, bytes.count)
            while scanned < end {
                if bytes[scanned] == 0x0A { line += 1 }
                scanned += 1
            }
            var location = locate(line, nil)
            location.apply(AllowMarker.find(onLineOf: match.offset, in: bytes))
            findings.append(Finding(rule: matcher.rules[match.ruleIndex], secret: match.secret, identity: match.identity, location: location))
        }
        guard decodeStructured else { return scrubReasons(findings) }
        for derived in StructuredDecoders.derivedContent(path: path, bytes: bytes) {
            derived.text.utf8CString.withUnsafeBytes { raw in
                let content = UnsafeRawBufferPointer(rebasing: raw.dropLast())
                for match in matcher.matches(in: content, path: path, workspace: workspace) {
                    var location = locate(derived.line ?? RuleMatcher.line(of: match.offset, in: content), derived.note)
                    // A marker belongs on the line people read: the original line when the decoder knows it.
                    location.apply(derived.line.flatMap { AllowMarker.find(onLine: $0, in: bytes) }
                                   ?? AllowMarker.find(onLineOf: match.offset, in: content))
                    findings.append(Finding(rule: matcher.rules[match.ruleIndex], secret: match.secret, identity: match.identity,
                                            location: location))
                }
            }
        }
        return scrubReasons(findings)
    }

    /// No secret may reach the register through an allow reason: any secret found in the buffer is replaced by its
    /// redacted form wherever a reason quotes it.
    static func scrubReasons(_ findings: [Finding]) -> [Finding] {
        guard findings.contains(where: { $0.location.allowReason != nil }) else { return findings }
        // Every reason goes through here: it is the only way from a marker into the register.
        let secrets = Set(findings.map(\.secret))
        return findings.map { finding in
            guard let reason = finding.location.allowReason else { return finding }
            var scrubbed = finding
            scrubbed.location.allowReason = AllowMarker.sanitizedReason(reason, secrets: secrets)
            return scrubbed
        }
    }
}

extension ContentScan {
    /// Fingerprints of every secret in `blobs` of the repository at `repository`: what existed before a range
    /// (`--since`) or before a commit (`--staged`), so that only what it introduces is reported. Not counted in
    /// the scan's tally: these blobs are read to recognise old secrets, not scanned as part of the input.
    static func secretFingerprints(in blobs: [(id: ObjectID, path: String)], repository: String, matcher: RuleMatcher,
                                   limits: ScanLimits) -> Set<String> {
        var ignored = ScanTally()
        return Set(ParallelScan.run(count: blobs.count, workers: limits.workers, tally: &ignored, open: { tally in
            GitObjectReader(path: repository, tally: &tally).map { ($0, matcher.makeWorkspace()) }
        }, item: { worker, i, tally in
            let (reader, workspace) = worker
            return reader.withBlob(blobs[i].id, path: blobs[i].path, limits: limits, tally: &tally) { bytes in
                matcher.matches(in: bytes, path: blobs[i].path, workspace: workspace).map(\.secret.fingerprint)
            } ?? []
        }))
    }
}
