import Foundation
import Synchronization

/// Spreads the items of a scan over worker threads and merges what they find and count.
///
/// Each worker opens its own state first (a matcher workspace, a libgit2 handle: neither is shared across threads);
/// when it cannot, it records why in the tally and takes no items, and the others carry on.
enum ParallelScan {
    static func run<State, Output: Sendable>(count: Int, workers: Int, tally: inout ScanTally,
                                   open: @Sendable (inout ScanTally) -> State?,
                                   item: @Sendable (State, Int, inout ScanTally) -> [Output]) -> [Output] {
        guard count > 0 else { return [] }
        let next = Atomic<Int>(0)
        let results = Mutex<([Output], ScanTally)>(([], ScanTally()))
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
            var local: [Output] = []
            var localTally = ScanTally()
            defer { results.withLock { $0.0 += local; $0.1.merge(localTally) } }
            guard let state = open(&localTally) else { return }
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                local += item(state, i, &localTally)
            }
        }
        let (outputs, workerTally) = results.withLock { $0 }
        tally.merge(workerTally)
        return outputs
    }
}
