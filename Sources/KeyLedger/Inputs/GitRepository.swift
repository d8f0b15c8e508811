import CLibGit2
import Foundation

/// A git object id usable as a dictionary key.
struct ObjectID: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt32

    init(_ oid: git_oid) {
        var copy = oid
        (a, b, c) = withUnsafeBytes(of: &copy) { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        }
    }

    var oid: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid) { raw in
            raw.storeBytes(of: a, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: c, toByteOffset: 16, as: UInt32.self)
        }
        return oid
    }

    var hex: String {
        var o = oid
        var buffer = [CChar](repeating: 0, count: 40)
        git_oid_fmt(&buffer, &o)
        return String(decoding: buffer.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// libgit2 must be initialised once per process before any call.
enum LibGit2 {
    static let initialised: Bool = {
        git_libgit2_init()
        keyledger_git_configure_for_scanning(32 << 20, 256 << 20)
        return true
    }()

    /// libgit2's message for the call that just failed, else `fallback`. libgit2 keeps the last error of the thread
    /// until the next one, even across calls that succeed (opening a repository leaves "config value
    /// 'init.defaultbranch' was not found" behind): call `git_error_clear()` before the call whose failure you report.
    static func lastError(_ fallback: String) -> String {
        lastErrorMessage() ?? fallback
    }

    /// Why an object could not be read, in words: missing (a partial or damaged clone) or damaged, with libgit2's
    /// own message (zlib's "invalid code lengths set" says little on its own).
    static func objectFailure() -> String {
        guard let error = git_error_last(), let m = error.pointee.message else { return "missing or damaged: partial or damaged clone" }
        let message = String(cString: m)
        if message.contains("not found") || message.contains("no match") { return "missing: partial or damaged clone; libgit2: \(message)" }
        return "damaged: libgit2: \(message)"
    }

    static func lastErrorMessage() -> String? {
        if let e = git_error_last(), let m = e.pointee.message { return String(cString: m) }
        return nil
    }
}

/// An open repository handle. Each thread opens its own: libgit2 handles are not shared across threads.
final class GitRepository: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Working directory, nil for a bare repository.
    let workdir: String?
    let gitdir: String

    struct OpenError: Error { let message: String }

    /// How a path is opened as a repository.
    enum Lookup {
        /// `path` itself must be the repository: a folder inside a repository is scanned as a folder, not as its
        /// enclosing repository.
        case exact
        /// `path` or the nearest folder above it that is a repository.
        case discover
        /// As git does for a hook: the repository of the current directory unless `GIT_DIR` names one, with the
        /// index `GIT_INDEX_FILE` names (git commit -a and partial commits stage into a temporary index).
        case environment
    }

    init(path: String, lookup: Lookup = .exact) throws {
        _ = LibGit2.initialised
        var repo: OpaquePointer?
        let status: Int32
        git_error_clear()
        switch lookup {
        case .exact: status = git_repository_open_ext(&repo, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil)
        case .discover: status = git_repository_open_ext(&repo, path, 0, nil)
        case .environment: status = git_repository_open_ext(&repo, nil, UInt32(GIT_REPOSITORY_OPEN_FROM_ENV.rawValue), nil)
        }
        guard status == 0, let repo else { throw OpenError(message: LibGit2.lastError("not a git repository")) }
        pointer = repo
        workdir = git_repository_workdir(repo).map { String(cString: $0) }
        gitdir = String(cString: git_repository_path(repo))
    }

    deinit { git_repository_free(pointer) }

    /// Whether `path` holds a git repository (work tree with `.git`, or a bare repository).
    static func isRepository(_ path: String) -> Bool {
        _ = LibGit2.initialised
        var repo: OpaquePointer?
        let ok = git_repository_open_ext(&repo, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil) == 0
        if let repo { git_repository_free(repo) }
        return ok
    }

    /// The boundary commits of a shallow clone (`.git/shallow`: their parents are not in the clone); empty for a
    /// complete repository.
    var shallowBoundary: Set<ObjectID> {
        guard git_repository_is_shallow(pointer) == 1,
              let text = try? String(contentsOfFile: gitdir + "shallow", encoding: .utf8) else { return [] }
        var ids = Set<ObjectID>()
        for line in text.split(separator: "\n") {
            var oid = git_oid()
            let hex = line.trimmingCharacters(in: .whitespaces)
            if hex.utf8.count == 40, git_oid_fromstr(&oid, hex) == 0 { ids.insert(ObjectID(oid)) }
        }
        return ids
    }

    /// The repository's name as the register shows it: the `origin` remote URL when set, else the folder name.
    var displayName: String {
        var remote: OpaquePointer?
        if git_remote_lookup(&remote, pointer, "origin") == 0, let remote {
            defer { git_remote_free(remote) }
            if let url = git_remote_url(remote) {
                return Self.stripCredentials(String(cString: url))
            }
        }
        let base = workdir ?? gitdir
        var name = URL(fileURLWithPath: base).lastPathComponent
        if name == ".git" { name = URL(fileURLWithPath: base).deletingLastPathComponent().lastPathComponent }
        return name
    }

    /// The text of `file` in HEAD's tree, or nil when HEAD or the file does not exist.
    func headFile(_ file: String) -> String? {
        var object: OpaquePointer?
        guard git_revparse_single(&object, pointer, "HEAD:" + file) == 0, let object else { return nil }
        defer { git_object_free(object) }
        guard git_object_type(object) == GIT_OBJECT_BLOB else { return nil }
        let size = Int(git_blob_rawsize(object))
        guard size < 1 << 20, let raw = git_blob_rawcontent(object) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: raw, count: size), as: UTF8.self)
    }

    /// Remote URLs can embed credentials in several places — `https://user:token@host/…`, scp-style
    /// `deploy:token@host:org/x.git`, `?private_token=…`, `#token` — never show them: the user part, the query and
    /// the fragment are dropped, whatever the form.
    static func stripCredentials(_ url: String) -> String {
        var text = Substring(url)
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<cut] }
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        // The authority ends at the first `/` after the scheme (URL form); scp form has no scheme and no `/` before `@`.
        let authorityEnd = text[start...].firstIndex(of: "/") ?? text.endIndex
        if let at = text[start..<authorityEnd].lastIndex(of: "@") {
            // scp form's plain ssh user (`git@host:org/x`) is no secret; a `user:password` pair, or any user of a URL
            // (`https://<token>@github.com/…` is how tokens are commonly embedded), is dropped.
            let user = text[start..<at]
            if start == text.startIndex, !user.contains(":") { return String(text) }
            return String(text[..<start]) + String(text[text.index(after: at)...])
        }
        return String(text)
    }
}

