import Foundation

/// The register as JSON, the contract other tools read. Keys sorted, so output is stable for diffs and goldens.
public enum JSONReporter {
    public static func render(_ register: Register) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(register)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
