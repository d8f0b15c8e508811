import Foundation

/// One occurrence of a secret: which rule matched, where, and what identity was seen with it.
public struct Finding: Sendable {
    public var rule: Rule
    public var secret: Secret
    public var identity: Identity
    public var location: FoundLocation
}

/// Where a finding sits. Git locations carry the commit, author and date where the content first appeared.
public struct FoundLocation: Sendable, Hashable {
    public enum Kind: String, Sendable { case git, file }
    public var kind: Kind
    /// Repository name (folder name or remote URL); nil for a plain directory.
    public var repository: String?
    /// Path relative to the repository root or the scanned folder.
    public var path: String
    public var line: Int?
    public var commit: String?
    public var author: String?
    /// When the content first appeared (git) — seconds since 1970.
    public var firstSeen: Int64?
    /// The latest commit time that still contained it (git); nil for a file on disk (present now).
    public var lastSeen: Int64?
    /// Still in HEAD (git) or present on disk (file).
    public var current: Bool
    /// How the secret was reached inside the file, when not as plain text.
    public var note: String?
    /// The reason of a `keyledger:allow <reason>` marker on the line; nil when the line carries none (or one without
    /// a reason, which does not allow). A merged location is allowed only when every occurrence merged into it is.
    public var allowReason: String?
    /// Set when the secret is not in content but in a name: the file or folder at `path` is named with it, or the
    /// commit `commit`'s author or committer (name or email) carries it. `note` says the same in words.
    public var name: NamePart?

    /// The names a secret can be found in besides content.
    public enum NamePart: String, Sendable, Hashable {
        case fileName = "file-name", folderName = "folder-name", commitAuthor = "commit-author", commitCommitter = "commit-committer"

        /// What `note` says for it.
        public var note: String {
            switch self {
            case .fileName: return "in the file's name"
            case .folderName: return "in the folder's name"
            case .commitAuthor: return "in the commit's author (name or email)"
            case .commitCommitter: return "in the commit's committer (name or email)"
            }
        }
    }

    public init(kind: Kind, repository: String?, path: String, line: Int?, commit: String? = nil, author: String? = nil,
                firstSeen: Int64? = nil, lastSeen: Int64? = nil, current: Bool, note: String? = nil, allowReason: String? = nil,
                name: NamePart? = nil) {
        self.kind = kind; self.repository = repository; self.path = path; self.line = line; self.commit = commit
        self.author = author; self.firstSeen = firstSeen; self.lastSeen = lastSeen; self.current = current; self.note = note
        self.allowReason = allowReason; self.name = name
    }
}

/// Repository names as people read them: a remote URL shortened to `owner/name`, a folder name as it is.
public enum RepositoryName {
    public static func short(_ name: String) -> String {
        guard name.contains("/") else { return name }
        var n = name
        if n.hasSuffix(".git") { n = String(n.dropLast(4)) }
        return n.split(separator: "/").suffix(2).joined(separator: "/")
    }
}

/// Counters and problems of one scan, merged across inputs and threads.
public struct ScanTally: Sendable {
    public var commits = 0
    public var blobs = 0
    public var files = 0
    public var bytes = 0
    public var skipped: [String: Int] = [:]
    public var problems: [Problem] = []
    /// What the scan was asked to read and could not (see `UnreadableInput`): the first thousand, in the order met.
    /// Each is also counted in `skipped` and listed in `problems`. A scan with any is incomplete: its "clean" means
    /// nothing about what it could not read.
    public var unreadable: [UnreadableInput] = []
    /// How many unreadable inputs there were in all (`unreadable` keeps the first thousand).
    public var unreadableCount = 0

    public init() {}

    /// Counts and lists an input that could hold content and could not be read: the run is incomplete.
    /// - Parameters:
    ///   - path: as the user finds it: a file system path (the scanned root joined with the path inside it), or a
    ///     repository's path for content of its history.
    ///   - problemPath: the path `problems` lists (relative to the scanned root, like every problem's).
    public mutating func unreadable(_ reason: String, path: String, problemPath: String? = nil, detail: String) {
        skip(reason, path: problemPath ?? path, detail: detail)
        unreadableCount += 1
        if unreadable.count < 1000 { unreadable.append(UnreadableInput(path: path, reason: reason, detail: detail)) }
    }

    /// Counts an input that was not scanned and remembers its path and reason.
    public mutating func skip(_ reason: String, path: String, detail: String? = nil, record: Bool = true) {
        skipped[reason, default: 0] += 1
        // Every skip is counted; the first thousand are listed by path so a huge estate cannot bloat the register.
        if record, problems.count < 1000 { problems.append(Problem(path: path, reason: detail.map { "\(reason): \($0)" } ?? reason)) }
    }

    public mutating func merge(_ other: ScanTally) {
        commits += other.commits; blobs += other.blobs; files += other.files; bytes += other.bytes
        for (k, v) in other.skipped { skipped[k, default: 0] += v }
        problems += other.problems.prefix(max(0, 1000 - problems.count))
        unreadable += other.unreadable.prefix(max(0, 1000 - unreadable.count))
        unreadableCount += other.unreadableCount
    }
}

/// Something a scan was asked to read and could not, so a "no credentials found" does not cover it:
/// a named file or folder that cannot be opened (permission denied, I/O error), a file or folder inside a walk that
/// cannot be opened or listed, a repository or a whole history that cannot be read, and a commit, tree or blob of
/// history that is missing or damaged (a partial or damaged clone). Not unreadable — counted and listed in `problems`
/// only, because nothing the user asked for is left unread or because the user chose the limit: binary and
/// oversized content, symbolic-link loops, broken links, links out of the scanned folder, special files, ignored
/// folders, archive members over the limits or encrypted or damaged inside an archive that was read, documents a
/// decoder cannot parse (the plain-text scan still ran), and the commits a shallow clone does not hold.
public struct UnreadableInput: Sendable, Hashable, CustomStringConvertible {
    /// What could not be read, as the user finds it (non-UTF-8 bytes of a name written `\xNN`).
    public var path: String
    /// The skip reason it is counted under: `unreadable`, `unreadable-repository`, `unreadable-history`, `missing-object`.
    public var reason: String
    /// Why, in words (the system's or libgit2's message; never content).
    public var detail: String

    public init(path: String, reason: String, detail: String) {
        self.path = path; self.reason = reason; self.detail = detail
    }

    public var description: String { "\(path): \(detail)" }
}
