import ArgumentParser
import Foundation
import KeyLedger

struct RegisterExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Export a recorded register for governance reviews (the latest, or as of a past date).",
        discussion: "Reads the history store that `keyledger scan … --db FILE` records into; the columns are those of the scan's register.")

    @Option(help: "The history store (SQLite) that `keyledger scan --db` records into.")
    var db: String

    @Option(help: "Output format: csv, json or md.")
    var format: Format = .json

    @Option(help: "Write the register to FILE instead of standard output.")
    var output: String?

    @Option(name: .customLong("as-of"), help: "Export the register of the latest scan recorded on or before DATE (YYYY-MM-DD).")
    var asOf: String?

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, json, md
        var registerFormat: RegisterFormat { RegisterFormat(rawValue: rawValue)! }
    }

    func validate() throws {
        if let asOf, ISODate.parse(asOf) == nil { throw ValidationError("--as-of must be a date like 2026-11-20 (got '\(asOf)')") }
    }

    func run() throws {
        let register: Register
        do {
            let store = try HistoryStore.openExisting(path: db)
            defer { store.close() }
            guard let scan = try store.latestScan(onOrBefore: asOf) else {
                let recorded = try store.scans().map(\.asOf)
                let when = asOf.map { " on or before \($0)" } ?? ""
                throw StoreError(path: db, message: "no scan recorded\(when)"
                    + (recorded.isEmpty ? "" : " (recorded: \(Array(Set(recorded)).sorted().joined(separator: ", ")))"))
            }
            register = try store.register(of: scan)
        } catch { throw fail("\(error)") }
        let text: String
        do { text = try Reporters.render(register, as: format.registerFormat) } catch { throw fail("\(error)") }
        try Console.write(text, to: output)
    }
}
