import Foundation

/// Writes a report to the path a user named without ever changing what that path is.
///
/// `--output /dev/null` run as root replaced the device with a regular file holding the register, because the
/// output was written to a temporary file and renamed over the target. Now: `-` is standard output; a device, FIFO
/// or socket is written through; a symbolic link is refused (it may point anywhere, and following it would write
/// out of place); a regular file or a new path gets the atomic temporary-file-and-rename.
public enum OutputWriter {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    public static func write(_ text: String, to path: String) throws {
        let data = Data(text.utf8)
        if path == "-" {
            FileHandle.standardOutput.write(data)
            return
        }
        var st = stat()
        guard lstat(path, &st) == 0 else {
            // A new file: created atomically.
            return try atomic(data, to: path)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            try atomic(data, to: path)
        case S_IFLNK:
            throw Failure(path: path, message: "is a symbolic link; name its target instead (keyledger does not write through links)")
        case S_IFDIR:
            throw Failure(path: path, message: "is a folder; name a file")
        default:
            // A device, FIFO or socket: written through, never replaced.
            let fd = open(path, O_WRONLY | O_NOCTTY)
            guard fd >= 0 else { throw Failure(path: path, message: "cannot be opened for writing (\(String(cString: strerror(errno))))") }
            defer { close(fd) }
            try data.withUnsafeBytes { buffer in
                var written = 0
                while written < buffer.count {
                    let n = Foundation.write(fd, buffer.baseAddress! + written, buffer.count - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw Failure(path: path, message: "write failed (\(String(cString: strerror(errno))))")
                    }
                    written += n
                }
            }
        }
    }

    private static func atomic(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw Failure(path: path, message: "cannot write the output (\(error.localizedDescription))")
        }
    }
}
