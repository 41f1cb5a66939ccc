@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

final class OnCallScheduleTests: NotifyTestCase {
    private func time(_ text: String) -> Date {
        guard let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) else { fatalError("bad test time \(text)") }
        return date
    }

    private func local(_ text: String, _ zone: String) -> Date {
        guard let timeZone = TimeZone(identifier: zone), let date = ConfigLoader.localTime(text, in: timeZone) else { fatalError("bad local time \(text)") }
        return date
    }

    private func weekly(_ zone: String, start: String) -> OnCallSchedule {
        OnCallSchedule(name: "primary", timeZone: TimeZone(identifier: zone)!, rotations: [
            .init(name: "weekly", members: ["alice", "bob", "carol"], shift: .weekly, start: local(start, zone)),
        ])
    }

    func testWeeklyHandoffStaysAtNineLocalAcrossTheEndOfDaylightSavingInNewYork() {
        // DST ends in New York on 2026-11-01: Monday 2026-11-02 09:00 is 14:00Z, not 13:00Z.
        let schedule = weekly("America/New_York", start: "2026-10-26T09:00")
        XCTAssertEqual(schedule.onCall(at: time("2026-11-02T13:30:00Z")), ["alice"], "08:30 EST: still alice")
        XCTAssertEqual(schedule.onCall(at: time("2026-11-02T14:00:00Z")), ["bob"], "09:00 EST: bob")
        let shifts = schedule.upcoming(from: time("2026-10-27T12:00:00Z"), count: 3)
        XCTAssertEqual(shifts.map(\.members), [["alice"], ["bob"], ["carol"]])
        XCTAssertEqual(shifts[1].start, time("2026-11-02T14:00:00Z"))
        XCTAssertEqual(shifts[1].end, time("2026-11-09T14:00:00Z"))
        XCTAssertEqual(shifts[0].end.timeIntervalSince(time("2026-10-26T13:00:00Z")), 7 * 86_400 + 3600, "the week with the change is an hour longer")
    }

    func testDailyHandoffAcrossBothChangesInBerlin() {
        let schedule = OnCallSchedule(name: "eu", timeZone: TimeZone(identifier: "Europe/Berlin")!, rotations: [
            .init(name: "daily", members: ["alice", "bob"], shift: .daily, start: local("2026-03-27T09:00", "Europe/Berlin")),
        ])
        // Spring forward on 2026-03-29: 09:00 CEST is 07:00Z (was 08:00Z the day before).
        XCTAssertEqual(schedule.onCall(at: time("2026-03-28T08:00:00Z")), ["bob"])        // Sat 09:00 CET
        XCTAssertEqual(schedule.onCall(at: time("2026-03-29T06:59:00Z")), ["bob"])        // Sun 08:59 CEST
        XCTAssertEqual(schedule.onCall(at: time("2026-03-29T07:00:00Z")), ["alice"])      // Sun 09:00 CEST
        // Fall back on 2026-10-25: 09:00 CET is 08:00Z.
        let before = schedule.upcoming(from: time("2026-10-24T12:00:00Z"), count: 2)
        XCTAssertEqual(before[0].end, time("2026-10-25T08:00:00Z"))
        XCTAssertEqual(before[1].end, time("2026-10-26T08:00:00Z"))
    }

    func testOverrideReplacesWhoeverIsOnCall() {
        var schedule = weekly("UTC", start: "2026-11-23T09:00")
        schedule.overrides = [.init(member: "dave", from: time("2026-11-24T18:00:00Z"), until: time("2026-11-25T09:00:00Z"))]
        XCTAssertEqual(schedule.onCall(at: time("2026-11-24T17:59:00Z")), ["alice"])
        XCTAssertEqual(schedule.onCall(at: time("2026-11-24T18:00:00Z")), ["dave"])
        XCTAssertEqual(schedule.onCall(at: time("2026-11-25T09:00:00Z")), ["alice"])
        let shifts = schedule.upcoming(from: time("2026-11-24T12:00:00Z"), count: 3)
        XCTAssertEqual(shifts.map(\.members), [["alice"], ["dave"], ["alice"]])
        XCTAssertEqual(shifts[1].source, "override")
    }

    func testTimesBeforeTheFirstHandoffCountBackwards() {
        let schedule = weekly("UTC", start: "2026-11-23T09:00")
        XCTAssertEqual(schedule.onCall(at: time("2026-11-22T09:00:00Z")), ["carol"], "the week before: the last member")
        XCTAssertEqual(schedule.onCall(at: time("2026-11-16T08:59:00Z")), ["bob"])
    }

    func testFixedShiftsAndSeveralRotations() {
        let schedule = OnCallSchedule(name: "s", timeZone: .gmt, rotations: [
            .init(name: "12h", members: ["alice", "bob"], shift: .fixed(.seconds(43_200)), start: time("2026-11-24T08:00:00Z")),
            .init(name: "manager", members: ["mallory"], shift: .weekly, start: time("2026-11-23T00:00:00Z")),
        ])
        XCTAssertEqual(schedule.onCall(at: time("2026-11-24T19:59:00Z")), ["alice", "mallory"])
        XCTAssertEqual(schedule.onCall(at: time("2026-11-24T20:00:00Z")), ["bob", "mallory"])
    }

    func testHandoffDuringAnOpenAlertPagesTheNewPerson() async throws {
        let clock = ManualClock(now: time("2026-11-24T08:58:00Z"))
        let sms = ScriptedChannel(name: "sms", medium: .sms)
        let schedule = OnCallSchedule(name: "primary", timeZone: .gmt, rotations: [
            .init(name: "daily", members: ["alice", "bob"], shift: .daily, start: time("2026-11-24T09:00:00Z")),
        ])
        let policy = EscalationPolicy(name: "p", steps: [
            .init(after: .zero, targets: [RouteTarget(channel: "sms", contacts: ["oncall:primary"])]),
            .init(after: .seconds(300), targets: [RouteTarget(channel: "sms", contacts: ["oncall:primary"])]),
        ])
        let notifier = Notifier(channels: [sms],
            configuration: Configuration(routes: [Route(name: "r", policy: "p")], policies: [policy], schedules: [schedule], contacts: ["alice", "bob"].map { Contact(name: $0, phone: PhoneNumber("+1415555010\($0 == "alice" ? 0 : 1)")) }),
            clock: clock)
        let explanation = try await notifier.explain(AlertEvent(kind: .failover, summary: "x"))
        XCTAssertEqual(explanation.pages.map { $0.to ?? "" }, ["bob", "alice"], "route test shows the handoff: bob until 09:00 (the shift before), then alice")
        _ = try await notifier.process(AlertEvent(kind: .failover, summary: "x"))
        clock.advance(by: .seconds(300))
        _ = try await notifier.runDue()
        XCTAssertEqual(sms.received.map { $0.recipient?.name ?? "" }, ["bob", "alice"])
    }

    /// An override added while notify runs (the console's "I take Saturday for bob") decides
    /// whom the next step pages, in `route test` too; removing it gives the shift back.
    func testStoredOverridePagesTheMemberInsteadOfTheRotation() async throws {
        let clock = ManualClock(now: time("2026-11-24T10:00:00Z"))
        let sms = ScriptedChannel(name: "sms", medium: .sms)
        let schedule = OnCallSchedule(name: "primary", timeZone: .gmt, rotations: [
            .init(name: "daily", members: ["alice", "bob"], shift: .daily, start: time("2026-11-24T09:00:00Z")),
        ])
        let policy = EscalationPolicy(name: "p", steps: [
            .init(after: .zero, targets: [RouteTarget(channel: "sms", contacts: ["oncall:primary"])]),
            .init(after: .seconds(300), targets: [RouteTarget(channel: "sms", contacts: ["oncall:primary"])]),
        ])
        let contacts = ["alice", "bob", "carol"].enumerated().map { Contact(name: $1, phone: PhoneNumber("+141555501\($0 + 10)")) }
        let notifier = Notifier(channels: [sms], configuration: Configuration(routes: [Route(name: "r", policy: "p")], policies: [policy], schedules: [schedule], contacts: contacts),
                                clock: clock)
        _ = try await notifier.process(AlertEvent(kind: .failover, summary: "x"))
        let override = try await notifier.addOverride(schedule: "primary", member: "carol", from: clock.now(), until: clock.now() + 3600, by: "alice")
        XCTAssertEqual(override.createdBy, "alice")
        let explanation = try await notifier.explain(AlertEvent(kind: .failover, summary: "y", dedupKey: "other"))
        XCTAssertEqual(explanation.pages.map { $0.to ?? "" }, ["carol", "carol"])
        clock.advance(by: .seconds(300))
        _ = try await notifier.runDue()
        XCTAssertEqual(sms.received.map { $0.recipient?.name ?? "" }, ["alice", "carol"], "the first step before the override, the second under it")
        let during = try await notifier.onCallSchedules(overridesEndingAfter: clock.now())["primary"]?.onCall(at: clock.now())
        XCTAssertEqual(during, ["carol"])
        let removed = try await notifier.removeOverride(id: override.id)
        XCTAssertTrue(removed)
        let after = try await notifier.onCallSchedules(overridesEndingAfter: clock.now())["primary"]?.onCall(at: clock.now())
        XCTAssertEqual(after, ["alice"])
        do {
            _ = try await notifier.addOverride(schedule: "primary", member: "mallory", from: clock.now(), until: clock.now() + 60, by: nil)
            XCTFail("an unknown contact was taken")
        } catch let error as OverrideError {
            XCTAssertEqual(error.description, "there is no contact named \"mallory\"")
        }
    }

    func testScheduleConfigErrors() {
        func error(_ yaml: String) -> String {
            do {
                _ = try ConfigLoader(environment: [:]).parse(yaml)
                return ""
            } catch {
                return "\(error)"
            }
        }
        let base = """
            channels: {sms: {type: twilio_sms, account_sid: AC1, auth_token: t, from: "+15005550006"}}
            contacts: {alice: {phone: "+14155550100"}, nophone: {email: x@example.com}}

            """
        XCTAssertTrue(error(base + "schedules: {p: {timezone: Mars/Olympus, rotations: [{members: [alice], shift: daily, start: \"2026-11-24T09:00\"}]}}\nroutes: [{notify: [{channel: sms, to: [alice]}]}]")
            .contains(#"schedules.p.timezone: "Mars/Olympus" is not an IANA timezone"#))
        XCTAssertTrue(error(base + "schedules: {p: {timezone: UTC, rotations: [{members: [zed], shift: daily, start: \"2026-11-24T09:00\"}]}}\nroutes: [{notify: [{channel: sms, to: [alice]}]}]")
            .contains(#"schedules.p.rotations[0].members[0]: no contact named "zed""#))
        XCTAssertTrue(error(base + "schedules: {p: {timezone: UTC, rotations: [{members: [alice], shift: daily, start: tomorrow}]}}\nroutes: [{notify: [{channel: sms, to: [alice]}]}]")
            .contains(#"schedules.p.rotations[0].start: "tomorrow" is not a local time"#))
        XCTAssertTrue(error(base + "routes: [{notify: [{channel: sms, to: [\"oncall:nope\"]}]}]").contains(#"no schedule named "nope""#))
        XCTAssertTrue(error(base + "schedules: {p: {timezone: UTC, rotations: [{members: [alice, nophone], shift: daily, start: \"2026-11-24T09:00\"}]}}\nroutes: [{notify: [{channel: sms, to: [\"oncall:p\"]}]}]")
            .contains("contact nophone has no phone"))
    }
}
