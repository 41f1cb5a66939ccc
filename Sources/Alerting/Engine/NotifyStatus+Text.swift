import Foundation

extension NotifyStatus {
    /// What `notify status` prints, and the console's status page shows.
    /// `state`: where the state is, as the reader named it; nil leaves it out.
    public func text(state: String?, shared: Bool) -> String {
        let status = self
        let now = status.now
        let kind = shared ? "PostgreSQL, shared by every instance" : "SQLite file"
        var lines = ["state:     " + (state.map { "\($0) (\(kind))" } ?? kind)]
        let live = status.liveInstances
        lines.append("instances: " + (live.isEmpty ? "none running (notify daemon, serve or watch; or notify tick from cron)" : "\(live.count) running"))
        for instance in status.instances {
            var line = "  \(instance.owner)  \(instance.role)  up since \(Timeline.time(instance.startedAt)), last seen \(Timeline.relative(instance.lastSeen, to: now))"
            line += ", holds \(Timeline.counted(instance.holding, "page"))"
            if instance.runsSingletonWork { line += ", runs the detectors and digests" }
            if !instance.live { line += "  NOT REPORTING" }
            lines.append(line)
        }
        for (owner, count) in status.heldElsewhere.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(owner)  (not running as an instance)  holds \(Timeline.counted(count, "page")); taken back when its lease ends")
        }
        lines.append("outbox:    \(Timeline.counted(status.pendingPages, "page")) waiting")
        if let overdue = status.overdueSince {
            lines.append("next due:  OVERDUE since \(Timeline.time(overdue)) (\(Timeline.relative(overdue, to: now)))" + (live.isEmpty ? "; nothing is running to do it" : ""))
        } else if let next = status.nextDue {
            lines.append("next due:  \(Timeline.time(next)) (\(Timeline.relative(next, to: now)))")
        } else {
            lines.append("next due:  nothing scheduled")
        }
        return lines.joined(separator: "\n")
    }
}
