import ArgumentParser
import Foundation
import KeyLedger

/// `--as-of`, the same in every command.
struct AsOfOption: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp(
        "Treat DATE (YYYY-MM-DD) as today, for reproducible ages, windows and due dates; reading a history store, the latest scan recorded on or before it.",
        valueName: "DATE"))
    var asOf: String?

    func validate() throws {
        // The value is not echoed: whatever was typed there may be anything.
        if let asOf, ISODate.parse(asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-20") }
    }

    /// The date, or nil when not given.
    var date: Date? { asOf.flatMap(ISODate.parse) }
}

/// `--config`, the same in every command.
struct ConfigOption: ParsableArguments {
    @Option(help: ArgumentHelp("keyledger.yml with owners, prices, policy and budgets (default: ./keyledger.yml when present).",
                               valueName: "FILE"))
    var config: String?

    /// The file to read: the one named, else ./keyledger.yml when present.
    var path: String? { config ?? (FileManager.default.fileExists(atPath: "keyledger.yml") ? "keyledger.yml" : nil) }
}

/// `--output`, the same in every command that renders a result.
struct OutputOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Write to FILE instead of standard output (`-` is standard output; a device or FIFO is written through, a symbolic link refused, a regular file replaced atomically).",
        valueName: "FILE"))
    var output: String?
}
