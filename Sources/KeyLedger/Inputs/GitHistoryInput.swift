import CLibGit2
import Foundation

/// Every distinct blob reachable from any ref, with the commit and path where it first appeared,
/// the last commit time that still held it, and whether HEAD holds it.
struct GitObjectIndex {
    struct Commit { let id: String; let author: String; let time: Int64 }
    struct Blob {
        let id: ObjectID
        let firstCommit: Int32
        let path: String
    }

    var commits: [Commit] = []
    var blobs: [Blob] = []
    /// Per blob (same order as `blobs`): the latest commit time containing it, and whether HEAD contains it.
    var lastSeen: [Int64] = []
    var inHead: [Bool] = []
    var blobIDs: Set<ObjectID> = []
    /// With `--since`: the blobs of the tree at that revision, whose secrets already existed before the range.
    var baseBlobs: [Blob] = []

    /// A distinct file or folder name, where it first appeared (a key can be a name: see `nameFindings`).
    struct Name {
        let name: [UInt8]
        let path: String
        let folder: Bool
        let firstCommit: Int32
        /// The tree or blob it names when first seen (its last sighting and HEAD membership come from it), or -1.
        let node: Int32
        var lastSeen: Int64 = 0
        var inHead = false
    }
    /// A distinct author or committer name or email, and the first commit that carries it.
    struct Signature {
        let bytes: [UInt8]
        let commit: Int32
        let part: FoundLocation.NamePart
    }
    var names: [Name] = []
    /// Every distinct entry name of the walked trees (and of the `--since` base tree), to skip them in the work tree.
    var nameSet: Set<[UInt8]> = []
    var signatures: [Signature] = []
}

/// Reads a repository's history through libgit2 (never the `git` program, so no hooks, filters or
/// config-driven commands run) and scans each distinct blob once, in parallel.
struct GitHistoryInput {
    let path: String
    let repositoryName: String
    /// `REV..HEAD` lower bound: commits reachable from REV are not walked, only HEAD's side is, and the blobs of
    /// REV's tree count as already known (`GitObjectIndex.baseBlobs`).
    var since: String?

    /// Walks commits oldest-first and trees depth-first, skipping any tree already seen, so the work is
    /// proportional to the number of distinct trees, not commits × files.
    ///
    /// Commits, trees and blobs that cannot be read (a damaged or partial clone) are listed as unreadable in `tally`
    /// and skipped; the rest is indexed. A history none of whose commits can be read is one `unreadable-history`
    /// entry. A shallow clone's missing commits (the parents of its boundary) are no damage: they are counted once
    /// as `shallow-clone`, with the fix.
    func buildIndex(tally: inout ScanTally) throws -> GitObjectIndex {
        let repo = try GitRepository(path: path)
        let shallow = repo.shallowBoundary
        var walk: OpaquePointer?
        git_error_clear()
        guard git_revwalk_new(&walk, repo.pointer) == 0, let walk else {
            throw GitRepository.OpenError(message: LibGit2.lastError("cannot walk history"))
        }
        defer { git_revwalk_free(walk) }
        let start = try startWalk(walk, repo: repo, shallow: shallow)
        guard start.pushed else { return GitObjectIndex() }  // empty repository: nothing committed yet

        let builder = HistoryIndexBuilder(repo: repo, path: path)
        if let baseTree = start.baseTree {
            // Content that already existed at `--since` is known without being reported.
            builder.visitTree(baseTree, node: builder.newNode(baseTree, blob: false), commitIndex: -1, record: false, tally: &tally)
        }
        let unreadableBefore = tally.unreadableCount
        let order = commitOrder(repo: repo, walk: start.pushFailed ? nil : walk, hidden: start.hiddenCommit, shallow: shallow,
                                walkError: start.pushError, tally: &tally)
        for oid in order { builder.indexCommit(oid, tally: &tally) }
        tally.commits += builder.index.commits.count
        if builder.index.commits.isEmpty, tally.unreadableCount > unreadableBefore || start.pushFailed {
            // Nothing of the history could be read: say so once, in words a person can act on.
            tally.unreadable("unreadable-history", path: path, problemPath: path,
                             detail: "no commit of the history could be read: the repository is damaged (\(start.pushError ?? "its refs point to unreadable commits"))")
        }
        return builder.finish()
    }

