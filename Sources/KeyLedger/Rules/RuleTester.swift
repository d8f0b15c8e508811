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
        func matches(_ text: String) -> [Match] {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBytes { matcher.matches(in: UnsafeRawBufferPointer($0), workspace: workspace) }
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
                let found = matches(example).map { matcher.rules[$0.ruleIndex].id }
                if !found.contains(rule.id) {
                    let other = found.isEmpty ? "nothing matched" : "matched \(found.joined(separator: ", ")) instead"
                    failures.append(Failure(rule: rule.id, source: rule.source, message: "example \(i + 1) is not found: \(other)"))
                }
            }
            for (i, negative) in rule.negativeExamples.enumerated() {
                let found = matches(negative.text).map { matcher.rules[$0.ruleIndex].id }
                if found.contains(rule.id) {
                    failures.append(Failure(rule: rule.id, source: rule.source,
                                            message: "negative example \(i + 1) matches but must not (\(negative.why))"))
                }
            }
        }
        return failures
    }
}
