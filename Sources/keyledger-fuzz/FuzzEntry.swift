// keyledger-fuzz: libFuzzer entry point for the decoders and importers (DecoderFuzzing).
//
// Fuzzing build (scripts/fuzz.sh):  swift build --product keyledger-fuzz -Xswiftc -sanitize=fuzzer \
//                                     -Xswiftc -DFUZZING -Xswiftc -parse-as-library --scratch-path .build-fuzz
// Plain build: replays the files (or folders of files) given as arguments and exits 0 unless one crashes.
import Foundation
import KeyLedger

#if FUZZING
/// libFuzzer's driver (in the runtime `-sanitize=fuzzer` links).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// libFuzzer's per-input callback (its runtime's own `main` references it).
@_cdecl("LLVMFuzzerTestOneInput")
public func keyledgerFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    DecoderFuzzing.exercise(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; here that starts libFuzzer's driver.
@_cdecl("keyledger_fuzz_main")
func keyledgerFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    // The matcher (every built-in rule, compiled without the cache) is built here, before the driver starts: compiled
    // inside the first input it ran into libFuzzer's per-input timeout on a busy machine.
    DecoderFuzzing.prepare()
    return LLVMFuzzerRunDriver(&count, &arguments, keyledgerFuzzOne)
}
#else
@main
struct FuzzReplay {
    static func main() {
        var replayed = 0
        for argument in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else { continue }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).sorted().map { argument + "/" + $0 }
                : [argument]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                data.withUnsafeBytes { DecoderFuzzing.exercise($0) }
                replayed += 1
            }
        }
        print("replayed \(replayed) inputs")
    }
}
#endif