    /// Where the walk starts: every ref and a detached HEAD, or with `--since` only what HEAD adds (REV..HEAD).
    struct WalkStart {
        var pushed = false
        /// A ref could not be pushed: the repository is damaged, not empty.
        var pushFailed = false
        var pushError: String?
        var baseTree: ObjectID?
        var hiddenCommit: ObjectID?
    }

    func startWalk(_ walk: OpaquePointer, repo: GitRepository, shallow: Set<ObjectID>) throws -> WalkStart {
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue | GIT_SORT_REVERSE.rawValue)
        // Every ref (branches, tags, remotes, notes, pull refs) and a detached HEAD; with --since, only what HEAD
        // adds (REV..HEAD): other branches of a full CI clone are not part of the pull request.
        var pushed = false
        var pushFailed = false
        var pushError: String?
        if since == nil {
            git_error_clear()
            let status = git_revwalk_push_glob(walk, "*")
            if status == 0 { pushed = true } else if status != GIT_ENOTFOUND.rawValue {
                pushFailed = true
                pushError = LibGit2.lastErrorMessage()
            }
        }
        git_error_clear()
        if git_revwalk_push_head(walk) == 0 { pushed = true } else if pushError == nil, git_repository_head_unborn(repo.pointer) != 1 {
            pushError = LibGit2.lastErrorMessage()
        }
        // A ref whose commit cannot be read makes the push fail: the repository is damaged, not empty.
        if pushFailed || (!pushed && git_repository_is_empty(repo.pointer) == 0) { pushed = true; pushFailed = true }
        var baseTree: ObjectID?
        var hiddenCommit: ObjectID?
        if let since {
            var obj: OpaquePointer?
            guard git_revparse_single(&obj, repo.pointer, since) == 0, let obj else {
                // A shallow clone (CI's default checkout) rarely holds the base of a pull request.
                if !shallow.isEmpty {
                    throw GitRepository.OpenError(message: "unknown revision '\(since)': this is a shallow clone, which does not hold "
                        + "the whole history; fetch it for --since (actions/checkout: `fetch-depth: 0`; or `git fetch --unshallow`)")
                }
                throw GitRepository.OpenError(message: "unknown revision '\(since)'")
            }
            defer { git_object_free(obj) }
            var commitObj: OpaquePointer?
            guard git_object_peel(&commitObj, obj, GIT_OBJECT_COMMIT) == 0, let commitObj else {
                throw GitRepository.OpenError(message: "'\(since)' does not name a commit")
            }
            git_revwalk_hide(walk, git_object_id(commitObj))
            hiddenCommit = ObjectID(git_object_id(commitObj).pointee)
            baseTree = ObjectID(git_commit_tree_id(commitObj).pointee)
            git_object_free(commitObj)
        }
        return WalkStart(pushed: pushed, pushFailed: pushFailed, pushError: pushError, baseTree: baseTree, hiddenCommit: hiddenCommit)
    }

    /// Keys used as file or folder names in the history's trees, or as a commit's author or committer name or email.
    func nameFindings(index: GitObjectIndex, matcher: RuleMatcher) -> [Finding] {
        var names: [NameScan.Name] = []
        for entry in index.names {
            let commit = index.commits[Int(entry.firstCommit)]
            let part: FoundLocation.NamePart = entry.folder ? .folderName : .fileName
            names.append(.init(bytes: entry.name, location: FoundLocation(
                kind: .git, repository: repositoryName, path: entry.path, line: nil, commit: commit.id, author: commit.author,
                firstSeen: commit.time, lastSeen: entry.lastSeen, current: entry.inHead, note: part.note, name: part)))
        }
        for signature in index.signatures {
            let commit = index.commits[Int(signature.commit)]
            names.append(.init(bytes: signature.bytes, location: FoundLocation(
                kind: .git, repository: repositoryName, path: "", line: nil, commit: commit.id, author: commit.author,
                firstSeen: commit.time, lastSeen: commit.time, current: false, note: signature.part.note, name: signature.part)))
        }
        return NameScan.findings(names, matcher: matcher, workspace: matcher.makeWorkspace())
    }

    /// The commits to index, oldest first. libgit2's walk stops at the first unreadable commit (a damaged pack, a
    /// missing parent) and would lose the whole history; then the graph is walked by hand from every ref, each
    /// unreadable commit reported and skipped, and the readable ones ordered by time. A shallow clone is walked by
    /// hand from the start: its boundary commits' parents are not in it by design (libgit2 1.5 does not know shallow
    /// clones), which is counted once as `shallow-clone`, not as damage.
    func commitOrder(repo: GitRepository, walk: OpaquePointer?, hidden: ObjectID?, shallow: Set<ObjectID> = [],
                     walkError: String? = nil, tally: inout ScanTally) -> [git_oid] {
        if let walk, shallow.isEmpty {
            var order: [git_oid] = []
            var oid = git_oid()
            var status: Int32 = 0
            git_error_clear()
            while true {
                status = git_revwalk_next(&oid, walk)
                guard status == 0 else { break }
                order.append(oid)
            }
            if status == GIT_ITEROVER.rawValue { return order }
        }
        if shallow.isEmpty {
            let reason = walkError ?? LibGit2.lastError("a commit cannot be read")
            tally.skip("corrupt-repository", path: path, detail: "history walk failed (\(reason)); walking the readable commits one by one")
        } else {
            tally.skip("shallow-clone", path: path,
                       detail: "the history is cut at \(shallow.count) \(shallow.count == 1 ? "commit" : "commits"); the commits in the clone "
                        + "were scanned, older ones are not in it (to scan them: actions/checkout `fetch-depth: 0`, or `git fetch --unshallow`)")
        }

        func parents(of id: ObjectID) -> (time: Int64, parents: [ObjectID])? {
            var o = id.oid
            var commit: OpaquePointer?
            guard git_commit_lookup(&commit, repo.pointer, &o) == 0, let commit else { return nil }
            defer { git_commit_free(commit) }
            // A shallow clone's boundary commits keep their parents' ids, but not the parents.
            let ids = shallow.contains(id) ? [] :
                (0..<git_commit_parentcount(commit)).compactMap { git_commit_parent_id(commit, $0).map { ObjectID($0.pointee) } }
            return (Int64(git_commit_time(commit)), ids)
        }
        // Ancestors of --since are not part of the range.
        var excluded = Set<ObjectID>()
        if let hidden {
            var stack = [hidden]
            while let id = stack.popLast() {
                guard excluded.insert(id).inserted, let info = parents(of: id) else { continue }
                stack += info.parents
            }
        }
        var tips: [ObjectID] = []
        var head = git_oid()
        if git_reference_name_to_id(&head, repo.pointer, "HEAD") == 0 { tips.append(ObjectID(head)) }
        if since == nil {
            var iterator: OpaquePointer?
            if git_reference_iterator_new(&iterator, repo.pointer) == 0, let iterator {
                defer { git_reference_iterator_free(iterator) }
                var ref: OpaquePointer?
                while git_reference_next(&ref, iterator) == 0, let r = ref {
                    var peeled: OpaquePointer?
                    if git_reference_peel(&peeled, r, GIT_OBJECT_COMMIT) == 0, let peeled {
                        tips.append(ObjectID(git_object_id(peeled).pointee))
                        git_object_free(peeled)
                    } else if git_reference_type(r) == GIT_REFERENCE_DIRECT, let target = git_reference_target(r) {
                        // A ref to an unreadable object still names a commit the history should hold.
                        tips.append(ObjectID(target.pointee))
                    }
                    git_reference_free(r)
                }
            }
        }
        var seen = Set<ObjectID>()
        var readable: [(id: ObjectID, time: Int64)] = []
        var stack = tips
        while let id = stack.popLast() {
            guard !excluded.contains(id), seen.insert(id).inserted else { continue }
            git_error_clear()
            guard let info = parents(of: id) else {
                tally.unreadable("missing-object", path: path, problemPath: id.hex,
                                 detail: "commit \(id.hex) cannot be read (\(LibGit2.objectFailure()))")
                continue
            }
            readable.append((id, info.time))
            stack += info.parents
        }
        readable.sort { ($0.time, $0.id.hex) < ($1.time, $1.id.hex) }
        return readable.map { $0.id.oid }
    }

    /// What scanning a history found, and which blobs it actually read: only those are known content that the
    /// work tree need not scan again (a blob missing from a damaged clone is not, nor one too large to read).
    struct Outcome {
        var findings: [Finding] = []
        var read: Set<ObjectID> = []
    }

    /// One flag per blob of the index, set by the worker that read it. Each blob is taken by exactly one worker, and
    /// the flags are read only after every worker has finished. (An output per blob, `.read(id)` next to the
    /// findings, cost a whole `Finding`'s size per blob: ~100 MB of peak memory on crewAI's history.)
    private final class ReadMarks: @unchecked Sendable {
        let flags: UnsafeMutableBufferPointer<Bool>
        init(count: Int) {
            flags = .allocate(capacity: count)
            flags.initialize(repeating: false)
        }
        deinit { flags.deallocate() }
    }

    /// Scans every blob of `index` across `limits.workers` threads, each with its own repository handle.
    func scan(index: GitObjectIndex, matcher: RuleMatcher, limits: ScanLimits, tally: inout ScanTally,
              progress: (@Sendable (String) -> Void)? = nil) -> Outcome {
        // Versions of one file are read one after another: git packs them as deltas of each other, so libgit2's
        // delta-base cache serves the next version instead of inflating the chain again.
        // (Measured on crewAI's history: 7% less CPU.)
        let order = index.blobs.indices.sorted { (index.blobs[$0].path, $0) < (index.blobs[$1].path, $1) }
        let marks = ReadMarks(count: index.blobs.count)
        let findings = ParallelScan.run(count: index.blobs.count, workers: limits.workers, tally: &tally, open: { tally in
            GitObjectReader(path: path, tally: &tally).map { ($0, matcher.makeWorkspace()) }
        }, item: { worker, k, tally in
            let (reader, workspace) = worker
            let i = order[k]
            if let progress, k % 2000 == 0 {
                progress("\(repositoryName): scanned \(k) of \(index.blobs.count) blobs")
            }
            let blob = index.blobs[i]
            let commit = index.commits[Int(blob.firstCommit)]
            return reader.withBlob(blob.id, path: blob.path, limits: limits, tally: &tally, read: { marks.flags[i] = true }) { bytes, tally in
                // Committed archives, Kubernetes Secrets, Docker configs and notebooks hide values from a plain scan too.
                ContentScan.scan(bytes, path: blob.path, matcher: matcher, workspace: workspace, limits: limits, tally: &tally) { line, note in
                    FoundLocation(kind: .git, repository: repositoryName, path: blob.path, line: line, commit: commit.id,
                                  author: commit.author, firstSeen: commit.time, lastSeen: index.lastSeen[i], current: index.inHead[i],
                                  note: note)
                }
            } ?? []
        })
        var outcome = Outcome(findings: findings)
        outcome.read.reserveCapacity(index.blobs.count)
        for i in index.blobs.indices where marks.flags[i] { outcome.read.insert(index.blobs[i].id) }
        return outcome
    }
}

