import CLibGit2
import Foundation

/// Builds git repositories for tests and the demo estate through libgit2: commits with fixed authors and
/// dates on any branch, deletions, and a checked-out work tree — no `git` program needed.
public final class GitFixtureRepository {
    public let path: String
    private let repo: OpaquePointer
    /// Files of each branch's tip, so the next commit on it starts from there.
    private var trees: [String: [String: String]] = [:]
    /// Binary file contents, stood in for by the token `binaryContent` returns.
    private var binaries: [String: [UInt8]] = [:]

    /// A stand-in for binary content (an archive, an image) to pass as a file's content to `commit`.
    public func binaryContent(_ bytes: [UInt8]) -> String {
        let token = "\u{0}binary:\(binaries.count)"
        binaries[token] = bytes
        return token
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates an empty repository at `path` (with a work tree unless `bare`), HEAD on `main`.
    public init(path: String, bare: Bool = false) throws {
        git_libgit2_init()
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var r: OpaquePointer?
        guard git_repository_init(&r, path, bare ? 1 : 0) == 0, let r else { throw Self.error("init \(path)") }
        repo = r
        self.path = path
        git_repository_set_head(r, "refs/heads/main")
    }

    deinit { git_repository_free(repo) }

    static func error(_ what: String) -> Failure {
        let message = git_error_last().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown error"
        return Failure(description: "\(what): \(message)")
    }

    /// Commits `changes` (path → content; nil deletes) on `branch`, starting from its tip
    /// (or from `from` for a new branch). Returns the commit id.
    @discardableResult
    public func commit(_ changes: [String: String?], message: String, author: String = "Dev One", email: String = "dev1@example.org",
                       date: String, branch: String = "main", from: String? = nil) throws -> String {
        var files = trees[branch] ?? (from.flatMap { trees[$0] } ?? [:])
        for (file, content) in changes {
            if let content { files[file] = content } else { files.removeValue(forKey: file) }
        }
        let treeID = try writeTree(files)
        var tree: OpaquePointer?
        var tid = treeID
        guard git_tree_lookup(&tree, repo, &tid) == 0 else { throw Self.error("tree") }
        defer { git_tree_free(tree) }
        guard let time = ISO8601DateFormatter().date(from: date.count == 10 ? date + "T12:00:00Z" : date) else {
            throw Failure(description: "bad date \(date)")
        }
        var signature: UnsafeMutablePointer<git_signature>?
        guard git_signature_new(&signature, author, email, git_time_t(time.timeIntervalSince1970), 0) == 0 else { throw Self.error("signature") }
        defer { git_signature_free(signature) }
        var parents: [OpaquePointer?] = []
        let parentRef = trees[branch] != nil ? "refs/heads/\(branch)" : from.map { "refs/heads/\($0)" }
        if let parentRef {
            var pid = git_oid()
            if git_reference_name_to_id(&pid, repo, parentRef) == 0 {
                var parent: OpaquePointer?
                if git_commit_lookup(&parent, repo, &pid) == 0 { parents.append(parent) }
            }
        }
        defer { parents.forEach { git_commit_free($0) } }
        var oid = git_oid()
        let status = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&oid, repo, "refs/heads/\(branch)", signature, signature, "UTF-8", message, tree,
                              buffer.count, buffer.baseAddress)
        }
        guard status == 0 else { throw Self.error("commit on \(branch)") }
        trees[branch] = files
        return Self.hex(oid)
    }

    /// Writes HEAD's (main's) files into the work tree, as a checkout would.
    public func checkout(branch: String = "main") throws {
        for (file, content) in trees[branch] ?? [:] {
            let full = path + "/" + file
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: full, atomically: true, encoding: .utf8)
        }
        if branch == "main" { try resetIndex() }
    }

    /// Points a lightweight tag at a branch tip.
    public func tag(_ name: String, branch: String) throws {
        var oid = git_oid()
        guard git_reference_name_to_id(&oid, repo, "refs/heads/\(branch)") == 0 else { throw Self.error("tag") }
        var ref: OpaquePointer?
        guard git_reference_create(&ref, repo, "refs/tags/\(name)", &oid, 1, nil) == 0 else { throw Self.error("tag") }
        git_reference_free(ref)
    }

    /// Adds `content` at `file` to the index (staging it) and writes the file into the work tree.
    public func stage(_ file: String, content: String) throws {
        let full = path + "/" + file
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: full, atomically: true, encoding: .utf8)
        var index: OpaquePointer?
        guard git_repository_index(&index, repo) == 0 else { throw Self.error("index") }
        defer { git_index_free(index) }
        guard git_index_add_bypath(index, file) == 0, git_index_write(index) == 0 else { throw Self.error("stage \(file)") }
    }

    /// Resets the index to main's tip, as after a checkout.
    public func resetIndex() throws {
        var oid = git_oid()
        guard git_reference_name_to_id(&oid, repo, "refs/heads/main") == 0 else { return }
        var commit: OpaquePointer?
        guard git_commit_lookup(&commit, repo, &oid) == 0 else { throw Self.error("reset") }
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        guard git_commit_tree(&tree, commit) == 0 else { throw Self.error("reset") }
        defer { git_tree_free(tree) }
        var index: OpaquePointer?
        guard git_repository_index(&index, repo) == 0 else { throw Self.error("index") }
        defer { git_index_free(index) }
        guard git_index_read_tree(index, tree) == 0, git_index_write(index) == 0 else { throw Self.error("reset") }
    }

    /// Sets the `origin` remote URL (shown as the repository's name).
    public func setOrigin(_ url: String) throws {
        var remote: OpaquePointer?
        guard git_remote_create(&remote, repo, "origin", url) == 0 else { throw Self.error("remote") }
        git_remote_free(remote)
    }

    private func writeTree(_ files: [String: String]) throws -> git_oid {
        var builder: OpaquePointer?
        guard git_treebuilder_new(&builder, repo, nil) == 0 else { throw Self.error("treebuilder") }
        defer { git_treebuilder_free(builder) }
        var subfolders: [String: [String: String]] = [:]
        for (file, content) in files {
            if let slash = file.firstIndex(of: "/") {
                subfolders[String(file[..<slash]), default: [:]][String(file[file.index(after: slash)...])] = content
            } else {
                var blob = git_oid()
                let bytes = binaries[content] ?? Array(content.utf8)
                guard git_blob_create_from_buffer(&blob, repo, bytes, bytes.count) == 0 else { throw Self.error("blob") }
                guard git_treebuilder_insert(nil, builder, file, &blob, GIT_FILEMODE_BLOB) == 0 else { throw Self.error("insert \(file)") }
            }
        }
        for (name, content) in subfolders {
            var sub = try writeTree(content)
            guard git_treebuilder_insert(nil, builder, name, &sub, GIT_FILEMODE_TREE) == 0 else { throw Self.error("insert \(name)") }
        }
        var oid = git_oid()
        guard git_treebuilder_write(&oid, builder) == 0 else { throw Self.error("write tree") }
        return oid
    }

    static func hex(_ oid: git_oid) -> String {
        var o = oid
        var buffer = [CChar](repeating: 0, count: 40)
        git_oid_fmt(&buffer, &o)
        return String(decoding: buffer.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
