import Foundation

/// The formats a register renders to.
public enum RegisterFormat: String, CaseIterable, Sendable {
    case table, json, csv, md, sarif, html
}

/// What a reporter may need besides the register.
public struct RenderContext: Sendable {
    /// The rules in force (SARIF lists them as `tool.driver.rules`).
    public var rules: [Rule] = []
    /// The baseline applied (SARIF marks its suppressions).
    public var baseline: Baseline?
    /// Team → 30-day budget (the HTML page's spend section).
    public var budgets: [String: Double] = [:]
    /// ANSI colours (a table on a terminal).
    public var color = false
    /// Columns the table may use; nil = the terminal's (`RenderContext.terminalWidth()`).
    public var width: Int?

    public init(rules: [Rule] = [], baseline: Baseline? = nil, budgets: [String: Double] = [:], color: Bool = false, width: Int? = nil) {
        self.rules = rules; self.baseline = baseline; self.budgets = budgets; self.color = color; self.width = width
    }

    /// The width of the terminal the table is printed on: `COLUMNS` when set, else the size standard output reports
    /// when it is a terminal, else 120.
    public static func terminalWidth() -> Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 {
            return n
        }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 120
    }
}

/// One output format of the register. Every format is reached through `Reporters.render`, the one place where
/// formats are chosen; the text it returns is what the command writes (after the sanitiser's last pass).
public protocol RegisterReporter {
    static func render(_ register: Register, context: RenderContext) throws -> String
}

public enum Reporters {
    public static func reporter(for format: RegisterFormat) -> any RegisterReporter.Type {
        switch format {
        case .table: return TableReporter.self
        case .json: return JSONReporter.self
        case .csv: return CSVReporter.self
        case .md: return MarkdownReporter.self
        case .sarif: return SARIFReporter.self
        case .html: return RegisterHTMLReporter.self
        }
    }

    public static func render(_ register: Register, as format: RegisterFormat, context: RenderContext = RenderContext()) throws -> String {
        try reporter(for: format).render(register, context: context)
    }
}

/// `TableReporter.render(_:context:)` is the conformance (it cannot fail).
extension TableReporter: RegisterReporter {}

extension JSONReporter: RegisterReporter {
    public static func render(_ register: Register, context: RenderContext) throws -> String { try render(register) }
}

extension CSVReporter: RegisterReporter {
    public static func render(_ register: Register, context: RenderContext) throws -> String { render(register) }
}

extension MarkdownReporter: RegisterReporter {
    public static func render(_ register: Register, context: RenderContext) throws -> String { render(register) }
}

extension SARIFReporter: RegisterReporter {
    public static func render(_ register: Register, context: RenderContext) throws -> String {
        try render(register, rules: context.rules, baseline: context.baseline)
    }
}

/// One scan's register as a self-contained page (`RegisterHTML`): every credential, filterable, with the weekly
/// report's charts. Week-over-week changes need two recorded scans: `keyledger report` does that.
public enum RegisterHTMLReporter: RegisterReporter {
    public static func render(_ register: Register, context: RenderContext) throws -> String {
        RegisterHTML.render(register, budgets: context.budgets)
    }
}