/// Size and parallelism limits of a scan.
public struct ScanLimits: Sendable {
    /// Files and blobs larger than this are skipped and counted as `oversized`.
    public var maxFileSize: Int = 25 << 20
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Depth, size and ratio bounds for archives (zip, tar, compressed streams) opened during the scan.
    public var archives = ArchiveLimits()
    /// Files on disk larger than this (allowed by a raised `maxFileSize`) are read and matched one window at a time,
    /// so memory stays bounded by the window, not the file (a 2 GB file took 2–4 GB). Smaller files are read whole
    /// (and also get the structured decoders).
    public var windowSize: Int = 32 << 20
    /// Bytes each window shares with the next on either side: a match (with the context, keywords, identity and
    /// allow marker around it) that lies within this distance of a window's edge is taken from the neighbouring
    /// window, where it lies inside, and reported once.
    public var windowMargin: Int = 256 << 10
    public init(maxFileSize: Int = 25 << 20, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.maxFileSize = maxFileSize; self.workers = workers
    }

    /// A limit given in MiB (`--max-file-size`): a value whose bytes do not fit in an `Int` means "no limit" and
    /// saturates at `Int.max`, where `mib << 20` would wrap to a negative limit that makes every file oversized.
    public init(maxFileSizeMiB mib: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.init(maxFileSize: Self.bytes(mebibytes: mib), workers: workers)
    }

