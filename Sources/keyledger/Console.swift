import Foundation
import KeyLedger

/// Every byte the executable writes — results, messages, progress — leaves through here, past the sanitiser.
enum Console {
    /// The sanitiser of the current run (it knows the secrets this run found); until a run has one, the standard
    /// sanitiser with the built-in rules.
    nonisolated(unsafe) static var sanitizer: Sanitizer?

    private static var gate: Sanitizer { sanitizer ?? Sanitizer.standard }

    /// A message on standard error, prefixed `keyledger: `.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("keyledger: \(gate.clean(message, multiline: true))\n".utf8))
    }

    /// Text on standard error as it is (a multi-line guidance block), cleaned.
    static func errorBlock(_ text: String) {
        FileHandle.standardError.write(Data(gate.redactOutput(text).utf8))
    }

    /// A progress line on a terminal (overwritten by the next one).
    static func status(_ message: String) {
        FileHandle.standardError.write(Data("\u{1B}[2K\r\(gate.clean(message))…".utf8))
    }

    static func clearStatus() {
        FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8))
    }

    /// A line of ordinary output on standard output.
    static func print(_ line: String) {
        FileHandle.standardOutput.write(Data((gate.clean(line, multiline: true) + "\n").utf8))
    }

    /// A rendered result: to `output` (a file, a device, `-`) or standard output, after the sanitiser's last pass.
    static func write(_ text: String, to output: String?) throws {
        let safe = gate.redactOutput(text)
        guard let output else {
            FileHandle.standardOutput.write(Data(safe.utf8))
            return
        }
        do { try OutputWriter.write(safe, to: output) } catch { throw fail("\(error)") }
    }
}
