import CLibGit2
import Foundation

/// Writes the git pre-commit hook that runs `keyledger scan --staged` before every commit.
///
/// The hook is a tiny shell script carrying a marker line, so a later install recognises its own hook (and
/// updates it in place) and never overwrites one somebody else wrote unless told to with `force`; the replaced
/// hook is kept beside it.
public enum PreCommitHook {
    /// The line that marks a hook as keyledger's own.
    public static let marker = "# keyledger pre-commit hook"
    /// Where a replaced foreign hook is kept (in the hooks folder).
    public static let backupName = "pre-commit.keyledger-backup"

    public enum Outcome: Sendable, Equatable {
        /// No pre-commit hook was there; keyledger's was written.
        case installed(path: String)
        /// keyledger's hook was there in an older form and was rewritten.
        case updated(path: String)
        /// keyledger's hook was already there, as it would be written now.
        case unchanged(path: String)
        /// A foreign hook was moved to `backup` and keyledger's written (`force`).
        case replaced(path: String, backup: String)
    }

    /// Why the hook was not written, and what to do instead.
    public struct InstallError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// The hook script. It runs the keyledger that installed it, or the one on PATH once that one is gone.
    public static func script(executable: String) -> String {
        let quoted = "'" + executable.replacingOccurrences(of: "'", with: "'\\''") + "'"
        return """
            #!/bin/sh
            \(marker): stops a commit that adds a credential (written by `keyledger hook install`).
            # A line can be accepted with `keyledger:allow <reason>`; `git commit --no-verify` skips the check once.
            keyledger=\(quoted)
            [ -x "$keyledger" ] || keyledger=keyledger
            exec "$keyledger" scan --staged

            """
    }

    /// Installs the hook into the repository at `path` (or the one above it).
    /// - Parameter executable: the keyledger binary the hook should run (absolute path).
    public static func install(in path: String, executable: String, force: Bool) throws -> Outcome {
        let repo: GitRepository
        do { repo = try GitRepository(path: path, lookup: .discover) } catch let error as GitRepository.OpenError {
            throw InstallError(message: "\(path): not inside a git repository (\(error.message))")
        }
        guard repo.workdir != nil else {
            throw InstallError(message: "\(repo.gitdir): a bare repository has no commits made in it to check")
        }
        if let hooksPath = repo.configString("core.hooksPath") {
            throw InstallError(message: """
                core.hooksPath is set to '\(hooksPath)', so git runs hooks from there, not from .git/hooks. \
                Add `keyledger scan --staged` to the pre-commit hook there (or to your hook manager), or unset core.hooksPath.
                """)
        }
        let hooks = URL(fileURLWithPath: repo.commonDirectory).appendingPathComponent("hooks").path
        let hook = hooks + "/pre-commit"
        let content = script(executable: executable)
        let fileManager = FileManager.default
        var outcome = Outcome.installed(path: hook)
        if fileManager.fileExists(atPath: hook) || (try? fileManager.destinationOfSymbolicLink(atPath: hook)) != nil {
            let existing = (try? String(contentsOfFile: hook, encoding: .utf8)) ?? ""
            if existing.contains(marker) {
                if existing == content, fileManager.isExecutableFile(atPath: hook) { return .unchanged(path: hook) }
                outcome = .updated(path: hook)
            } else if force {
                let backup = hooks + "/" + backupName
                do {
                    try? fileManager.removeItem(atPath: backup)
                    try fileManager.moveItem(atPath: hook, toPath: backup)
                } catch {
                    throw InstallError(message: "\(hook): cannot move the existing hook aside (\(error.localizedDescription))")
                }
                outcome = .replaced(path: hook, backup: backup)
            } else {
                throw InstallError(message: """
                    \(hook) already exists and keyledger did not write it. Add `keyledger scan --staged` to it yourself, \
                    or rerun with --force to replace it (it is kept as \(backupName)).
                    """)
            }
        }
        do {
            try fileManager.createDirectory(atPath: hooks, withIntermediateDirectories: true)
            try content.write(toFile: hook, atomically: true, encoding: .utf8)
            try fileManager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        } catch {
            throw InstallError(message: "\(hook): cannot write the hook (\(error.localizedDescription))")
        }
        return outcome
    }
}

extension GitRepository {
    /// The folder shared by all work trees of the repository (`.git` of the main one), where hooks live.
    var commonDirectory: String { String(cString: git_repository_commondir(pointer)) }

    /// A string value of the repository's configuration (with global and system files), or nil when unset.
    func configString(_ name: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, name) == 0, let value else { return nil }
        return String(cString: value)
    }
}
