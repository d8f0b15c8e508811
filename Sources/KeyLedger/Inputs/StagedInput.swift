import CLibGit2
import Foundation

/// What is staged for the next commit (the pre-commit hook), read from the index through libgit2.
///
/// Every index entry whose blob differs from HEAD's tree at that path — added and modified files — is scanned from
/// the index, never from the work tree, so an unstaged edit neither hides a staged key nor reports an unstaged one.
/// Deletions are not findings. A secret that HEAD already holds in one of the changed paths (an edit near an old
/// key, a renamed file) is not reported again: it was committed before, and the hook stops new ones.
struct StagedInput {
    let path: String

    /// Notes a staged location, which is a file in the repository not yet in any commit.
    static let note = "staged, not yet committed"

    func scan(matcher: RuleMatcher, limits: ScanLimits, tally: inout ScanTally) throws -> [Finding] {
        let repo: GitRepository
        do {
            // `.`: as git runs the hook (GIT_DIR, GIT_INDEX_FILE); any other path: that repository or the one above it.
            repo = try GitRepository(path: path, lookup: path == "." ? .environment : .discover)
        } catch let error as GitRepository.OpenError {
            throw InputError(path: path, message: "--staged needs a git repository (\(error.message))")
        }
        guard repo.workdir != nil else {
            throw InputError(path: path, message: "--staged needs a repository with a work tree and an index (this one is bare)")
        }
        let changes = try stagedChanges(repo)
        let name = repo.displayName
        var found = ParallelScan.run(count: changes.added.count, workers: limits.workers, tally: &tally, open: { tally in
            GitObjectReader(path: repo.gitdir, tally: &tally).map { ($0, matcher.makeWorkspace()) }
        }, item: { worker, i, tally in
            let (reader, workspace) = worker
            let change = changes.added[i]
            return reader.withBlob(change.id, path: change.path, limits: limits, tally: &tally) { bytes, tally in
                ContentScan.scan(bytes, path: change.path, matcher: matcher, workspace: workspace, limits: limits, tally: &tally) { line, note in
                    FoundLocation(kind: .file, repository: name, path: change.path, line: line, current: true,
                                  note: note.map { "\($0); \(Self.note)" } ?? Self.note)
                }
            } ?? []
        })
        if !found.isEmpty, !changes.replaced.isEmpty {
            let before = ContentScan.secretFingerprints(in: changes.replaced, repository: repo.gitdir, matcher: matcher, limits: limits)
            found.removeAll { before.contains($0.secret.fingerprint) }
        }
        let ignore = repo.workdir.flatMap(GitleaksIgnore.load(root:))
        return ignore?.apply(to: found) ?? found
    }

    typealias Change = (id: ObjectID, path: String)

    /// Blobs the index adds or changes against HEAD (`added`), and HEAD's blobs at the paths it changes or
    /// deletes (`replaced`). Submodules, symlinks and unresolved conflicts hold nothing to scan.
    func stagedChanges(_ repo: GitRepository) throws -> (added: [Change], replaced: [Change]) {
        var index: OpaquePointer?
        git_error_clear()
        guard git_repository_index(&index, repo.pointer) == 0, let index else {
            throw InputError(path: path, message: "cannot read the index: \(LibGit2.lastError("unknown error"))")
        }
        defer { git_index_free(index) }
        // An unborn HEAD (the first commit) diffs against the empty tree.
        var headTree: OpaquePointer?
        if git_revparse_single(&headTree, repo.pointer, "HEAD^{tree}") != 0 { headTree = nil }
        defer { if let headTree { git_object_free(headTree) } }
        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        options.flags = GIT_DIFF_IGNORE_SUBMODULES.rawValue
        var diff: OpaquePointer?
        git_error_clear()
        guard git_diff_tree_to_index(&diff, repo.pointer, headTree, index, &options) == 0, let diff else {
            throw InputError(path: path, message: "cannot compare the index with HEAD: \(LibGit2.lastError("unknown error"))")
        }
        defer { git_diff_free(diff) }
        func isBlob(_ file: git_diff_file) -> Bool {
            let mode = UInt32(file.mode)
            return mode == GIT_FILEMODE_BLOB.rawValue || mode == GIT_FILEMODE_BLOB_EXECUTABLE.rawValue
        }
        var added: [Change] = []
        var replaced: [Change] = []
        for i in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, i)?.pointee else { continue }
            switch delta.status {
            case GIT_DELTA_ADDED, GIT_DELTA_MODIFIED, GIT_DELTA_TYPECHANGE, GIT_DELTA_RENAMED, GIT_DELTA_COPIED:
                if isBlob(delta.new_file), let path = delta.new_file.path {
                    added.append((ObjectID(delta.new_file.id), String(cString: path)))
                }
            default:
                break
            }
            switch delta.status {
            case GIT_DELTA_MODIFIED, GIT_DELTA_TYPECHANGE, GIT_DELTA_DELETED, GIT_DELTA_RENAMED:
                if isBlob(delta.old_file), let path = delta.old_file.path {
                    replaced.append((ObjectID(delta.old_file.id), String(cString: path)))
                }
            default:
                break
            }
        }
        return (added, replaced)
    }
}
