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

    /// The bytes of `root/relative` (just `root` for the root itself), to open.
    func absolute(_ relative: [UInt8]) -> [UInt8] {
        if root.isEmpty { return relative }
        return relative.isEmpty ? Array(root.utf8) : Array(root.utf8) + [0x2F] + relative
    }

    /// `root/relative` as the user finds it, for the list of what could not be read.
    func userPath(_ display: String) -> String {
        root.isEmpty ? display : (display.isEmpty ? root : root + "/" + display)
    }

    /// The display paths of `walk` (export folders: their file names are opened as text).
    func enumerate(tally: inout ScanTally) -> [String] { walk(tally: &tally).map(\.display) }

    /// Relative paths of every regular file to scan, in a stable order (byte order of names). Names are handled as
    /// bytes, so a name that is not UTF-8 is opened and scanned too (and shown with `\xNN` escapes). Folders are
    /// walked with an explicit stack: nesting depth costs no call stack.
    func walk(tally: inout ScanTally) -> [WalkedFile] {
        var names: [NamedEntry] = []
        return walk(tally: &tally, names: &names)
    }

    /// A file or folder the walk listed, by name (its name may be a key: see `nameFindings`).
    struct NamedEntry {
        let relative: [UInt8]
        let name: [UInt8]
        let folder: Bool
    }

    /// `walk`, also listing in `names` every entry it did not ignore (files, folders, links and special files).
    func walk(tally: inout ScanTally, names: inout [NamedEntry]) -> [WalkedFile] {
        var files: [WalkedFile] = []
        var visited = Set<String>()  // "dev:inode" of entered directories
        let resolvedRoot = Self.realPath(Array((root.isEmpty ? "." : root).utf8))
        let patterns = ignorePatterns()
        func ignored(_ relative: [UInt8], name: [UInt8]) -> Bool {
            guard !patterns.isEmpty else { return false }
            return PathBytes.withCString(relative) { rel in
                PathBytes.withCString(name) { base in
                    patterns.contains { fnmatch($0, rel, 0) == 0 || fnmatch($0, base, 0) == 0 }
                }
            }
        }
        // Folders still to list: relative path and the "dev:inode" keys of the folders enclosing it.
        var pending: [(relative: [UInt8], ancestors: Set<String>)] = [([], [])]
        while let (relative, ancestors) = pending.popLast() {
            let display = PathBytes.display(relative)
            let absolutePath = absolute(relative)
            var st = stat()
            guard PathBytes.withCString(absolutePath, { stat($0, &st) }) == 0 else {
                tally.unreadable("unreadable", path: userPath(display), problemPath: display.isEmpty ? "." : display,
                                 detail: String(cString: strerror(errno)))
                continue
            }
            let key = "\(st.st_dev):\(st.st_ino)"
            guard visited.insert(key).inserted else {
                // A link back to an enclosing folder is a loop; one to a folder seen elsewhere is a second way in.
                if ancestors.contains(key) {
                    tally.skip("symlink-loop", path: display, detail: "link to an enclosing folder")
                } else {
                    tally.skip("duplicate-directory", path: display, detail: "folder already scanned through another path")
                }
                continue
            }
            guard let dir = PathBytes.withCString(absolutePath, { opendir($0) }) else {
                tally.unreadable("unreadable", path: userPath(display), problemPath: display.isEmpty ? "." : display,
                                 detail: String(cString: strerror(errno)))
                continue
            }
            var listed: [[UInt8]] = []
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { PathBytes.bytes($0) }
                }
                if name != [0x2E] && name != [0x2E, 0x2E] { listed.append(name) }
            }
            closedir(dir)
            var subfolders: [[UInt8]] = []
            for name in listed.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let childRelative = relative.isEmpty ? name : relative + [0x2F] + name
                let childAbsolute = absolute(childRelative)
                if ignored(childRelative, name: name) { tally.skipped["ignored", default: 0] += 1; continue }
                var lst = stat()
                guard PathBytes.withCString(childAbsolute, { lstat($0, &lst) }) == 0 else {
                    let childDisplay = PathBytes.display(childRelative)
                    tally.unreadable("unreadable", path: userPath(childDisplay), problemPath: childDisplay,
                                     detail: String(cString: strerror(errno)))
                    continue
                }
                var info = lst
                let isFolder = (lst.st_mode & S_IFMT) == S_IFDIR
                if !(isFolder && Self.ignoredDirectories.contains(PathBytes.display(name))) {
                    names.append(NamedEntry(relative: childRelative, name: name, folder: isFolder))
                }
                if (lst.st_mode & S_IFMT) == S_IFLNK {
                    guard PathBytes.withCString(childAbsolute, { stat($0, &info) }) == 0 else {
                        let code = errno
                        let childDisplay = PathBytes.display(childRelative)
                        let detail = String(cString: strerror(code))
                        switch code {
                        case ELOOP: tally.skip("symlink-loop", path: childDisplay, detail: detail)
                        case ENOENT, ENOTDIR: tally.skip("broken-symlink", path: childDisplay, detail: detail)
                        // A link whose target exists but cannot be reached (permission denied) hides content.
                        default: tally.unreadable("unreadable", path: userPath(childDisplay), problemPath: childDisplay, detail: detail)
                        }
                        continue
                    }
                    // A link out of the scanned folder (`evil -> /`, `-> $HOME`) would make a scan of a pull request
                    // read the runner's own files and blame them on the repository.
                    if let target = Self.realPath(childAbsolute), let base = resolvedRoot,
                       target != base, !target.starts(with: base == [0x2F] ? [0x2F] : base + [0x2F]) {
                        tally.skip("symlink-outside-root", path: PathBytes.display(childRelative), detail: "points outside the scanned folder")
                        continue
                    }
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    if Self.ignoredDirectories.contains(PathBytes.display(name)) {
                        if name != Array(".git".utf8) { tally.skipped["ignored", default: 0] += 1 }
                        continue
                    }
                    subfolders.append(childRelative)
                case S_IFREG:
                    files.append(WalkedFile(relative: childRelative))
                default:
                    tally.skip("special-file", path: PathBytes.display(childRelative), detail: "not a regular file (socket, fifo or device)")
                }
            }
            // Depth-first in name order, as the recursive walk did: the last pushed is listed first.
            let inner = ancestors.union([key])
            for folder in subfolders.reversed() { pending.append((folder, inner)) }
        }
        return files
    }

    /// Keys used as names of the entries `walk` listed (a file named `sk-proj-…`), except names in `known` (names
    /// already scanned from history).
    func nameFindings(_ entries: [NamedEntry], known: Set<[UInt8]> = [], matcher: RuleMatcher) -> [Finding] {
        let workTreeNote = repositoryName != nil ? "; uncommitted change in the work tree" : ""
        let names = entries.filter { !known.contains($0.name) }.map { entry in
            let part: FoundLocation.NamePart = entry.folder ? .folderName : .fileName
            return NameScan.Name(bytes: entry.name, location: FoundLocation(
                kind: .file, repository: repositoryName, path: PathBytes.display(entry.relative), line: nil, current: true,
                note: part.note + workTreeNote, name: part))
        }
        return NameScan.findings(names, matcher: matcher, workspace: matcher.makeWorkspace())
    }

    /// Scans the files of `enumerate` in parallel.
    func scan(files: [WalkedFile], matcher: RuleMatcher, limits: ScanLimits, tally: inout ScanTally) -> [Finding] {
        ParallelScan.run(count: files.count, workers: limits.workers, tally: &tally, open: { _ in matcher.makeWorkspace() }) { workspace, i, tally in
            scanFile(files[i], matcher: matcher, workspace: workspace, limits: limits, tally: &tally)
        }
    }

    func scanFile(_ file: WalkedFile, matcher: RuleMatcher, workspace: RuleMatcher.Workspace, limits: ScanLimits,
                  tally: inout ScanTally) -> [Finding] {
        let relative = file.display
        let absolute = self.absolute(file.relative)
        let workTreeNote = repositoryName != nil ? "uncommitted change in the work tree" : nil
        let locate: ContentScan.Locate = { line, note in
            FoundLocation(kind: .file, repository: repositoryName, path: relative, line: line, current: true, note: note ?? workTreeNote)
        }
        if let size = FileReader.size(absolute), size > limits.windowSize, size <= limits.maxFileSize,
           let found = scanInWindows(absolute, size: size, relative: relative, matcher: matcher, workspace: workspace, limits: limits,
                                     tally: &tally, locate: locate) {
            return found
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
            if failure.reason == "unreadable" {
                tally.unreadable(failure.reason, path: userPath(relative), problemPath: relative, detail: failure.detail)
            } else {
                tally.skip(failure.reason, path: relative, detail: failure.detail)
            }
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
    /// A large text file read and matched one window at a time (`ScanLimits.windowSize`), each sharing
    /// `windowMargin` bytes with its neighbours: a match is kept from the window where it starts at least a margin
    /// from either edge (the file's own start and end excepted), so one spanning an edge is found once, whole, with
    /// its surroundings. Lines are counted across windows. Returns nil when the file is better read whole: an
    /// archive (streamed member by member instead) or UTF-16 text (transcoded whole, as before); structured decoders
    /// do not run on windowed files (their documents are read whole, up to the window size).
    func scanInWindows(_ path: [UInt8], size: Int, relative: String, matcher: RuleMatcher, workspace: RuleMatcher.Workspace,
                       limits: ScanLimits, tally: inout ScanTally, locate: ContentScan.Locate) -> [Finding]? {
        let margin = max(0, min(limits.windowMargin, limits.windowSize / 4))
        let window = limits.windowSize
        let step = window - 2 * margin
        guard step > 0 else { return nil }
        let fd = PathBytes.withCString(path) { open($0, O_RDONLY) }
        guard fd >= 0 else {
            tally.unreadable("unreadable", path: userPath(relative), problemPath: relative, detail: String(cString: strerror(errno)))
            return []
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: window)
        var found: [Finding] = []
        var linesBefore = 0  // newlines before the window's start
        var binary = false
        var start = 0
        while start < size {
            let length = min(window, size - start)
            let read = buffer.withUnsafeMutableBytes { raw -> Int in
                var total = 0
                while total < length {
                    let n = pread(fd, raw.baseAddress! + total, length - total, off_t(start + total))
                    if n < 0 { if errno == EINTR { continue }; return -1 }
                    if n == 0 { break }
                    total += n
                }
                return total
            }
            guard read >= 0 else {
                tally.unreadable("unreadable", path: userPath(relative), problemPath: relative,
                                 detail: "\(String(cString: strerror(errno))) at byte \(start)")
                return found
            }
            let isLast = start + read >= size || read < length
            let outcome: [Finding]? = buffer.withUnsafeBytes { all -> [Finding]? in
                let bytes = UnsafeRawBufferPointer(rebasing: all[0..<read])
                if start == 0 {
                    if ArchiveFormat.detect(bytes) != nil || ContentSniffer.hasUTF16ByteOrderMark(bytes) { return nil }
                    if ContentSniffer.isBinary(bytes) {
                        if ContentSniffer.utf16Encoding(bytes) != nil { return nil }
                        tally.skip("binary", path: relative, detail: "contains NUL bytes")
                        binary = true
                        return []
                    }
                    tally.files += 1
                }
                tally.bytes += min(read, isLast ? read : step)
                let keepFrom = start == 0 ? 0 : margin
                let keepTo = isLast ? read : margin + step
                var windowFound: [Finding] = []
                var line = linesBefore + 1
                var scanned = 0
                for match in matcher.matches(in: bytes, workspace: workspace, path: relative).sorted(by: { $0.offset < $1.offset })
                where match.offset >= keepFrom && match.offset < keepTo {
                    while scanned < match.offset {
                        if bytes[scanned] == 0x0A { line += 1 }
                        scanned += 1
                    }
                    var location = locate(line, nil)
                    location.apply(AllowMarker.find(onLineOf: match.offset, in: bytes))
                    windowFound.append(Finding(rule: matcher.rules[match.ruleIndex], secret: match.secret, identity: match.identity,
                                               location: location))
                }
                // Newlines before the next window's start.
                if !isLast, let base = bytes.baseAddress {
                    var offset = 0
                    while offset < step, let hit = memchr(base + offset, 0x0A, step - offset) {
                        linesBefore += 1
                        offset = base.distance(to: UnsafeRawPointer(hit)) + 1
                    }
                }
                return windowFound
            }
            guard let outcome else { return nil }
            if binary { return [] }
            found += outcome
            if isLast { break }
            start += step
        }
        return ContentScan.scrubReasons(found)
    }

    /// The canonical absolute path, or nil when it cannot be resolved.
    static func realPath(_ path: [UInt8]) -> [UInt8]? {
        guard let resolved = PathBytes.withCString(path, { realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return PathBytes.bytes(resolved)
    }
}

/// Reads a whole file with a size cap, turning every failure into a countable reason.
/// Paths are bytes (a name need not be UTF-8); the `String` forms take the path's UTF-8.
enum FileReader {
    struct Failure: Error { let reason: String; let detail: String }

    static func read(_ path: String, limit: Int) -> Result<Data, Failure> { read(Array(path.utf8), limit: limit) }

    static func read(_ path: [UInt8], limit: Int) -> Result<Data, Failure> {
        var st = stat()
        guard PathBytes.withCString(path, { stat($0, &st) }) == 0 else {
            return .failure(Failure(reason: "unreadable", detail: String(cString: strerror(errno))))
        }
        // Opening a FIFO or a device would block or never end.
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            return .failure(Failure(reason: "special-file", detail: "not a regular file (socket, fifo or device)"))
        }
        if Int(st.st_size) > limit {
            return .failure(Failure(reason: "oversized", detail: "\(st.st_size) bytes (limit \(limit))"))
        }
        let fd = PathBytes.withCString(path) { open($0, O_RDONLY) }
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

    static func size(_ path: [UInt8]) -> Int? {
        var st = stat()
        return PathBytes.withCString(path, { stat($0, &st) }) == 0 ? Int(st.st_size) : nil
    }

    /// The archive format of the file at `path` from its first 512 bytes, without reading the rest.
    static func archiveFormat(_ path: [UInt8]) -> ArchiveFormat? {
        let fd = PathBytes.withCString(path) { open($0, O_RDONLY) }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 512)
        let n = head.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, 512) }
        guard n > 0 else { return nil }
        return head.withUnsafeBytes { ArchiveFormat.detect(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
}
