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

    @OptionGroup var outputOption: OutputOption
    var output: String? { outputOption.output }

    @OptionGroup var asOfOption: AsOfOption
    var asOf: String? { asOfOption.asOf }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, json, md
        var registerFormat: RegisterFormat { RegisterFormat(rawValue: rawValue)! }
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
