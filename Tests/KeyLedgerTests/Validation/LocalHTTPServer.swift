import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for validator tests: one request per connection, answered
/// by `handler` (optionally after a delay), every request recorded. Tests reach it through keyledger.yml's
/// `endpoints:`, the same path a gateway takes.
final class LocalHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header names lower-cased.
        var headers: [String: String]
        /// The body (by `Content-Length`), empty for none.
        var body: Data = Data()
        /// `path` without its query.
        var route: String { String(path.split(separator: "?", maxSplits: 1).first ?? "") }
        /// The query's parameters, percent-decoded; a name given twice keeps every value in order.
        var query: [(name: String, value: String)] {
            guard let q = path.split(separator: "?", maxSplits: 1).dropFirst().first else { return [] }
            return q.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
                return ((parts[0].removingPercentEncoding ?? parts[0]), parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : "")
            }
        }
        /// The values of one query parameter.
        func values(_ name: String) -> [String] { query.filter { $0.name == name }.map(\.value) }
    }

    struct Response: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body: String = ""
        /// Seconds to wait before answering (timeouts).
        var delay: TimeInterval = 0
    }

    let port: UInt16
    var baseURL: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let handler: @Sendable (Request) -> Response
    private let lock = NSLock()
    private var recorded: [Request] = []

    var requests: [Request] { lock.lock(); defer { lock.unlock() }; return recorded }

    init(handler: @escaping @Sendable (Request) -> Response) throws {
        self.handler = handler
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServerError.socket }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 32) == 0 else { close(fd); throw ServerError.bind }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    enum ServerError: Error { case socket, bind }

    /// Stops accepting (connections being answered finish on their own).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while data.count < 65_536 {
            let n = recv(connection, &buffer, buffer.count, 0)
            if n <= 0 { return }
            data += buffer[0..<n]
            if data.count >= 4, let at = (0...(data.count - 4)).first(where: { Array(data[$0..<$0 + 4]) == end }) { headerEnd = at; break }
        }
        guard let headerEnd else { return }
        let text = String(decoding: data[..<headerEnd], as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ").map(String.init) ?? []
        guard parts.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[(headerEnd + 4)...])
        let length = min(Int(headers["content-length"] ?? "") ?? 0, 1 << 20)
        while body.count < length {
            let n = recv(connection, &buffer, buffer.count, 0)
            if n <= 0 { break }
            body += buffer[0..<n]
        }
        let request = Request(method: parts[0], path: parts[1], headers: headers, body: Data(body.prefix(length)))
        lock.lock(); recorded.append(request); lock.unlock()
        let response = handler(request)
        if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
        let payload = Array(response.body.utf8)
        var head = "HTTP/1.1 \(response.status) Status\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n"
        if response.headers["Content-Type"] == nil { head += "Content-Type: application/json\r\n" }
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + payload
        var sent = 0
        while sent < bytes.count {
            #if canImport(Glibc)
            let n = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            #else
            let n = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
            #endif
            if n <= 0 { return }
            sent += n
        }
    }
}
