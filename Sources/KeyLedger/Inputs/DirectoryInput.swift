import Foundation

/// Walks a folder (a config store, a checkout, a home directory) and scans its files.
///
/// Follows symlinks but never into a directory it has already entered (loops are counted, not followed);
/// skips VCS metadata and dependency/build folders; skips binary, oversized and unreadable files with a counted
/// reason. Decodes what a plain text scan cannot see: base64 `data:` of Kubernetes Secrets, Docker `auths`,
/// and JSON-escaped notebook sources.
struct DirectoryInput {
    let root: String
    /// Repository name when the folder is a git work tree; nil for a plain folder.
    let repositoryName: String?
    /// Content already scanned from history (git blob ids): files whose content is in it are not scanned again.
    var knownBlobs: Set<ObjectID> = []

    /// Folders that hold dependencies, caches or VCS metadata, not configuration.
    static let ignoredDirectories: Set<String> = [
        ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".build", ".tox", ".mypy_cache",
        ".pytest_cache", ".ruff_cache", ".gradle", ".idea", "bower_components", ".terraform", ".next", ".nuxt",
    ]

    /// Extra ignore globs from a `.keyledgerignore` file at the root (one `fnmatch` pattern per line).
    func ignorePatterns() -> [String] {
        guard let text = try? String(contentsOfFile: root + "/.keyledgerignore", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// Relative paths of every regular file to scan, in a stable order.
    func enumerate(tally: inout ScanTally) -> [String] {
        var files: [String] = []
        var visited = Set<String>()  // "dev:inode" of entered directories
        let resolvedRoot = Self.realPath(root.isEmpty ? "." : root)
        let patterns = ignorePatterns()
        func ignored(_ relative: String) -> Bool {
            patterns.contains { fnmatch($0, relative, 0) == 0 || fnmatch($0, (relative as NSString).lastPathComponent, 0) == 0 }
        }
        func walk(_ relative: String, ancestors: Set<String> = []) {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            var st = stat()
            guard stat(absolute, &st) == 0 else { return }
            let key = "\(st.st_dev):\(st.st_ino)"
            guard visited.insert(key).inserted else {
                // A link back to an enclosing folder is a loop; one to a folder seen elsewhere is a second way in.
                if ancestors.contains(key) {
                    tally.skip("symlink-loop", path: relative, detail: "link to an enclosing folder")
                } else {
                    tally.skip("duplicate-directory", path: relative, detail: "folder already scanned through another path")
                }
                return
            }
            guard let dir = opendir(absolute) else {
                tally.skip("unreadable", path: relative.isEmpty ? "." : relative, detail: String(cString: strerror(errno)))
                return
            }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(dir)
            for name in names.sorted() {
                let childRelative = relative.isEmpty ? name : relative + "/" + name
                let childAbsolute = root + "/" + childRelative
                if ignored(childRelative) { tally.skipped["ignored", default: 0] += 1; continue }
                var lst = stat()
                guard lstat(childAbsolute, &lst) == 0 else {
                    tally.skip("unreadable", path: childRelative, detail: String(cString: strerror(errno)))
                    continue
                }
                var info = lst
                if (lst.st_mode & S_IFMT) == S_IFLNK {
                    guard stat(childAbsolute, &info) == 0 else {
                        let reason = errno == ELOOP ? "symlink-loop" : "broken-symlink"
                        tally.skip(reason, path: childRelative, detail: String(cString: strerror(errno)))
                        continue
                    }
                    // A link out of the scanned folder (`evil -> /`, `-> $HOME`) would make a scan of a pull request
                    // read the runner's own files and blame them on the repository.
                    if let target = Self.realPath(childAbsolute), let base = resolvedRoot,
                       target != base, !target.hasPrefix(base == "/" ? "/" : base + "/") {
                        tally.skip("symlink-outside-root", path: childRelative, detail: "points outside the scanned folder")
                        continue
                    }
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    if Self.ignoredDirectories.contains(name) {
                        if name != ".git" { tally.skipped["ignored", default: 0] += 1 }
                        continue
                    }
                    walk(childRelative, ancestors: ancestors.union([key]))
                case S_IFREG:
                    files.append(childRelative)
                default:
                    tally.skip("special-file", path: childRelative, detail: "not a regular file (socket, fifo or device)")
                }
            }
        }
        walk("")
        return files
    }

    /// Scans the files of `enumerate` in parallel.
    func scan(files: [String], matcher: RuleMatcher, limits: ScanLimits, tally: inout ScanTally) -> [Finding] {
        ParallelScan.run(count: files.count, workers: limits.workers, tally: &tally, open: { _ in matcher.makeWorkspace() }) { workspace, i, tally in
            scanFile(files[i], matcher: matcher, workspace: workspace, limits: limits, tally: &tally)
        }
    }

    func scanFile(_ relative: String, matcher: RuleMatcher, workspace: RuleMatcher.Workspace, limits: ScanLimits,
                  tally: inout ScanTally) -> [Finding] {
        let absolute = root.isEmpty ? relative : (root + "/" + relative)
        let workTreeNote = repositoryName != nil ? "uncommitted change in the work tree" : nil
        let locate: ContentScan.Locate = { line, note in
            FoundLocation(kind: .file, repository: repositoryName, path: relative, line: line, current: true, note: note ?? workTreeNote)
        }
        let data: Data
        switch FileReader.read(absolute, limit: limits.maxFileSize) {
        case .failure(let failure):
            // An archive larger than the text limit (a `docker save` tarball) is streamed member by member.
            if failure.reason == "oversized", let size = FileReader.size(absolute), size <= limits.archives.maxArchiveFileSize,
               let format = FileReader.archiveFormat(absolute) {
                tally.files += 1
                return ContentScan.scanArchive(.file(path: absolute, size: size), format: format, path: relative, matcher: matcher,
                                               workspace: workspace, limits: limits, tally: &tally, depth: 0, budget: nil, locate: locate)
            }
            tally.skip(failure.reason, path: relative, detail: failure.detail)
            return []
        case .success(let d):
            data = d
        }
        return data.withUnsafeBytes { bytes -> [Finding] in
            if !knownBlobs.isEmpty, knownBlobs.contains(GitBlobHasher.id(of: bytes)) {
                return []  // same content as a blob already scanned from history
            }
            if ContentSniffer.holdsText(bytes) {
                tally.files += 1
                tally.bytes += bytes.count
            }
            return ContentScan.scan(bytes, path: relative, matcher: matcher, workspace: workspace, limits: limits, tally: &tally,
                                    locate: locate)
        }
    }
}

extension DirectoryInput {
    /// The canonical absolute path, or nil when it cannot be resolved.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Reads a whole file with a size cap, turning every failure into a countable reason.
enum FileReader {
    struct Failure: Error { let reason: String; let detail: String }

    static func read(_ path: String, limit: Int) -> Result<Data, Failure> {
        var st = stat()
        guard stat(path, &st) == 0 else { return .failure(Failure(reason: "unreadable", detail: String(cString: strerror(errno)))) }
        // Opening a FIFO or a device would block or never end.
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            return .failure(Failure(reason: "special-file", detail: "not a regular file (socket, fifo or device)"))
        }
        if Int(st.st_size) > limit {
            return .failure(Failure(reason: "oversized", detail: "\(st.st_size) bytes (limit \(limit))"))
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(Failure(reason: "unreadable", detail: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var data = Data(count: Int(st.st_size))
        var total = 0
        let ok = data.withUnsafeMutableBytes { buffer -> Bool in
            while total < buffer.count {
                let n = Foundation.read(fd, buffer.baseAddress! + total, buffer.count - total)
                if n < 0 { if errno == EINTR { continue }; return false }
                if n == 0 { break }
                total += n
            }
            return true
        }
        guard ok else { return .failure(Failure(reason: "unreadable", detail: String(cString: strerror(errno)))) }
        if total < data.count { data.removeSubrange(total...) }
        return .success(data)
    }

    static func size(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    /// The archive format of the file at `path` from its first 512 bytes, without reading the rest.
    static func archiveFormat(_ path: String) -> ArchiveFormat? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 512)
        let n = head.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, 512) }
        guard n > 0 else { return nil }
        return head.withUnsafeBytes { ArchiveFormat.detect(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
}
