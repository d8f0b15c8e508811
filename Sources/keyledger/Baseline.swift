import ArgumentParser
import Foundation
import KeyLedger

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Record the credentials found today as accepted, in a reviewable baseline file.",
        discussion: """
        The file is JSON keyed by fingerprint (never the secret), sorted, one entry per credential with reason, \
        owner and expires (default: \(Baseline.defaultExpiryDays) days from today). Review and commit it; \
        `keyledger scan --baseline FILE` then reports those credentials as suppressed without failing, until they expire.
        With --update, entries still found keep their reason, owner and expiry, gone ones are dropped and new ones added.
        """)

    @Argument(help: "Repositories, folders or files to scan (default: the current directory).")
    var paths: [String] = []

    @Option(help: "The baseline file to write.")
    var output: String

    @Flag(help: "Update an existing baseline: keep the reasons of entries still found, drop the gone ones.")
    var update = false

    @Option(help: "Why the new entries are accepted (default: a reminder to say why).")
    var reason: String?

    @Option(help: "Who answers for the new entries (default: the owning team from keyledger.yml or CODEOWNERS, else 'unassigned').")
    var owner: String?

    @Option(help: "Days until the new entries expire, 1 to \(Baseline.maxExpiryDays) (ten years).")
    var expires: Int = Baseline.defaultExpiryDays

    @Flag(name: .customLong("no-history"), help: "Scan only the work tree of git repositories, not their history.")
    var noHistory = false

    @OptionGroup var configOption: ConfigOption
    var config: String? { configOption.config }

    @OptionGroup var asOfOption: AsOfOption
    var asOf: String? { asOfOption.asOf }

    @Option(name: .customLong("rules"), help: "Folder of extra rule YAML files (repeatable).")
    var ruleDirectories: [String] = []

    func validate() throws {
        if !(1...Baseline.maxExpiryDays).contains(expires) {
            throw ValidationError("--expires must be a number of days from 1 to \(Baseline.maxExpiryDays) (ten years)")
        }
        if Baseline.expiryDay(asOf: asOf.flatMap(ISODate.parse) ?? Date(), days: expires) == nil {
            throw ValidationError("--as-of plus --expires must be a day from 1970-01-01 to \(Baseline.lastDay) (a baseline holds no other)")
        }
        if let reason, reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must say why") }
    }

    func run() throws {
        let day = asOf.flatMap(ISODate.parse) ?? Date()
        let exists = FileManager.default.fileExists(atPath: output)
        if exists && !update {
            throw fail("\(output) exists: use --update to keep its reasons, or remove it to start over")
        }
        var previous = Baseline()
        if update && exists {
            do { previous = try Baseline.load(path: output) } catch { throw fail("\(error)") }
        }
        var options = ScanOptions(request: ScanRequest(paths: paths, history: !noHistory))
        options.ruleSources = ruleDirectories
        options.configPath = config
        options.asOf = day
        options.linkExports = false
        let outcome: ScanOutcome
        do { outcome = try ScanPipeline.run(options) } catch { throw fail("\(error)") }
        Console.sanitizer = outcome.sanitizer
        for diagnostic in outcome.diagnostics { Console.error(diagnostic.message) }
        // What a person typed travels into the register and SARIF: it passes the same gate as everything else.
        let defaults = Baseline.Defaults(reason: reason.map { outcome.sanitizer.clean($0) },
                                         owner: owner.map { outcome.sanitizer.clean($0) }, expiresInDays: expires)
        let (baseline, summary) = previous.updated(with: outcome.register, defaults: defaults, asOf: day)
        let text: String
        do { text = try baseline.rendered() } catch { throw fail("\(error)") }
        try Console.write(text, to: output)
        var line = "\(output): \(baseline.credentials.count) accepted credentials"
        if update { line += " (\(summary.kept) kept, \(summary.added) added, \(summary.dropped) dropped)" }
        if summary.added > 0, reason == nil { line += "; give the new entries a reason before committing the file" }
        Console.print(line)
        // A baseline of a scan that could not read everything would accept less than is there: say so, exit 2.
        if reportUnread(outcome) { throw Exit.inputError }
    }
}
