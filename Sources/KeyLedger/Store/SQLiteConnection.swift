import CSQLite
import Foundation

/// An error from SQLite, naming the database file and what keyledger was doing.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var message: String
    /// SQLite answered SQLITE_BUSY / SQLITE_LOCKED without waiting (it does so where waiting could deadlock, e.g. a
    /// journal-mode change or a read transaction upgraded to a write): the step can be retried from the start.
    public var isBusy: Bool
    public init(path: String, message: String, isBusy: Bool = false) { self.path = path; self.message = message; self.isBusy = isBusy }
    public var description: String { "\(path): \(message)" }
}

/// One value bound to, or read from, an SQL statement.
enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
    init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    init(_ value: Double?) { self = value.map(SQLValue.real) ?? .null }
    init(_ value: Bool?) { self = value.map { .integer($0 ? 1 : 0) } ?? .null }
}

/// One row read from a statement, by column name.
struct SQLRow {
    var values: [String: SQLValue]

    func string(_ column: String) -> String? {
        switch values[column] {
        case .text(let s)?: return s
        case .integer(let i)?: return String(i)
        case .real(let d)?: return String(d)
        default: return nil
        }
    }
    func int(_ column: String) -> Int? {
        switch values[column] {
        case .integer(let i)?: return Int(i)
        case .real(let d)?: return Int(d)
        case .text(let s)?: return Int(s)
        default: return nil
        }
    }
    func int64(_ column: String) -> Int64? { int(column).map(Int64.init) }
    func double(_ column: String) -> Double? {
        switch values[column] {
        case .real(let d)?: return d
        case .integer(let i)?: return Double(i)
        case .text(let s)?: return Double(s)
        default: return nil
        }
    }
    func bool(_ column: String) -> Bool? { int(column).map { $0 != 0 } }
}

/// A small, synchronous wrapper over one `sqlite3*` connection: prepared statements with bound parameters
/// (never string-built SQL for values), errors carrying the file name and SQLite's own message.
final class SQLiteConnection {
    let path: String
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    /// SQLite copies bound text before `sqlite3_bind_text` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String, readOnly: Bool = false) throws {
        self.path = path
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw StoreError(path: path, message: "cannot open the history store (\(message))")
        }
        handle = db
        // A concurrent `keyledger report` must wait for a running `scan --db`, not fail at once.
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit { close() }

    func close() {
        for (_, statement) in statements { sqlite3_finalize(statement) }
        statements = [:]
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    private var db: OpaquePointer {
        get throws {
            guard let handle else { throw StoreError(path: path, message: "the history store is closed") }
            return handle
        }
    }

    private func error(_ what: String, _ rc: Int32) -> StoreError {
        let detail = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        var message = "\(what): \(detail)"
        if rc == SQLITE_NOTADB { message = "not an SQLite database (is this a keyledger history store?)" }
        return StoreError(path: path, message: message, isBusy: Self.isBusy(rc))
    }

    static func isBusy(_ rc: Int32) -> Bool { rc & 0xFF == SQLITE_BUSY || rc & 0xFF == SQLITE_LOCKED }

    /// Runs SQL text with no parameters (schema changes, pragmas, transaction control).
    func execute(_ sql: String) throws {
        var messagePointer: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(try db, sql, nil, nil, &messagePointer)
        if rc != SQLITE_OK {
            let detail = messagePointer.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(messagePointer)
            if rc == SQLITE_NOTADB { throw error("", rc) }
            throw StoreError(path: path, message: detail, isBusy: Self.isBusy(rc))
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let cached = statements[sql] {
            sqlite3_reset(cached)
            sqlite3_clear_bindings(cached)
            return cached
        }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(try db, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error("cannot prepare a statement", rc) }
        statements[sql] = statement
        return statement
    }

    private func bind(_ statement: OpaquePointer, _ values: [SQLValue]) throws {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .real(let v): rc = sqlite3_bind_double(statement, index, v)
            case .text(let v): rc = sqlite3_bind_text(statement, index, v, -1, Self.transient)
            }
            if rc != SQLITE_OK { throw error("cannot bind parameter \(index)", rc) }
        }
    }

    /// Runs one statement with bound parameters; returns the rowid of an insert.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int64 {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(statement, values)
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw error("cannot write to the history store", rc) }
        return sqlite3_last_insert_rowid(try db)
    }

    /// Runs a query with bound parameters and returns every row.
    func query(_ sql: String, _ values: [SQLValue] = []) throws -> [SQLRow] {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(statement, values)
        var rows: [SQLRow] = []
        let columns = sqlite3_column_count(statement)
        let names = (0..<columns).map { String(cString: sqlite3_column_name(statement, $0)) }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error("cannot read the history store", rc) }
            var values: [String: SQLValue] = [:]
            for c in 0..<columns {
                switch sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: values[names[Int(c)]] = .integer(sqlite3_column_int64(statement, c))
                case SQLITE_FLOAT: values[names[Int(c)]] = .real(sqlite3_column_double(statement, c))
                case SQLITE_NULL: values[names[Int(c)]] = .null
                default:
                    if let text = sqlite3_column_text(statement, c) {
                        values[names[Int(c)]] = .text(String(cString: text))
                    } else {
                        values[names[Int(c)]] = .null
                    }
                }
            }
            rows.append(SQLRow(values: values))
        }
        return rows
    }

    /// The value of `PRAGMA user_version`: the schema version keyledger wrote.
    var userVersion: Int {
        get throws { try query("PRAGMA user_version").first?.int("user_version") ?? 0 }
    }

    /// Runs `body` inside one `BEGIN IMMEDIATE … COMMIT`; any error rolls everything back.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try transaction("BEGIN IMMEDIATE", body)
    }

    /// Runs `body` inside one read transaction (`BEGIN DEFERRED … COMMIT`), so its queries see one snapshot.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try transaction("BEGIN DEFERRED", body)
    }

    private func transaction<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}
