import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

final class ConfigLoaderTests: NotifyTestCase {
    let secretURL = "https://hooks.slack.com/services/T000/B000/SUPERSECRET"

    private func parse(_ yaml: String, environment: [String: String] = [:]) throws -> NotifyConfig {
        try ConfigLoader(environment: environment).parse(yaml, file: "notify.yaml")
    }

    private func configError(_ yaml: String, environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try parse(yaml, environment: environment)
            XCTFail("expected a config error", file: file, line: line)
            return ""
        } catch let error as ConfigError {
            return error.description
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return ""
        }
    }

    func testExampleConfigsLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let loader = ConfigLoader(environment: ["SLACK_WEBHOOK_URL": secretURL])  // the one variable the README names
        for name in ["notify.yaml", "slack.yaml"] {
            XCTAssertNoThrow(try loader.load(path: root.appendingPathComponent("Examples/\(name)").path), name)
        }
    }

    /// The operations examples agree with the binary and the configs they name (issue 12).
    func testTheSystemdUnitAndTheCronLinesNameWhatExists() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let unit = try String(contentsOf: root.appendingPathComponent("Examples/systemd/notify-serve.service"), encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStart=/usr/local/bin/notify serve --config /etc/notify/notify.yaml"), unit)
        XCTAssertTrue(unit.contains("Restart=always") && unit.contains("User=notify") && unit.contains("StateDirectory=notify"), unit)
        let cron = try String(contentsOf: root.appendingPathComponent("Examples/cron/notify"), encoding: .utf8)
        XCTAssertTrue(cron.contains("* * * * *  notify  notify tick --config /etc/notify/notify.yaml"), cron)
        let beat = try XCTUnwrap(cron.range(of: #"notify heartbeat [a-z0-9-]+"#, options: .regularExpression).map { String(cron[$0].split(separator: " ")[2]) })
        let oncall = try ConfigLoader(environment: ["SLACK_WEBHOOK_URL": secretURL, "TWILIO_ACCOUNT_SID": "ACx", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "+15005550006"],
                                      deferUnsetSecrets: true).load(path: root.appendingPathComponent("Examples/oncall.yaml").path)
        XCTAssertNotNil(oncall.heartbeats[beat], "the cron line beats \(beat), which Examples/oncall.yaml watches")
    }

    func testFullConfigIsRead() throws {
        let config = try parse("""
            templates_dir: /etc/notify/templates
            delivery:
              timeout: 3s
              max_attempts: 6
              initial_backoff: 250ms
              max_backoff: 1m
              max_retry_after: 5m
              max_concurrent: 8
            channels:
              ops:
                type: slack
                webhook_url: ${SLACK_URL}
              hook:
                type: webhook
                url: http://127.0.0.1:9/x
                headers: {Authorization: "Bearer ${TOKEN}"}
                timeout: 1s
              out: {type: console}
            routes:
              - name: urgent
                match: {environment: "prod-*", severity: [critical, error]}
                notify: [ops, hook]
                notify_on_resolve: true
              - notify: out
            """, environment: ["SLACK_URL": secretURL, "TOKEN": "abc"])
        XCTAssertEqual(config.channels["ops"]?.settings as? SlackWebhookSettings, SlackWebhookSettings(webhookURL: Secret(secretURL)))
        XCTAssertEqual(config.channels["hook"]?.settings as? WebhookSettings, WebhookSettings(url: Secret("http://127.0.0.1:9/x"), headers: ["Authorization": Secret("Bearer abc")]))
        XCTAssertEqual(config.channels["hook"]?.timeout, .seconds(1))
        XCTAssertEqual(config.routes.map(\.name), ["urgent", "routes[1]"])
        XCTAssertEqual(config.routes[0].matchers.map(\.description), ["environment=prod-*", "severity=critical|error"])
        XCTAssertTrue(config.routes[0].notifyOnResolve)
        XCTAssertEqual(config.routes[1].targets, [RouteTarget(channel: "out")])
        XCTAssertEqual(config.delivery.timeout, .seconds(3))
        XCTAssertEqual(config.delivery.retry.maxAttempts, 6)
        XCTAssertEqual(config.delivery.retry.initialBackoff, .milliseconds(250))
        XCTAssertEqual(config.delivery.retry.maxRetryAfter, .seconds(300))
        XCTAssertEqual(config.delivery.maxConcurrent, 8)
        XCTAssertEqual(config.templatesDirectory, "/etc/notify/templates")
        XCTAssertTrue(config.hasDefaultRoute)
    }

    /// A config with several problems reports every one in one run, in line order (issue 12);
    /// a reference to an item that could not be read is not another problem.
    func testEveryProblemIsReportedInLineOrder() throws {
        let yaml = """
            heartbeats:
              nightly: {interval: soon}
            channels:
              ops: {type: slack}
              out: {type: console, colour: red}
            policies:
              db: {steps: [{after: 5x, notify: [out]}]}
            routes:
              - {match: {kind: failover}, policy: db}
              - {match: {kind: x}, notify: [ops]}
              - notify: [nowhere]
            """
        do {
            _ = try parse(yaml)
            XCTFail("expected config errors")
        } catch let error as ConfigError {
            XCTAssertEqual(error.all.map(\.description), [
                "notify.yaml:2: heartbeats.nightly.interval: \"soon\" is not a duration such as 500ms, 90s, 5m, 1h30m",
                "notify.yaml:4: channels.ops.webhook_url: missing",
                "notify.yaml:5: channels.out.colour: unknown key (expected one of: type, timeout, max_concurrent)",
                "notify.yaml:7: policies.db.steps[0].after: \"5x\" is not a duration such as 500ms, 90s, 5m, 1h30m",
                "notify.yaml:11: routes[2].notify[0]: no channel named \"nowhere\" (channels: ops, out)",
            ])
        }
    }

    /// #20 §4: a route that names an unknown channel beside one whose section has errors is
    /// reported in the same run, and every unknown channel of a route is named.
    func testARoutesUnknownChannelsAreReportedWithTheChannelSectionsErrors() throws {
        do {
            _ = try parse("""
                channels:
                  ops: {type: slack}
                  hook: {type: webhook, url: "http://x/y", bogus: 1}
                routes:
                  - notify: [ops, nosuch, {channel: ops, to: [alice]}, other]
                  - notify: [hook]
                """)
            XCTFail("expected config errors")
        } catch let error as ConfigError {
            XCTAssertEqual(error.all.map(\.description), [
                "notify.yaml:2: channels.ops.webhook_url: missing",
                "notify.yaml:3: channels.hook.bogus: unknown key (expected one of: type, timeout, max_concurrent, url, webhook_url, headers)",
                "notify.yaml:5: routes[0].notify[1]: no channel named \"nosuch\" (channels: hook, ops)",
                "notify.yaml:5: routes[0].notify[3]: no channel named \"other\" (channels: hook, ops)",
            ])
        }
    }

    func testMissingKeyNamesItsPath() {
        XCTAssertEqual(configError("""
            channels:
              ops:
                type: slack
            routes: [{notify: [ops]}]
            """), "notify.yaml:3: channels.ops.webhook_url: missing")
        XCTAssertEqual(configError("channels: {a: {type: console}}"), "notify.yaml:1: routes: missing")
    }

    func testMissingEnvironmentVariableIsAnErrorNotAnEmptyString() {
        let message = configError("""
            channels:
              ops: {type: slack, webhook_url: "${SLACK_URL}"}
            routes: [{notify: [ops]}]
            """)
        XCTAssertEqual(message, "notify.yaml:2: channels.ops.webhook_url: environment variable SLACK_URL is not set")
    }

    func testDoubleDollarIsALiteralDollar() throws {
        let config = try parse("""
            channels:
              hook: {type: webhook, url: "http://h/x", headers: {X-Price: "$$5 ${A}"}}
            routes: [{notify: [hook]}]
            """, environment: ["A": "a"])
        XCTAssertEqual(config.channels["hook"]?.settings as? WebhookSettings, WebhookSettings(url: Secret("http://h/x"), headers: ["X-Price": Secret("$5 a")]))
    }

    func testUnknownKeysAreErrors() {
        XCTAssertTrue(configError("""
            channels:
              ops: {type: slack, webhok_url: "https://x/y"}
            routes: [{notify: [ops]}]
            """).contains("channels.ops.webhok_url: unknown key (expected one of: type, timeout, max_concurrent, webhook_url, url)"))
        XCTAssertTrue(configError("""
            channels: {out: {type: console}}
            routes: [{notify: [out], match: {region: eu}}]
            """).contains(#"routes[0].match.region: cannot match on "region" (expected one of: kind, severity, environment, source, details.KEY)"#))
    }

    func testAChannelsOwnMaxConcurrentGivesItsSlots() async throws {
        let config = try parse("""
            delivery: {max_concurrent: 8}
            channels:
              sms: {type: http_sms, url: "http://127.0.0.1:1/sms", body: {form: {to: "{{to_digits}}", text: "{{text}}"}}, max_concurrent: 2}
              ops: {type: webhook, url: "http://127.0.0.1:1/hook"}
              out: {type: console}
            routes: [{notify: [ops]}]
            """)
        let runtime = try await NotifyRuntime(config: config)
        let outbox = runtime.notifier.outbox
        let slots = Dictionary(uniqueKeysWithValues: runtime.notifier.channels.map { ($0.key, outbox.slots(for: $0.value)) })
        try await runtime.shutdown()
        XCTAssertEqual(slots, ["sms": 2, "ops": 8, "out": 256], "its own, else the type's, else delivery.max_concurrent")
        XCTAssertTrue(configError("""
            channels: {ops: {type: webhook, url: "http://127.0.0.1:1/hook", max_concurrent: 0}}
            routes: [{notify: [ops]}]
            """).contains("channels.ops.max_concurrent"))
    }

    func testRouteToUnknownChannelIsAnError() {
        XCTAssertEqual(configError("""
            channels: {out: {type: console}}
            routes:
              - notify: [out, pager]
            """), #"notify.yaml:3: routes[0].notify[1]: no channel named "pager" (channels: out)"#)
    }

    func testUnknownChannelTypeListsTheTypes() {
        XCTAssertTrue(configError("""
            channels: {x: {type: pigeon}}
            routes: [{notify: [x]}]
            """).contains(#"channels.x.type: "pigeon" is not one of slack, slack_bot, webhook, console"#))
    }

    func testBadValuesAreExplainedWithoutEchoingSecrets() {
        let message = configError("""
            channels:
              ops: {type: slack, webhook_url: "${URL}"}
            routes: [{notify: [ops]}]
            """, environment: ["URL": "not a url SUPERSECRET"])
        XCTAssertEqual(message, "notify.yaml:2: channels.ops.webhook_url: not an http(s) URL with a host")
        XCTAssertTrue(configError("""
            delivery: {timeout: soon}
            channels: {out: {type: console}}
            routes: [{notify: [out]}]
            """).contains(#"delivery.timeout: "soon" is not a duration such as 500ms, 90s, 5m, 1h30m"#))
        XCTAssertTrue(configError("""
            channels: {out: {type: console}}
            routes: [{notify: [out], match: {severity: urgent}}]
            """).contains(#"routes[0].match.severity: "urgent" matches no severity"#))
    }

    func testInvalidYAMLDoesNotQuoteTheLine() {
        let message = configError("channels:\n  ops: {type: slack, webhook_url: \"https://SUPERSECRET\"\nroutes: [")
        XCTAssertTrue(message.hasPrefix("notify.yaml: not valid YAML:"), message)
        XCTAssertFalse(message.contains("SUPERSECRET"), message)
    }

    func testSecretsDoNotPrint() throws {
        let config = try parse("""
            channels:
              ops: {type: slack, webhook_url: "\(secretURL)"}
              hook: {type: webhook, url: "https://h/x", headers: {Authorization: "Bearer SUPERSECRET"}}
            routes: [{notify: [ops, hook]}]
            """)
        let printed = "\(config) \(ConfigSummary(config: config).text)"
        XCTAssertFalse(printed.contains("SUPERSECRET"), printed)
        XCTAssertTrue(ConfigSummary(config: config).text.contains("hook: webhook (url set; headers: Authorization)"))
    }

    func testDurationsForPeopleAreBrief() {
        XCTAssertEqual(DurationParser.brief(.milliseconds(2506)), "2.5s")
        XCTAssertEqual(DurationParser.brief(.milliseconds(250)), "250ms")
        XCTAssertEqual(DurationParser.brief(.seconds(7)), "7s")
        XCTAssertEqual(DurationParser.brief(.seconds(90)), "1m30s")
    }

    func testDurations() {
        XCTAssertEqual(DurationParser.parse("500ms"), .milliseconds(500))
        XCTAssertEqual(DurationParser.parse("90s"), .seconds(90))
        XCTAssertEqual(DurationParser.parse("1h30m"), .seconds(5400))
        XCTAssertEqual(DurationParser.parse("0s"), .zero)
        XCTAssertEqual(DurationParser.parse("0"), .zero)
        XCTAssertNil(DurationParser.parse("5"))
        XCTAssertNil(DurationParser.parse("5 minutes"))
        XCTAssertNil(DurationParser.parse("-5s"))
        XCTAssertEqual(DurationParser.format(.seconds(5400)), "1h30m")
        XCTAssertEqual(DurationParser.format(.milliseconds(250)), "250ms")
    }

    // MARK: Contacts and people channels

    private let peopleChannels = """
        channels:
          sms: {type: twilio_sms, account_sid: AC1, auth_token: t, from: "+15005550006"}
          slack: {type: slack, webhook_url: "https://hooks.slack.com/services/x"}
        """

    func testContactsAndPersonTargetsAreRead() throws {
        let config = try parse(peopleChannels + """

            contacts:
              alice: {phone: "+14155550100", slack: U0123, email: alice@example.com, throttle: {sms: {limit: 2, window: 10m}}}
              bob: {phone: "+442071838750"}
            routes:
              - notify: [slack, {channel: sms, to: [alice, bob]}]
            """)
        XCTAssertEqual(config.contacts["alice"]?.phone?.e164, "+14155550100")
        XCTAssertEqual(config.contacts["alice"]?.slackMemberID, "U0123")
        XCTAssertEqual(config.contacts["alice"]?.throttles[.sms], ThrottleRule(limit: 2, window: .seconds(600)))
        XCTAssertEqual(config.routes[0].targets, [RouteTarget(channel: "slack"), RouteTarget(channel: "sms", contacts: ["alice", "bob"])])
        XCTAssertEqual(config.channels["sms"]?.medium, .sms)
    }

    /// #20: a contact has an address per medium; a registered type that reaches people by a
    /// medium of its own makes that medium a contact key too.
    func testContactsHaveAnAddressPerMediumAndAChannelTypeCanAddOne() throws {
        let config = try parse(peopleChannels + """

            contacts:
              alice: {telegram: "123456789", pushover: uKEY, ntfy: alice-topic, email: a@example.com, throttle: {pushover: {limit: 3, window: 1h}}}
            routes:
              - notify: [slack]
            """)
        let alice = try XCTUnwrap(config.contacts["alice"])
        XCTAssertEqual(alice.address(for: .telegram), "123456789")
        XCTAssertEqual(alice.address(for: .pushover), "uKEY")
        XCTAssertEqual(alice.address(for: .ntfy), "alice-topic")
        XCTAssertEqual(alice.address(for: .email), "a@example.com")
        XCTAssertNil(alice.address(for: .sms), "no phone")
        XCTAssertEqual(alice.throttles[.pushover], ThrottleRule(limit: 3, window: .seconds(3600)))
        XCTAssertTrue(configError(peopleChannels + """

            contacts: {alice: {discord: "42"}}
            routes: [{notify: [slack]}]
            """).contains("contacts.alice.discord: unknown key (expected one of: phone, slack, email, ntfy, pushover, telegram, throttle, password_hash)"))

        var registry = ConfigRegistry.standard
        registry.register(ChannelType("discord_dm", capabilities: .person(ContactMedium("discord")), keys: []) { _ in WebhookSettings(url: Secret("http://x")) })
        let custom = try ConfigLoader(registry: registry, environment: [:]).parse(peopleChannels + """

            contacts: {alice: {discord: "42", throttle: {discord: {limit: 1, window: 1m}}}}
            routes: [{notify: [slack]}]
            """)
        XCTAssertEqual(custom.contacts["alice"]?.address(for: ContactMedium("discord")), "42")
        XCTAssertEqual(custom.contacts["alice"]?.throttles[ContactMedium("discord")], ThrottleRule(limit: 1, window: .seconds(60)))
    }

    func testPhoneNumbersMustBeE164() {
        for bad in ["4155550100", "+1 415 555 0100", "+0123456789", "+1234567", "+1234567890123456", "+1415555010a"] {
            XCTAssertTrue(configError(peopleChannels + """

                contacts: {alice: {phone: "\(bad)"}}
                routes: [{notify: [slack]}]
                """).contains("contacts.alice.phone: \"\(bad)\" is not an E.164 number: + then 8 to 15 digits"), bad)
        }
        XCTAssertNotNil(PhoneNumber("+14155550100"))
        XCTAssertNotNil(PhoneNumber("+12345678"))
        XCTAssertEqual(PhoneNumber("+14155550100")?.digits, "14155550100")
    }

    func testPersonChannelsNeedContactsAndPlaceChannelsRefuseThem() {
        XCTAssertTrue(configError(peopleChannels + "\nroutes: [{notify: [sms]}]").contains(
            "routes[0].notify[0]: channel sms (twilio_sms) reaches people: write {channel: sms, to: [contact, ...]}"))
        XCTAssertTrue(configError(peopleChannels + "\ncontacts: {alice: {phone: \"+14155550100\"}}\nroutes: [{notify: [{channel: slack, to: [alice]}]}]").contains(
            "routes[0].notify[0].to: channel slack (slack) posts to a place, not to people: remove `to:`"))
        XCTAssertTrue(configError(peopleChannels + "\ncontacts: {alice: {phone: \"+14155550100\"}}\nroutes: [{notify: [{channel: sms, to: [carol]}]}]").contains(
            #"routes[0].notify[0].to: no contact named "carol" (contacts: alice)"#))
        XCTAssertTrue(configError(peopleChannels + "\ncontacts: {alice: {email: a@example.com}}\nroutes: [{notify: [{channel: sms, to: alice}]}]").contains(
            "contact alice has no phone, which sms needs for sms"))
    }

    func testTwilioChannelsNeedTheirKeys() {
        XCTAssertTrue(configError("""
            channels: {sms: {type: twilio_sms, account_sid: AC1, from: "+15005550006"}}
            routes: [{notify: [{channel: sms, to: [a]}]}]
            """).contains("channels.sms.auth_token: missing"))
        XCTAssertTrue(configError("""
            channels: {sms: {type: twilio_sms, account_sid: AC1, auth_token: t}}
            routes: [{notify: [{channel: sms, to: [a]}]}]
            """).contains("channels.sms.from: missing (or give messaging_service_sid)"))
        XCTAssertTrue(configError("""
            channels: {call: {type: twilio_voice, account_sid: AC1, auth_token: t, from: "+15005550006", machine_detection: yes}}
            routes: [{notify: [{channel: call, to: [a]}]}]
            """).contains(#"channels.call.machine_detection: "yes" is not one of Enable, DetectMessageEnd"#))
    }

    func testVariableDefaults() throws {
        let yaml = """
            channels: {hook: {type: webhook, url: "${BASE:-https://default.example.com}/x"}}
            routes: [{notify: [hook]}]
            """
        XCTAssertEqual(try parse(yaml).channels["hook"]?.settings as? WebhookSettings, WebhookSettings(url: Secret("https://default.example.com/x")))
        XCTAssertEqual(try parse(yaml, environment: ["BASE": "http://127.0.0.1:9"]).channels["hook"]?.settings as? WebhookSettings, WebhookSettings(url: Secret("http://127.0.0.1:9/x")))
    }

    // MARK: Policies

    func testPoliciesAreReadAndRoutesNameThem() throws {
        let config = try parse(peopleChannels + """

            contacts: {alice: {phone: "+14155550100"}}
            policies:
              db:
                steps:
                  - {after: 0s, notify: [slack]}
                  - {after: 90s, notify: [{channel: sms, to: [alice]}]}
                repeat: 2
                repeat_after: 30m
                ack_timeout: 1h
            routes:
              - {match: {kind: failover}, policy: db, notify_on_resolve: true}
              - notify: [slack]
            state: /var/lib/notify/state.db
            """)
        let policy = try XCTUnwrap(config.policies["db"])
        XCTAssertEqual(policy.steps.map(\.after), [.zero, .seconds(90)])
        XCTAssertEqual(policy.steps[1].targets, [RouteTarget(channel: "sms", contacts: ["alice"])])
        XCTAssertEqual(policy.repeatCount, 2)
        XCTAssertEqual(policy.repeatAfter, .seconds(1800))
        XCTAssertEqual(policy.ackTimeout, .seconds(3600))
        XCTAssertEqual(config.routes[0].policy, "db")
        XCTAssertEqual(config.statePath, "/var/lib/notify/state.db")
        XCTAssertEqual(policy.firing(at: 3)?.offset, .seconds(1800 + 90))
        XCTAssertNil(policy.firing(at: 6))
    }

    func testPolicyErrorsNameTheKey() {
        XCTAssertTrue(configError(peopleChannels + "\nroutes: [{policy: nope}]").contains(#"routes[0].policy: no policy named "nope""#))
        XCTAssertTrue(configError(peopleChannels + "\npolicies: {p: {steps: [{after: 1m, notify: [slack]}]}}\nroutes: [{policy: p, notify: [slack]}]").contains("give notify or policy, not both"))
        XCTAssertTrue(configError(peopleChannels + "\npolicies: {p: {steps: [{after: 5m, notify: [slack]}, {after: 1m, notify: [slack]}]}}\nroutes: [{policy: p}]").contains("policies.p.steps[1]: steps must be in order of `after`"))
        XCTAssertTrue(configError(peopleChannels + "\npolicies: {p: {steps: [{after: 5m, notify: [slack]}], repeat: 10}}\nroutes: [{policy: p}]").contains("policies.p.repeat: 10 is out of range 0...9"))
        XCTAssertTrue(configError(peopleChannels + "\npolicies: {p: {steps: [{after: soon, notify: [slack]}]}}\nroutes: [{policy: p}]").contains(#"policies.p.steps[0].after: "soon" is not a duration"#))
        XCTAssertTrue(configError(peopleChannels + "\nroutes: [{match: {kind: x}}]").contains("routes[0].notify: missing (or give policy)"))
    }

    // MARK: Matchers

    func testMatchersInBothForms() throws {
        let config = try parse("""
            channels: {out: {type: console}}
            routes:
              - match: {environment: "=~prod-(us|eu)-.*", kind: "!=heartbeat", details.tier: [gold, platinum]}
                notify: [out]
              - match: ["source!~test-.*", "severity=critical", 'details.region="eu-*"']
                notify: [out]
            """)
        XCTAssertEqual(config.routes[0].matchers.map(\.description), ["environment=~prod-(us|eu)-.*", "kind!=heartbeat", "details.tier=gold|platinum"])
        XCTAssertEqual(config.routes[1].matchers.map(\.description), ["source!~test-.*", "severity=critical", "details.region=eu-*"])
    }

    func testBadMatchersAreExplained() {
        XCTAssertTrue(configError("""
            channels: {out: {type: console}}
            routes: [{match: {source: "=~db-[0-9"}, notify: [out]}]
            """).contains(#"routes[0].match.source: "db-[0-9" is not a valid regular expression"#))
        XCTAssertTrue(configError("""
            channels: {out: {type: console}}
            routes: [{match: ["environment"], notify: [out]}]
            """).contains(#"routes[0].match[0]: "environment" is not a matcher such as environment=prod-*"#))
    }
}