/// One thread's reader of a repository's objects: its own repository handle and object database, since
/// libgit2 handles are not shared across threads.
final class GitObjectReader {
    let repository: GitRepository
    private let odb: OpaquePointer

    /// Opens `path` for this thread; when it cannot, records why in `tally` and returns nil.
    /// The repository's path as the scan was given it (what an unreadable blob is listed under).
    let path: String

    init?(path: String, tally: inout ScanTally) {
        self.path = path
        guard let repository = try? GitRepository(path: path) else {
            tally.skip("unreadable-repository", path: path, detail: "a scanning thread could not open the repository")
            return nil
        }
        var odb: OpaquePointer?
        git_error_clear()
        guard git_repository_odb(&odb, repository.pointer) == 0, let odb else {
            tally.skip("unreadable-repository", path: path, detail: LibGit2.lastError("cannot open the object database"))
            return nil
        }
        self.repository = repository
        self.odb = odb
    }

    deinit { git_odb_free(odb) }

    /// Calls `body` with the content of blob `id` when it is worth scanning; counts it in `tally.blobs`/`bytes`.
    /// Missing (partial or damaged clone), oversized and binary blobs are skipped and counted by reason instead.
    /// `read` is told when the blob's content was read (whether scanned or skipped as binary).
    func withBlob<T>(_ id: ObjectID, path: String, limits: ScanLimits, tally: inout ScanTally, read: (() -> Void)? = nil,
                     _ body: (UnsafeRawBufferPointer, inout ScanTally) -> T) -> T? {
        var oid = id.oid
        var size = 0
        var type = GIT_OBJECT_ANY
        git_error_clear()
        guard git_odb_read_header(&size, &type, odb, &oid) == 0 else {
            tally.unreadable("missing-object", path: self.path, problemPath: path,
                             detail: "blob \(id.hex) at \(path) cannot be read (\(LibGit2.objectFailure()))")
            return nil
        }
        if size > limits.maxFileSize {
            tally.skip("oversized", path: path, detail: "\(size) bytes in blob \(id.hex) (limit \(limits.maxFileSize))")
            return nil
        }
        var object: OpaquePointer?
        git_error_clear()
        guard git_blob_lookup(&object, repository.pointer, &oid) == 0, let object else {
            tally.unreadable("missing-object", path: self.path, problemPath: path,
                             detail: "blob \(id.hex) at \(path) cannot be read (\(LibGit2.objectFailure()))")
            return nil
        }
        defer { git_blob_free(object) }
        read?()
        let length = Int(git_blob_rawsize(object))
        let bytes = UnsafeRawBufferPointer(start: git_blob_rawcontent(object), count: length)
        // Archives and UTF-16 text are binary to a byte check but hold text: ContentScan opens or transcodes them.
        if !ContentSniffer.holdsText(bytes) {
            tally.skip("binary", path: path, record: false)
            return nil
        }
        tally.blobs += 1
        tally.bytes += length
        return body(bytes, &tally)
    }
}

/// Git's blob id of arbitrary content (`sha1("blob <len>\0" + content)`), to recognise work-tree files
/// whose content was already scanned from history.
enum GitBlobHasher {
    static func id(of bytes: UnsafeRawBufferPointer) -> ObjectID {
        _ = LibGit2.initialised
        var oid = git_oid()
        git_odb_hash(&oid, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, bytes.count, GIT_OBJECT_BLOB)
        return ObjectID(oid)
    }
}
