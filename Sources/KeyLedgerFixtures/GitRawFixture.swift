import CLibGit2
import Foundation

/// Commits that `GitFixtureRepository` cannot express: file and folder names given as raw bytes (names that are not
/// UTF-8) and trees nested deeper than any file system allows. Built through libgit2 only, from the leaf up, without
/// recursion, so any depth works.
public enum GitRawFixture {
    /// Commits a tree holding one file, at the path made of `components` (folder names, then the file name, each as
    /// bytes), on `branch`, with the branch's current tip (if any) as parent. Returns the commit id.
    @discardableResult
    public static func commitFile(repository path: String, components: [[UInt8]], content: String, message: String = "raw",
                                  author: String = "Dev One", email: String = "dev1@example.org", date: Int64 = 1_767_268_800,
                                  branch: String = "main") throws -> String {
        precondition(!components.isEmpty, "a file needs a name")
        git_libgit2_init()
        var repo: OpaquePointer?
        guard git_repository_open(&repo, path) == 0, let repo else { throw failure("open \(path)") }
        defer { git_repository_free(repo) }
        var blob = git_oid()
        let bytes = Array(content.utf8)
        guard git_blob_create_from_buffer(&blob, repo, bytes, bytes.count) == 0 else { throw failure("blob") }
        var id = blob
        var mode = GIT_FILEMODE_BLOB
        // Innermost first: each level is a tree holding the previous one under its name.
        for name in components.reversed() {
            var builder: OpaquePointer?
            guard git_treebuilder_new(&builder, repo, nil) == 0, let builder else { throw failure("treebuilder") }
            defer { git_treebuilder_free(builder) }
            let status = (name + [0]).withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { git_treebuilder_insert(nil, builder, $0.baseAddress, &id, mode) }
            }
            guard status == 0 else { throw failure("insert") }
            var tree = git_oid()
            guard git_treebuilder_write(&tree, builder) == 0 else { throw failure("write tree") }
            id = tree
            mode = GIT_FILEMODE_TREE
        }
        var tree: OpaquePointer?
        guard git_tree_lookup(&tree, repo, &id) == 0 else { throw failure("tree") }
        defer { git_tree_free(tree) }
        var signature: UnsafeMutablePointer<git_signature>?
        guard git_signature_new(&signature, author, email, git_time_t(date), 0) == 0 else { throw failure("signature") }
        defer { git_signature_free(signature) }
        var parents: [OpaquePointer?] = []
        var tip = git_oid()
        if git_reference_name_to_id(&tip, repo, "refs/heads/\(branch)") == 0 {
            var parent: OpaquePointer?
            if git_commit_lookup(&parent, repo, &tip) == 0 { parents.append(parent) }
        }
        defer { parents.forEach { git_commit_free($0) } }
        var oid = git_oid()
        let status = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&oid, repo, "refs/heads/\(branch)", signature, signature, "UTF-8", message, tree, buffer.count, buffer.baseAddress)
        }
        guard status == 0 else { throw failure("commit") }
        var buffer = [CChar](repeating: 0, count: 40)
        git_oid_fmt(&buffer, &oid)
        return String(decoding: buffer.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func failure(_ what: String) -> GitFixtureRepository.Failure {
        GitFixtureRepository.error(what)
    }
}
