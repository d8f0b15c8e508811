import Foundation

/// Turns the matches in one buffer (a file, a blob) into findings: each located by line, carrying the allow marker
/// of its line, and — for files — the matches in content decoded from it (Kubernetes Secret data, Docker auths,
/// notebook sources) too.
enum ContentScan {
    /// - Parameters:
    ///   - path: the buffer's path, which decides the structured decoders that apply.
    ///   - decodeStructured: also scan what `StructuredDecoders` derive from the buffer.
    ///   - locate: the location of a finding on `line`, with the decoder's note when it was reached by decoding.
    ///   - tally: decode failures are counted (`decode-skipped`) and listed; the plain scan still ran.
    static func findings(in bytes: UnsafeRawBufferPointer, path: String, decodeStructured: Bool, matcher: RuleMatcher,
                         workspace: RuleMatcher.Workspace, tally: inout ScanTally,
                         locate: (_ line: Int, _ note: String?) -> FoundLocation) -> [Finding] {
        var findings: [Finding] = []
        // Lines counted incrementally over matches in offset order, not from the start for each match.
        var line = 1
        var scanned = 0
        for match in matcher.matches(in: bytes, workspace: workspace, path: path).sorted(by: { $0.offset < $1.offset }) {
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
        let decoded = StructuredDecoders.derivedContent(path: path, bytes: bytes)
        for failure in decoded.failures { tally.skip("decode-skipped", path: path, detail: failure) }
        for derived in decoded.derived {
            derived.text.utf8CString.withUnsafeBytes { raw in
                let content = UnsafeRawBufferPointer(rebasing: raw.dropLast())
                let matches = matcher.matches(in: content, workspace: workspace, path: path)
                if matches.isEmpty, let typed = derived.typedValue, let finding = typedFinding(typed, derived: derived, bytes: bytes,
                                                                                              matcher: matcher, locate: locate) {
                    findings.append(finding)
                }
                for match in matches {
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

    /// Keys of Secret entries that name or locate something rather than grant access.
    static let nonSecretKeys: Set<String> = [
        "username", "user", "login", "email", "host", "hostname", "port", "url", "uri", "endpoint", "server", "region",
        "database", "db", "dbname", "namespace", "ca.crt", "tls.crt", "ca-bundle.crt", "ca-bundle", "service-ca.crt",
        "cert", "certificate", "domain", "project", "project_id", "account", "client_id", "tenant_id", "bucket",
    ]

    /// A value that is a credential by where it sits, reported under its produced rule when no provider rule
    /// recognised it: placeholders, empty and very short values, and entries that name rather than grant are left out.
    static func typedFinding(_ typed: DerivedContent.TypedValue, derived: DerivedContent, bytes: UnsafeRawBufferPointer,
                             matcher: RuleMatcher, locate: (_ line: Int, _ note: String?) -> FoundLocation) -> Finding? {
        guard let index = matcher.ruleIndex(of: typed.ruleId) else { return nil }
        let value = typed.value.trimmingCharacters(in: .whitespacesAndNewlines)
        let key = String(derived.text.prefix { $0 != "=" }).lowercased()
        guard value.count >= 8, !value.contains("\n") || value.count > 64, PlaceholderFilter.reason(value) == nil,
              !nonSecretKeys.contains(key), !key.hasSuffix("_url") && !key.hasSuffix("_host") && !key.hasSuffix("_user")
                && !key.hasSuffix("_username") && !key.hasSuffix(".crt") else { return nil }
        var location = locate(derived.line ?? 1, derived.note)
        location.apply(derived.line.flatMap { AllowMarker.find(onLine: $0, in: bytes) })
        return Finding(rule: matcher.rules[index], secret: Secret(value), identity: typed.identity, location: location)
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
            return reader.withBlob(blobs[i].id, path: blobs[i].path, limits: limits, tally: &tally) { bytes, tally in
                scan(bytes, path: blobs[i].path, matcher: matcher, workspace: workspace, limits: limits, tally: &tally) { line, _ in
                    FoundLocation(kind: .git, repository: nil, path: blobs[i].path, line: line, current: false)
                }.map(\.secret.fingerprint)
            } ?? []
        }))
    }
}

extension ContentScan {
    typealias Locate = (_ line: Int, _ note: String?) -> FoundLocation

    /// One buffer from any input (a file, a blob, an archive member): archives are opened and their members scanned
    /// (nested archives too, within `limits.archives`); other binary content is skipped and counted; text is matched,
    /// with its structured decoders. A member's location is `outer!member` (`dist/app.whl!app/settings.py`).
    static func scan(_ bytes: UnsafeRawBufferPointer, path: String, matcher: RuleMatcher, workspace: RuleMatcher.Workspace,
                     limits: ScanLimits, tally: inout ScanTally, depth: Int = 0, budget: ArchiveReader.Budget? = nil,
                     locate: Locate) -> [Finding] {
        if let format = ArchiveFormat.detect(bytes) {
            return scanArchive(.memory(bytes), format: format, path: path, matcher: matcher, workspace: workspace, limits: limits,
                               tally: &tally, depth: depth, budget: budget, locate: locate)
        }
        // UTF-16 text (PowerShell's default, many Windows configs) is binary to a byte scan: transcoded, then scanned.
        // Only content that fails the byte check or starts with a UTF-16 byte-order mark is looked at: ordinary text
        // pays nothing for it.
        let binary = ContentSniffer.isBinary(bytes)
        let utf16 = binary || ContentSniffer.hasUTF16ByteOrderMark(bytes) ? ContentSniffer.utf16Text(bytes) : nil
        if binary && utf16 == nil {
            tally.skip("binary", path: path, detail: "contains NUL bytes", record: depth == 0)
            return []
        }
        if depth > 0 {
            tally.files += 1
            tally.bytes += bytes.count
        }
        guard let utf16 else {
            return findings(in: bytes, path: path, decodeStructured: true, matcher: matcher, workspace: workspace, tally: &tally, locate: locate)
        }
        return utf16.withUnsafeBytes { text in
            findings(in: text, path: path, decodeStructured: true, matcher: matcher, workspace: workspace, tally: &tally) { line, note in
                var location = locate(line, note)
                location.note = location.note ?? "UTF-16 text"
                return location
            }
        }
    }

    /// The members of one archive, each through `scan` one level deeper.
    static func scanArchive(_ source: ArchiveReader.Source, format: ArchiveFormat, path: String, matcher: RuleMatcher,
                            workspace: RuleMatcher.Workspace, limits: ScanLimits, tally: inout ScanTally, depth: Int,
                            budget: ArchiveReader.Budget?, locate: Locate) -> [Finding] {
        guard depth < limits.archives.maxDepth else {
            tally.skip("archive-depth", path: path, detail: "\(format.rawValue) archive nested more than \(limits.archives.maxDepth) levels deep")
            return []
        }
        let compressedSize: Int
        switch source {
        case .memory(let bytes): compressedSize = bytes.count
        case .file(_, let size): compressedSize = size
        }
        let budget = budget ?? ArchiveReader.Budget(limits: limits.archives, compressedSize: compressedSize)
        var found: [Finding] = []
        let single = [.gzip, .bzip2, .xz, .zstd].contains(format)
        let problems = ArchiveReader.forEachMember(of: source, maxMemberSize: limits.maxFileSize, limits: limits.archives,
                                                   budget: budget) { name, content in
            var member = name
            // A lone compressed stream's only member is "data": name it after the file (`a.json.gz` → `a.json`).
            if single, name == "data" {
                let base = (path.split(separator: "!").last.map(String.init) ?? path)
                member = ((base as NSString).lastPathComponent as NSString).deletingPathExtension
            }
            let memberPath = path + "!" + member
            // A published package's own test suite (auth0's test JWTs and RSA keys in a vendored wheel) holds the
            // package author's fixtures, public with the package: counted and listed, not reported as the
            // organisation's credentials.
            if ThirdPartyPackage.isTestFixture(member: member, inArchive: path) {
                tally.skip("package-test-fixture", path: memberPath, detail: "test file of a published package", record: false)
                return
            }
            found += scan(content, path: memberPath, matcher: matcher, workspace: workspace, limits: limits, tally: &tally,
                          depth: depth + 1, budget: budget) { line, note in
                var location = locate(line, note)
                location.path = memberPath
                return location
            }
        }
        for problem in problems {
            tally.skip(problem.reason, path: problem.member.map { path + "!" + $0 } ?? path, detail: problem.detail)
        }
        return found
    }
}

/// Published package archives (wheels, eggs, jars, NuGet and gem packages) and the test files inside them.
enum ThirdPartyPackage {
    static let extensions: Set<String> = ["whl", "egg", "jar", "war", "nupkg", "gem", "crate"]
    static let testFolders: Set<Substring> = ["test", "tests", "testing", "test_async", "testdata", "__tests__", "spec"]

    /// Whether `member` is a test file of the package archive at `archive` (the innermost `!` part decides).
    static func isTestFixture(member: String, inArchive archive: String) -> Bool {
        let inner = archive.split(separator: "!").last.map(String.init) ?? archive
        guard extensions.contains((inner as NSString).pathExtension.lowercased()) else { return false }
        let folders = member.split(separator: "/").dropLast()
        return folders.contains { testFolders.contains($0.lowercased()[...]) }
    }
}
