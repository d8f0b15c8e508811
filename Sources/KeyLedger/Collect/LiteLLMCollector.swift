import Foundation

/// A LiteLLM proxy's management API (the proxy's own address, `Authorization: Bearer` master key; BerriAI/litellm
/// `proxy/management_endpoints`, `proxy/spend_tracking/spend_management_endpoints.py`):
///
/// - `GET /key/list?return_full_object=true`: `page` from 1, `size=100`, until `total_pages`; each key's `token` is the
///   SHA-256 of the virtual key, never the key.
/// - `GET /team/list`: one answer.
/// - `GET /spend/logs/v2`: `start_date`/`end_date` (`YYYY-MM-DD HH:MM:SS`, UTC), `page` from 1, `page_size=100` (the
///   proxy's cap), until `total_pages`. A proxy without it (404) is asked the older `GET /spend/logs` with
///   `summarize=false` (individual rows, not the per-day summary), which answers in one page.
enum LiteLLMCollector {
    static func run(_ session: CollectSession) {
        session.collect("key-list", path: "/key/list", query: [("size", "100"), ("return_full_object", "true")], paging: .numbered(param: "page"))
        session.collect("team-list", path: "/team/list", paging: .single)
        let period = session.request.period
        let first = ISODate.day(period.since)
        let last = ISODate.day(period.lastDay(today: session.request.now()))
        let paged = session.collect("spend-logs", path: "/spend/logs/v2",
                                    query: [("start_date", first + " 00:00:00"), ("end_date", last + " 23:59:59"), ("page_size", "100")],
                                    paging: .numbered(param: "page"), tolerating404: true)
        if case .notFound = paged {
            // The older endpoint compares `startTime` ≤ end_date at midnight: ask through the day after the last.
            let after = ISODate.day(CollectPeriod.midnight(period.lastDay(today: session.request.now()), plusDays: 1))
            session.collect("spend-logs", path: "/spend/logs", query: [("start_date", first), ("end_date", after), ("summarize", "false")],
                            paging: .single)
        }
    }
}