    /// `mib` MiB in bytes, saturating at `Int.max` (and at 0 below).
    public static func bytes(mebibytes mib: Int) -> Int {
        guard mib > 0 else { return 0 }
        let (bytes, overflow) = mib.multipliedReportingOverflow(by: 1 << 20)
        return overflow ? Int.max : bytes
    }
}

/// Decides whether content is text worth scanning.
enum ContentSniffer {
    /// Binary when NUL bytes occur in the first 8 KiB (git's own heuristic) — more than a stray one or two: a text
    /// file with a single NUL (a copy-paste accident, a terminated C string) is still text and still scanned.
    static func isBinary(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = min(bytes.count, 8000)
        guard n > 0, let base = bytes.baseAddress else { return false }
        var nuls = 0
        var offset = 0
        while offset < n, let hit = memchr(base + offset, 0, n - offset) {
            nuls += 1
            if nuls > 2 { return true }
            offset = base.distance(to: UnsafeRawPointer(hit)) + 1
        }
        return false
    }

    /// Whether `bytes` are worth handing to `ContentScan.scan`: text, an archive (binary, but holding text) or UTF-16
    /// text (binary to a byte check).
    static func holdsText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !isBinary(bytes) || ArchiveFormat.detect(bytes) != nil || utf16Encoding(bytes) != nil
    }

    /// Whether `bytes` look like UTF-16 text, and how: byte order and where the text starts (after a BOM).
    static func hasUTF16ByteOrderMark(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))
    }

    static func utf16Encoding(_ bytes: UnsafeRawBufferPointer) -> (littleEndian: Bool, start: Int)? {
        guard bytes.count >= 4 else { return nil }
        if hasUTF16ByteOrderMark(bytes) { return (bytes[0] == 0xFF, 2) }
        // No BOM: ASCII text in UTF-16 has a NUL in every other byte.
        let n = min(bytes.count, 512) & ~1
        var evenZero = 0, oddZero = 0
        for i in 0..<n where bytes[i] == 0 { if i % 2 == 0 { evenZero += 1 } else { oddZero += 1 } }
        let pairs = n / 2
        if oddZero * 10 >= pairs * 9 && evenZero == 0 { return (true, 0) }
        if evenZero * 10 >= pairs * 9 && oddZero == 0 { return (false, 0) }
        return nil
    }

    /// The UTF-8 text of UTF-16 content — a byte-order mark, or (without one) the NUL-every-other-byte pattern of
    /// ASCII text in UTF-16 — or nil for anything else.
    static func utf16Text(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let (littleEndian, start) = utf16Encoding(bytes) else { return nil }
        let units = (bytes.count - start) / 2
        var codeUnits = [UInt16](repeating: 0, count: units)
        for u in 0..<units {
            let a = UInt16(bytes[start + 2 * u]), b = UInt16(bytes[start + 2 * u + 1])
            codeUnits[u] = littleEndian ? (b << 8 | a) : (a << 8 | b)
        }
        return Array(String(decoding: codeUnits, as: UTF16.self).utf8)
    }
}

