import Foundation

/// Runs every rule's `examples` and `negative_examples` through the real matcher: each example must
/// produce a finding of its rule, each negative example none. `keyledger rules test` and the test suite use it.
public enum RuleTester {
    public struct Failure: Sendable, CustomStringConvertible {
        public var rule: String
        public var source: String
        public var message: String
        public var description: String { "\(source): \(rule): \(message)" }
    }

    public static func run(_ rules: [Rule], matcher: RuleMatcher) -> [Failure] {
        var failures: [Failure] = []
        let workspace = matcher.makeWorkspace()
        // Examples go through the same path as a scanned file (structured decoders, path-scoped rules), under the
        // rule's `example_path` when it has one.
        func found(_ text: String, rule: Rule) -> [String] {
            let path = rule.examplePath ?? "example.txt"
            var tally = ScanTally()
            return Array(text.utf8).withUnsafeBytes { bytes in
                ContentScan.scan(bytes, path: path, matcher: matcher, workspace: workspace, limits: ScanLimits(workers: 1), tally: &tally) { line, _ in
                    FoundLocation(kind: .file, repository: nil, path: path, line: line, current: true)
                }.map(\.rule.id)
            }
        }
        for rule in rules {
            // Imported gitleaks rules come without examples; keyledger's own rules must bring theirs.
            if rule.examples.isEmpty, rule.origin == .yaml {
                failures.append(Failure(rule: rule.id, source: rule.source, message: "has no examples"))
            }
            if rule.negativeExamples.isEmpty, rule.origin == .yaml {
                failures.append(Failure(rule: rule.id, source: rule.source, message: "has no negative examples"))
            }
            if let v = rule.validator, !CredentialDecoders.validatorNames.contains(v) {
                failures.append(Failure(rule: rule.id, source: rule.source, message: "unknown validator \(v)"))
            }
            if let d = rule.decoder, !CredentialDecoders.decoderNames.contains(d) {
                failures.append(Failure(rule: rule.id, source: rule.source, message: "unknown decoder \(d)"))
            }
            for (i, example) in rule.examples.enumerated() {
                let ids = found(example, rule: rule)
                if !ids.contains(rule.id) {
                    let other = ids.isEmpty ? "nothing matched" : "matched \(ids.joined(separator: ", ")) instead"
                    failures.append(Failure(rule: rule.id, source: rule.source, message: "example \(i + 1) is not found: \(other)"))
                }
            }
            for (i, negative) in rule.negativeExamples.enumerated() {
                if found(negative.text, rule: rule).contains(rule.id) {
                    failures.append(Failure(rule: rule.id, source: rule.source,
                                            message: "negative example \(i + 1) matches but must not (\(negative.why))"))
                }
            }
        }
        return failures
    }
}
