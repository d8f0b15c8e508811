import Foundation

/// What to scan and how.
public struct ScanRequest: Sendable {
    /// Paths to scan: git repositories get history + work tree, folders a directory walk, files are scanned as given.
    public var paths: [String]
    /// Walk git history (off with `--no-history`: only the work tree).
    public var history: Bool
    /// Only commits after this revision (`REV..HEAD`).
    public var since: String?
    /// Only what is staged for the next commit (pre-commit): each path names a repository, or a folder inside one.
    public var staged: Bool
    public var limits: ScanLimits

    public init(paths: [String], history: Bool = true, since: String? = nil, staged: Bool = false, limits: ScanLimits = ScanLimits()) {
        self.paths = paths; self.history = history; self.since = since; self.staged = staged; self.limits = limits
    }
}

/// Findings and counters of one scan.
public struct ScanResult: Sendable {
    public var targets: [String]
    public var findings: [Finding]
    public var tally: ScanTally
    public var durationMs: Int
    public var ruleCount: Int
    /// CODEOWNERS text of each scanned repository (from HEAD, else the work tree), by repository name.
    public var codeOwners: [String: String] = [:]

    /// What the request named and the scan could not read (the first thousand; `tally.unreadableCount` counts them
    /// all): unreadable paths, repositories and histories, missing objects. Non-empty means the run is incomplete
    /// and must not pass as clean (the command line exits 2 and lists them). See `UnreadableInput`.
    public var unreadable: [UnreadableInput] { tally.unreadable }
    /// Whether everything the request named was read (nothing in `unreadable`).
    public var isComplete: Bool { tally.unreadableCount == 0 }
}

/// An input that cannot be scanned at all (a path that does not exist, an unknown revision).
public struct InputError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// Runs every input of a request through the matcher.
public struct Scanner: Sendable {
    public let matcher: RuleMatcher
    /// Called with a short status line during long scans (progress on a terminal).
    public var progress: (@Sendable (String) -> Void)?

    public init(matcher: RuleMatcher, progress: (@Sendable (String) -> Void)? = nil) {
        self.matcher = matcher
        self.progress = progress
    }

