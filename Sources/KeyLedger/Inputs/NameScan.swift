import Foundation

/// Secrets in names rather than content: a key used as a file or folder name (a work tree, a folder, a commit's
/// tree) or as a commit's author or committer name or email. Each name is matched on its own, so a neighbouring
/// name never lends it a keyword or context; rules limited to some paths do not apply (a name is no file's content).
enum NameScan {
    struct Name {
        let bytes: [UInt8]
        let location: FoundLocation
    }

    static func findings(_ names: [Name], matcher: RuleMatcher, workspace: RuleMatcher.Workspace) -> [Finding] {
        var found: [Finding] = []
        for name in names where !name.bytes.isEmpty {
            name.bytes.withUnsafeBytes { bytes in
                for match in matcher.matches(in: bytes, workspace: workspace, path: nil) {
                    found.append(Finding(rule: matcher.rules[match.ruleIndex], secret: match.secret, identity: match.identity,
                                         location: name.location))
                }
            }
        }
        return found
    }
}