/// Builds one repository's object index: a node table over trees and blobs (each distinct tree listed once, however
/// many commits share it), the commits in walk order, then each blob's last sighting and HEAD membership.
final class HistoryIndexBuilder {
    let repo: GitRepository
    let path: String
    var index = GitObjectIndex()
    private var nodeOf: [ObjectID: Int32] = [:]
    private var isBlob: [Bool] = []
    private var blobSlot: [Int32] = []          // node → index into index.blobs, or -1
    private var children: [[Int32]] = []
    private var maxTime: [Int64] = []
    private var postorder: [Int32] = []
    private var roots: [(node: Int32, time: Int64)] = []
    private var headRoot: Int32 = -1
    private var seenSignatures = NameTable()
    private var entryNames = NameTable()
    private let headID: ObjectID?

    /// The distinct entry names seen so far, looked up by the bytes libgit2 holds: an entry whose name is already
    /// known (nearly all of them) costs one hash of its bytes, no array and no per-byte hashing. (A `Set<[UInt8]>`
    /// insert per tree entry made the index build of crewAI's history 2.5 times slower.)
    struct NameTable {
        private(set) var names: [[UInt8]] = []
        private var hashes: [UInt64] = []
        /// Open addressing over `names` (index, or -1 when free); a power of two, at most half full.
        private var slots = [Int32](repeating: -1, count: 1024)