    public func run(_ request: ScanRequest) throws -> ScanResult {
        let started = DispatchTime.now()
        var tally = ScanTally()
        var findings: [Finding] = []
        var codeOwners: [String: String] = [:]
        let paths = request.paths.isEmpty ? ["."] : request.paths
        if request.staged, request.since != nil {
            throw InputError(path: "--staged", message: "cannot be combined with --since (one scans the index, the other commits)")
        }
        var files: [WalkedFile] = []
        for path in paths {
            var st = stat()
            guard stat(path, &st) == 0 else {
                let code = errno
                if code == ENOENT || code == ENOTDIR { throw InputError(path: path, message: "no such file or directory") }
                // It may exist, but cannot be reached (permission denied on a parent folder, an I/O error): the run
                // goes on with the other paths and ends incomplete.
                tally.unreadable("unreadable", path: path, detail: String(cString: strerror(code)))
                continue
            }
            let isDirectory = ObjCBool((st.st_mode & S_IFMT) == S_IFDIR)
            if request.staged {
                findings += try StagedInput(path: path).scan(matcher: matcher, limits: request.limits, tally: &tally)
                continue
            }
            if !isDirectory.boolValue {
                // Explicit files are scanned exactly as given (pre-commit's pass_filenames), all in one parallel pass.
                files.append(WalkedFile(path))
                continue
            }
            if GitRepository.isRepository(path) {
                findings += try scanRepository(path, request: request, tally: &tally, codeOwners: &codeOwners)
            } else {
                if request.since != nil {
                    throw InputError(path: path, message: "--since needs a git repository")
                }
                progress?("walking \(path)")
                let input = DirectoryInput(root: path, repositoryName: nil)
                var names: [DirectoryInput.NamedEntry] = []
                let files = input.walk(tally: &tally, names: &names)
                progress?("scanning \(files.count) \(files.count == 1 ? "file" : "files") in \(path)")
                let found = input.nameFindings(names, matcher: matcher)
                    + input.scan(files: files, matcher: matcher, limits: request.limits, tally: &tally)
                findings += GitleaksIgnore.load(root: path)?.apply(to: found) ?? found
            }
        }
        if !files.isEmpty {
            findings += DirectoryInput(root: "", repositoryName: nil).scan(files: files, matcher: matcher, limits: request.limits, tally: &tally)
        }
        let elapsed = Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000)
        return ScanResult(targets: paths, findings: findings, tally: tally, durationMs: elapsed, ruleCount: matcher.rules.count,
                          codeOwners: codeOwners)
    }

    private func scanRepository(_ path: String, request: ScanRequest, tally: inout ScanTally,
                                codeOwners: inout [String: String]) throws -> [Finding] {
        let repo: GitRepository
        do { repo = try GitRepository(path: path) } catch let e as GitRepository.OpenError {
            tally.unreadable("unreadable-repository", path: path, detail: e.message)
            return []
        }
        let name = repo.displayName
        for file in CodeOwners.locations {
            if let text = repo.headFile(file) ?? repo.workdir.flatMap({ try? String(contentsOfFile: $0 + file, encoding: .utf8) }) {
                codeOwners[name] = text
                break
            }
        }
        var findings: [Finding] = []
        var known: Set<ObjectID> = []
        var knownNames: Set<[UInt8]> = []
        if request.history {
            progress?("indexing history of \(name)")
            let history = GitHistoryInput(path: path, repositoryName: name, since: request.since)
            let index: GitObjectIndex
            do { index = try history.buildIndex(tally: &tally) } catch let e as GitRepository.OpenError {
                if request.since != nil { throw InputError(path: path, message: e.message) }
                tally.unreadable("unreadable-history", path: path, detail: e.message)
                return []
            }
            progress?("scanning \(index.blobs.count) blobs from \(index.commits.count) commits of \(name)")
            let outcome = history.scan(index: index, matcher: matcher, limits: request.limits, tally: &tally, progress: progress)
            var introduced = outcome.findings
            if request.since != nil, !introduced.isEmpty {
                // A secret that already existed at REV is not introduced by the range, even where the range edits,
                // moves or copies the file holding it.
                let existing = ContentScan.secretFingerprints(in: index.baseBlobs.map { ($0.id, $0.path) }, repository: path,
                                                              matcher: matcher, limits: request.limits)
                introduced.removeAll { existing.contains($0.secret.fingerprint) }
            }
            findings += introduced
            // Keys used as file or folder names, or as a commit's author or committer.
            findings += history.nameFindings(index: index, matcher: matcher)
            knownNames = index.nameSet
            // Only content actually read from history is known: a work-tree file whose blob is missing from a damaged
            // clone (or too large to read) is scanned from the work tree.
            known = outcome.read
        }
        if request.since == nil, let workdir = repo.workdir {
            // Uncommitted and ignored files (.env and friends) are part of the estate too.
            var input = DirectoryInput(root: String(workdir.hasSuffix("/") ? workdir.dropLast() : Substring(workdir)), repositoryName: name)
            input.knownBlobs = known
            var names: [DirectoryInput.NamedEntry] = []
            let files = input.walk(tally: &tally, names: &names)
            findings += input.nameFindings(names, known: knownNames, matcher: matcher)
            findings += input.scan(files: files, matcher: matcher, limits: request.limits, tally: &tally)
        }
        // A team coming from gitleaks keeps its accepted findings: `.gitleaksignore` in the work tree, else in HEAD.
        let ignore = repo.workdir.flatMap(GitleaksIgnore.load(root:)) ?? repo.headFile(GitleaksIgnore.fileName).map(GitleaksIgnore.parse)
        return ignore?.apply(to: findings) ?? findings
    }
}
