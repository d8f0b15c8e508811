import Foundation
import KeyLedger

/// Runs the built `keyledger` executable as a user would, in `cwd`, and returns its exit status and output.
func runKeyledger(_ arguments: [String], cwd: String? = nil, environment extra: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLineTests.executable)
    process.arguments = arguments
    // A fixed width so help text wraps the same on every machine (golden files).
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "80"
    environment.merge(extra) { _, new in new }
    process.environment = environment
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// `text` with each of `secrets` replaced by its redacted form, for failure messages that quote output.
func scrubbed(_ text: String, _ secrets: [String]) -> String {
    secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: Secret($1).redacted) }
}