        /// FNV-1a: names are short, and this runs once per tree entry.
        private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            var h: UInt64 = 0xcbf29ce484222325
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            return h ^ (h >> 29)
        }

        /// A copy of `bytes` when it is a name not seen before (now remembered), else nil.
        mutating func insert(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
            let hash = Self.hash(bytes)
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = Int(slots[i])
                if slot < 0 { break }
                if hashes[slot] == hash, names[slot].count == bytes.count,
                   names[slot].withUnsafeBytes({ bytes.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
                    return nil
                }
                i = (i + 1) & mask
            }
            let name = Array(bytes)
            slots[i] = Int32(names.count)
            names.append(name)
            hashes.append(hash)
            if names.count * 2 > slots.count { grow() }
            return name
        }

        private mutating func grow() {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            let mask = slots.count - 1
            for (n, hash) in hashes.enumerated() {
                var i = Int(truncatingIfNeeded: hash) & mask
                while slots[i] >= 0 { i = (i + 1) & mask }
                slots[i] = Int32(n)
            }
        }
    }

    init(repo: GitRepository, path: String) {
        self.repo = repo
        self.path = path
        var headOID = git_oid()
        headID = git_reference_name_to_id(&headOID, repo.pointer, "HEAD") == 0 ? ObjectID(headOID) : nil
    }

    func newNode(_ id: ObjectID, blob: Bool) -> Int32 {
        let n = Int32(isBlob.count)
        nodeOf[id] = n
        isBlob.append(blob); blobSlot.append(-1); children.append([]); maxTime.append(Int64.min)
        return n
    }

    /// One tree being listed: its libgit2 object (nil when it cannot be read), its node, the next entry to look
    /// at, its children so far, and where its name starts in `pathBuffer`.
    private struct Frame {
        let tree: OpaquePointer?
        let node: Int32
        var next = 0
        var kids: [Int32] = []
        let pathStart: Int
    }

    /// Depth-first over a tree not seen before; records blobs' first sighting. Iterative, with one shared path
    /// buffer: a tree nested tens of thousands deep costs neither call stack nor a copy of its path per level.
    /// `record: false` marks content that already existed at `--since` as known without reporting it.
    func visitTree(_ treeID: ObjectID, node: Int32, commitIndex: Int32, record: Bool = true, tally: inout ScanTally) {
        var pathBuffer: [UInt8] = []
        var stack: [Frame] = []
        func push(_ id: ObjectID, node: Int32) {
            var oid = id.oid
            var tree: OpaquePointer?
            git_error_clear()
            if git_tree_lookup(&tree, repo.pointer, &oid) != 0 {
                let at = pathBuffer.isEmpty ? "/" : PathBytes.display(pathBuffer)
                tally.unreadable("missing-object", path: path, problemPath: at,
                                 detail: "tree \(id.hex) at \(at) cannot be read (\(LibGit2.objectFailure()))")
                tree = nil
            }
            stack.append(Frame(tree: tree, node: node, pathStart: pathBuffer.count))
        }
        push(treeID, node: node)
        while !stack.isEmpty {
            let top = stack.count - 1
            guard let tree = stack[top].tree, stack[top].next < git_tree_entrycount(tree) else {
                // Every entry seen: the tree is done (children before parents in `postorder`).
                let frame = stack.removeLast()
                if let tree = frame.tree { git_tree_free(tree) }
                children[Int(frame.node)] = frame.kids
                postorder.append(frame.node)
                // Drop the tree's name and its "/" from the shared path: back to its parent's path.
                pathBuffer.removeSubrange((stack.last?.pathStart ?? 0)...)
                continue
            }
            let i = stack[top].next
            stack[top].next += 1
            guard let entry = git_tree_entry_byindex(tree, i) else { continue }
            let mode = git_tree_entry_filemode(entry)
            let type = git_tree_entry_type(entry)
            let id = ObjectID(git_tree_entry_id(entry).pointee)
            let cName = git_tree_entry_name(entry)!
            let nameBytes = UnsafeRawBufferPointer(start: cName, count: strlen(cName))
            // Each distinct name once, where it first appears (a renamed file keeps its blob's node).
            let inserted = entryNames.insert(nameBytes)
            func noteName(node: Int32) {
                guard record, let name = inserted else { return }
                index.names.append(.init(name: name, path: PathBytes.display(pathBuffer + name), folder: type == GIT_OBJECT_TREE,
                                         firstCommit: commitIndex, node: node))
            }
            if type == GIT_OBJECT_TREE {
                if let existing = nodeOf[id] { stack[top].kids.append(existing); noteName(node: existing); continue }
                let child = newNode(id, blob: false)
                noteName(node: child)
                stack[top].kids.append(child)
                pathBuffer.append(contentsOf: nameBytes)
                pathBuffer.append(0x2F)
                push(id, node: child)
            } else if type == GIT_OBJECT_BLOB, mode != GIT_FILEMODE_LINK {
                if let existing = nodeOf[id] { stack[top].kids.append(existing); noteName(node: existing); continue }
                let child = newNode(id, blob: true)
                noteName(node: child)
                let blobPath = PathBytes.display(pathBuffer + nameBytes)
                if record {
                    blobSlot[Int(child)] = Int32(index.blobs.count)
                    index.blobs.append(.init(id: id, firstCommit: commitIndex, path: blobPath))
                } else {
                    index.baseBlobs.append(.init(id: id, firstCommit: commitIndex, path: blobPath))
                }
                stack[top].kids.append(child)
                postorder.append(child)
            } else {
                noteName(node: -1)
            }
            // Submodule commits (gitlinks) and symlinks hold no content to scan, but have names.
        }
    }

    /// Indexes one commit: its author, its signatures' names, and its tree (listed unless already seen).
    func indexCommit(_ commitID: git_oid, tally: inout ScanTally) {
        var oid = commitID
        var commit: OpaquePointer?
        git_error_clear()
        guard git_commit_lookup(&commit, repo.pointer, &oid) == 0, let commit else {
            tally.unreadable("missing-object", path: path, problemPath: ObjectID(oid).hex,
                             detail: "commit \(ObjectID(oid).hex) cannot be read (\(LibGit2.objectFailure()))")
            return
        }
        defer { git_commit_free(commit) }
        // libgit2 refuses a commit without an author when parsing it; should one ever come through, it is unreadable.
        guard let author = git_commit_author(commit)?.pointee else {
            tally.unreadable("missing-object", path: path, problemPath: ObjectID(oid).hex,
                             detail: "commit \(ObjectID(oid).hex) has no author line")
            return
        }
        let name = author.name.map { PathBytes.display(PathBytes.bytes($0)) } ?? ""
        let email = author.email.map { PathBytes.display(PathBytes.bytes($0)) } ?? ""
        let time = Int64(author.when.time)
        let commitIndex = Int32(index.commits.count)
        // Author and committer names and emails, each distinct one once (a key pasted as a name is still a key).
        for (signature, part) in [(git_commit_author(commit), FoundLocation.NamePart.commitAuthor),
                                  (git_commit_committer(commit), .commitCommitter)] {
            guard let signature else { continue }
            for field in [signature.pointee.name, signature.pointee.email] {
                guard let field else { continue }
                if let bytes = seenSignatures.insert(UnsafeRawBufferPointer(start: field, count: strlen(field))) {
                    index.signatures.append(.init(bytes: bytes, commit: commitIndex, part: part))
                }
            }
        }
        index.commits.append(.init(id: ObjectID(oid).hex, author: email.isEmpty ? name : "\(name) <\(email)>", time: time))
        let treeID = ObjectID(git_commit_tree_id(commit).pointee)
        let root: Int32
        if let existing = nodeOf[treeID] {
            root = existing
        } else {
            root = newNode(treeID, blob: false)
            visitTree(treeID, node: root, commitIndex: commitIndex, tally: &tally)
        }
        // The commit's own time bounds how long its content stayed: use the committer time if later.
        let committed = Int64(git_commit_time(commit))
        roots.append((root, max(time, committed)))
        if let headID, ObjectID(oid) == headID { headRoot = root }
    }

    /// Propagates "latest commit time containing" and "in HEAD" from root trees down, parents before children.
    func finish() -> GitObjectIndex {
        var headMark = [Bool](repeating: false, count: isBlob.count)
        for (node, time) in roots where time > maxTime[Int(node)] { maxTime[Int(node)] = time }
        if headRoot >= 0 { headMark[Int(headRoot)] = true }
        for node in postorder.reversed() {
            let n = Int(node)
            guard !isBlob[n] else { continue }
            for child in children[n] {
                let c = Int(child)
                if maxTime[n] > maxTime[c] { maxTime[c] = maxTime[n] }
                if headMark[n] { headMark[c] = true }
            }
        }
        index.lastSeen = [Int64](repeating: 0, count: index.blobs.count)
        index.inHead = [Bool](repeating: false, count: index.blobs.count)
        for n in 0..<isBlob.count where isBlob[n] && blobSlot[n] >= 0 {
            let slot = Int(blobSlot[n])
            index.lastSeen[slot] = maxTime[n]
            index.inHead[slot] = headMark[n]
        }
        index.blobIDs = Set(index.blobs.map(\.id))
        index.nameSet = Set(entryNames.names)
        for i in index.names.indices {
            let node = Int(index.names[i].node)
            let firstTime = index.commits[Int(index.names[i].firstCommit)].time
            index.names[i].lastSeen = node >= 0 ? max(maxTime[node], firstTime) : firstTime
            index.names[i].inHead = node >= 0 && headMark[node]
        }
        return index
    }
}
