import CustodianCore
import CustodianStore
import CustodianTestSupport
import CustodianWorker
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

/// Retention, run by the worker itself: once per period however many workers run.
@Suite("Retention")
struct RetentionTests {
    /// Stores a subject whose last activity (record, consent, order) was `daysAgo` days ago.
    static func subject(_ database: Database, _ reference: String, daysAgo: Int, consent: ConsentAction?, order: String?) async throws -> UUID {
        let id = UUID()
        try await database.query("""
            INSERT INTO subjects (id, external_ref, full_name, email, phone, registration_address, locale, created_at, updated_at)
            VALUES (\(id), \(reference), 'Анна Смирнова', \(reference + "@example.com"), '+79990000000', 'Москва', 'ru-RU',
                    now() - make_interval(days => \(Int32(daysAgo))), now() - make_interval(days => \(Int32(daysAgo))))
            """)
        if let consent {
            let event = UUID()
            try await database.query("""
                WITH policy AS (
                    INSERT INTO policy_versions (id, label, url, text_sha256, effective_at)
                    VALUES (gen_random_uuid(), \(reference), 'https://shop.example/p', repeat('a', 64), '2000-01-01')
                    RETURNING id
                ), event AS (
                    INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at, request_id)
                    SELECT \(event), \(id), 'newsletter', \(consent.rawValue), id, 'web_form', now() - make_interval(days => \(Int32(daysAgo))), 't'
                    FROM policy
                    RETURNING id, occurred_at, recorded_at
                )
                INSERT INTO consent_states (subject_id, purpose_code, event_id, action, occurred_at, recorded_at)
                SELECT \(id), 'newsletter', id, \(consent.rawValue), occurred_at, recorded_at FROM event
                """)
        }
        if let order {
            try await database.query("""
                INSERT INTO orders (id, subject_id, external_ref, status, currency, total_minor, delivery_recipient_name, delivery_phone,
                                    placed_at, status_changed_at)
                VALUES (gen_random_uuid(), \(id), \(order), 'delivered', 'RUB', 100, 'Анна Смирнова', '+79990000000',
                        now() - make_interval(days => \(Int32(daysAgo))), now() - make_interval(days => \(Int32(daysAgo))))
                """)
        }
        return id
    }

    @Test("two workers: one run per period, every expired subject depersonalised once with a destruction record, the rest untouched")
    func oncePerPeriodWithTwoWorkers() async throws {
        try await TestDatabase.withMigratedName { name in
            let setup = try TestDatabase.pool(database: name)
            try await TestDatabase.running(setup) { database in
                let expired = try await Self.subject(database, "old-1", daysAgo: 400, consent: .withdraw, order: "R-1")
                let expiredToo = try await Self.subject(database, "old-2", daysAgo: 500, consent: nil, order: nil)
                _ = try await Self.subject(database, "old-3", daysAgo: 400, consent: .grant, order: nil)
                let recentOrder = try await Self.subject(database, "new-1", daysAgo: 10, consent: nil, order: nil)
                try await database.query("UPDATE orders SET status_changed_at = now() - interval '400 days' WHERE subject_id = \(recentOrder)")
                try await database.query("UPDATE subjects SET updated_at = now() - interval '400 days' WHERE id = \(recentOrder)")
                try await database.query("""
                    INSERT INTO orders (id, subject_id, external_ref, currency, total_minor) VALUES (gen_random_uuid(), \(recentOrder), 'R-2', 'RUB', 1)
                    """)

                let policy = RetentionPolicy(inactiveDays: 365, batchSize: 100, regime: .fz152)
                let workers = try (1...2).map { index in
                    let pool = try TestDatabase.pool(database: name)
                    let service = RetentionService(
                        retention: RetentionRepository(database: pool, hasher: nil), policy: policy, period: .seconds(3600),
                        checkInterval: .milliseconds(20), worker: "worker-\(index)", logger: TestDatabase.logger)
                    return ServiceGroup(configuration: .init(services: [.init(service: pool.pools), .init(service: service)], logger: TestDatabase.logger))
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in workers { group.addTask { try await worker.run() } }
                    try await Task.sleep(for: .seconds(1))
                    for worker in workers { await worker.triggerGracefulShutdown() }
                    try await group.waitForAll()
                }

                let runs = try await RetentionRepository(database: database, hasher: nil).runs()
                #expect(runs.count == 1, "one run for the period, though both workers checked about 50 times")
                #expect(runs.first?.subjectsDepersonalised == 2)
                let destroyed = try await database.query("""
                    SELECT subject_id, grounds, regime FROM destruction_records ORDER BY subject_id
                    """).decode((UUID, String, String).self).reduce(into: [(UUID, String, String)]()) { $0.append($1) }
                #expect(Set(destroyed.map(\.0)) == [expired, expiredToo] && destroyed.count == 2, "each expired subject once")
                #expect(destroyed.allSatisfy { $0.1 == "retention_expired" && $0.2 == "fz152" })
                let statuses = try await database.query("SELECT external_ref, status, full_name, email FROM subjects ORDER BY external_ref")
                    .decode((String, String, String?, String?).self).reduce(into: [String: (String, String?, String?)]()) { $0[$1.0] = ($1.1, $1.2, $1.3) }
                #expect(statuses["old-1"]?.0 == "erased" && statuses["old-1"]?.1 == nil && statuses["old-1"]?.2 == nil)
                #expect(statuses["old-2"]?.0 == "erased")
                #expect(statuses["old-3"]?.0 == "active", "a consent in force keeps its purpose alive")
                #expect(statuses["new-1"]?.0 == "active", "an open order keeps the subject")
                let order = try await database.query("SELECT delivery_recipient_name, total_minor FROM orders WHERE external_ref = 'R-1'")
                    .decode((String?, Int64).self).first { _ in true }
                #expect(order?.0 == nil && order?.1 == 100, "delivery block removed, amount kept")
            }
        }
    }

    @Test("the sweep's act names the responsible person from the settings and the rule that fired; acts older than 3 years are pruned")
    func sweepAct() async throws {
        try await TestDatabase.withMigrated { database in
            let expired = try await Self.subject(database, "old-act", daysAgo: 400, consent: .withdraw, order: nil)
            let ancient = UUID()
            let recent = UUID()
            for (id, yearsAgo) in [(ancient, 3.1), (recent, 2.9)] {
                try await database.query("""
                    INSERT INTO destruction_records (id, subject_id, grounds, regime, data_categories, tables, recipients, orders_depersonalised,
                                                     consents_withdrawn, jobs_cancelled, destroyed_at)
                    VALUES (\(id), \(expired), 'retention_expired', 'fz152', '{}', '{}', '{}', 0, 0, 0,
                            now() - make_interval(days => \(Int32(yearsAgo * 365.25))))
                    """)
            }
            let policy = RetentionPolicy(inactiveDays: 365, batchSize: 10, regime: .fz152)
            let run = try await RetentionRepository(database: database, hasher: nil).runOnce(periodStart: Date(), policy: policy, worker: "w")
            #expect(run?.subjectsDepersonalised == 1)
            let acts = try await DestructionActRepository(database: database).list(from: nil, to: nil, afterID: nil, limit: 10)
            #expect(!acts.contains { $0.id == ancient }, "kept 3 years, then pruned")
            #expect(acts.contains { $0.id == recent }, "younger acts stay")
            let written = try #require(acts.first { $0.act != nil })
            let act = try #require(written.act)
            #expect(act.performedByKind == "responsible_person")
            #expect(act.performedByName == TestDatabase.testOperator.responsibleName
                    && act.performedByPosition == TestDatabase.testOperator.responsiblePosition)
            #expect(act.rule == DestructionAct.sweepRule(inactiveDays: 365))
            #expect(act.operatorName == TestDatabase.testOperator.name && act.reason.contains("Retention ended"))
            let full = try #require(try await DestructionActRepository(database: database).read(id: written.id))
            #expect(full.logExtract.contains { $0.action == "subject.erase" && $0.actorKind == .system })
        }
    }

    @Test("an order's delivery block is destroyed the delivery purpose's 30 days after delivery or cancellation, at the sweep's now, with its act")
    func deliveryBlocks() async throws {
        try await TestDatabase.withMigrated { database in
            let subjectID = try await Self.subject(database, "buyer-1", daysAgo: 0, consent: nil, order: "D-1")
            try await database.query("UPDATE orders SET status_changed_at = now() - interval '10 days' WHERE external_ref = 'D-1'")
            try await database.query("""
                INSERT INTO orders (id, subject_id, external_ref, status, currency, total_minor, delivery_recipient_name, delivery_phone,
                                    placed_at, status_changed_at)
                VALUES (gen_random_uuid(), \(subjectID), 'P-1', 'placed', 'RUB', 100, 'Анна Смирнова', '+79990000000',
                        now() - interval '100 days', now() - interval '100 days')
                """)
            let repository = RetentionRepository(database: database, hasher: nil)
            let policy = RetentionPolicy(inactiveDays: 365, batchSize: 10, regime: .fz152)
            func block(_ reference: String) async throws -> String? {
                try await database.query("SELECT delivery_recipient_name FROM orders WHERE external_ref = \(reference)")
                    .collect().first?.decode(String?.self) ?? nil
            }
            let day: TimeInterval = 86400
            _ = try await repository.runOnce(periodStart: Date(timeIntervalSince1970: 1 * day), policy: policy, worker: "w", now: Date())
            #expect(try await block("D-1") == "Анна Смирнова", "delivered 10 days ago: kept")
            _ = try await repository.runOnce(periodStart: Date(timeIntervalSince1970: 2 * day), policy: policy, worker: "w", now: Date().addingTimeInterval(19 * day))
            #expect(try await block("D-1") == "Анна Смирнова", "29 days after delivery: still kept")
            _ = try await repository.runOnce(periodStart: Date(timeIntervalSince1970: 3 * day), policy: policy, worker: "w", now: Date().addingTimeInterval(21 * day))
            #expect(try await block("D-1") == nil, "31 days after delivery: destroyed")
            #expect(try await block("P-1") == "Анна Смирнова", "an open order keeps its delivery block")
            let total = try await database.query("SELECT total_minor FROM orders WHERE external_ref = 'D-1' AND status = 'delivered'")
                .collect().first?.decode(Int64.self)
            #expect(total == 100, "the accounting facts stay")
            let customer = try await database.query("SELECT status FROM subjects WHERE id = \(subjectID)").collect().first?.decode(String.self)
            #expect(customer == "active", "the customer stays")

            let acts = try await DestructionActRepository(database: database).list(from: nil, to: nil, afterID: nil, limit: 10)
            #expect(acts.count == 1)
            let record = try #require(acts.first)
            #expect(record.subjectID == subjectID && record.tables == ["orders"] && record.dataCategories == ["full_name", "phone", "delivery_address"])
            let act = try #require(record.act)
            #expect(act.reason.contains("delivery") && act.reason.contains("30 days"))
            #expect(act.performedByKind == "responsible_person" && act.rule == DestructionAct.deliveryBlockRule(days: 30))
        }
    }

    /// Records a consent event for `purpose`, `daysAgo` days ago, and makes it the current state.
    static func consent(_ database: Database, _ subjectID: UUID, _ purpose: String, _ action: ConsentAction, daysAgo: Int) async throws {
        try await database.query("""
            WITH policy AS (
                INSERT INTO policy_versions (id, label, url, text_sha256, effective_at)
                VALUES (gen_random_uuid(), gen_random_uuid()::text, 'https://shop.example/p', repeat('a', 64), '2000-01-01')
                RETURNING id
            ), event AS (
                INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at, request_id)
                SELECT gen_random_uuid(), \(subjectID), \(purpose), \(action.rawValue), id, 'web_form', now() - make_interval(days => \(Int32(daysAgo))), 't'
                FROM policy
                RETURNING id, occurred_at, recorded_at
            )
            INSERT INTO consent_states (subject_id, purpose_code, event_id, action, occurred_at, recorded_at)
            SELECT \(subjectID), \(purpose), id, \(action.rawValue), occurred_at, recorded_at FROM event
            ON CONFLICT (subject_id, purpose_code) DO UPDATE SET event_id = EXCLUDED.event_id, action = EXCLUDED.action,
                occurred_at = EXCLUDED.occurred_at, recorded_at = EXCLUDED.recorded_at, swept_at = NULL
            """)
    }

    @Test("data kept only for a withdrawn consent go 30 days after the withdrawal, at the sweep's now, unless another purpose needs them")
    func withdrawals() async throws {
        try await TestDatabase.withMigrated { database in
            // A newsletter-only subscriber, whose address an e-mail provider received for the newsletter.
            let subscriber = try await Self.subject(database, "subscriber", daysAgo: 0, consent: nil, order: nil)
            try await Self.consent(database, subscriber, "newsletter", .withdraw, daysAgo: 0)
            let provider = UUID()
            try await database.query("""
                INSERT INTO recipients (id, code, name, kind, base_url, signing_secret, country, country_adequate, data_categories)
                VALUES (\(provider), 'mailer', 'Mailer', 'email_provider', 'http://127.0.0.1:9/', 'whsec_' || repeat('A', 44), 'RU', true, '{email}')
                """)
            try await database.query("""
                INSERT INTO transfers (recipient_id, subject_id, purpose_code, legal_basis, data_categories, transferred_at)
                VALUES (\(provider), \(subscriber), 'newsletter', 'consent', '{email}', now() - interval '60 days')
                """)
            // A customer with an account; one with a delivered order; one whose other consent stands; one whose SMS consent
            // (a purpose of its own using only the phone) was withdrawn while the newsletter stands.
            let customer = try await Self.subject(database, "customer", daysAgo: 0, consent: nil, order: nil)
            try await Self.consent(database, customer, "newsletter", .withdraw, daysAgo: 0)
            let buyer = try await Self.subject(database, "buyer", daysAgo: 0, consent: nil, order: "B-1")
            try await Self.consent(database, buyer, "newsletter", .withdraw, daysAgo: 0)
            let offered = try await Self.subject(database, "offered", daysAgo: 0, consent: nil, order: nil)
            try await Self.consent(database, offered, "newsletter", .withdraw, daysAgo: 0)
            try await Self.consent(database, offered, "personalised_offers", .grant, daysAgo: 0)
            try await database.query("""
                INSERT INTO purposes (code, title, legal_basis, requires_consent, retention_days, data_categories)
                VALUES ('sms_offers', 'SMS offers', 'consent', true, 30, '{phone}')
                """)
            let texted = try await Self.subject(database, "texted", daysAgo: 0, consent: nil, order: nil)
            try await Self.consent(database, texted, "newsletter", .grant, daysAgo: 0)
            try await Self.consent(database, texted, "sms_offers", .withdraw, daysAgo: 0)
            try await database.query("""
                UPDATE subjects SET has_account = false WHERE id = ANY(\([subscriber, buyer, offered, texted]))
                """)

            let repository = RetentionRepository(database: database, hasher: nil)
            let policy = RetentionPolicy(inactiveDays: 365, batchSize: 10, regime: .fz152)
            let day: TimeInterval = 86400
            func state(_ id: UUID) async throws -> (String, String?, String?, String?) {
                try await database.query("SELECT status, full_name, email, phone FROM subjects WHERE id = \(id)")
                    .decode((String, String?, String?, String?).self).first { _ in true } ?? ("", nil, nil, nil)
            }
            _ = try await repository.runOnce(periodStart: Date(timeIntervalSince1970: day), policy: policy, worker: "w", now: Date().addingTimeInterval(29 * day))
            let early = try await state(subscriber)
            let earlyTexted = try await state(texted)
            #expect(early.0 == "active" && earlyTexted.3 != nil, "29 days after the withdrawal: kept")
            let unswept = try await database.query("SELECT count(*)::int8 FROM consent_states WHERE swept_at IS NOT NULL").decode(Int64.self).first { _ in true }
            #expect(unswept == 0, "nothing weighed before the window passed")

            _ = try await repository.runOnce(periodStart: Date(timeIntervalSince1970: 2 * day), policy: policy, worker: "w", now: Date().addingTimeInterval(31 * day))
            let erased = try await state(subscriber)
            #expect(erased.0 == "erased" && erased.1 == nil && erased.2 == nil && erased.3 == nil, "the newsletter-only subscriber is erased")
            let cascade = try await database.query("""
                SELECT q.recipient_id FROM erasure_requests q JOIN erasure_cascades c ON c.id = q.cascade_id WHERE c.subject_id = \(subscriber)
                """).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
            #expect(cascade == [provider], "the e-mail provider that received the address is asked to erase it")
            for kept in [customer, buyer, offered] {
                let row = try await state(kept)
                #expect(row.0 == "active" && row.1 != nil && row.2 != nil && row.3 != nil, "an account, an order, a granted consent keep the data")
            }
            let texting = try await state(texted)
            #expect(texting.0 == "active" && texting.1 != nil && texting.2 != nil && texting.3 == nil,
                    "only the phone, which only the withdrawn SMS consent used, goes")
            let weighed = try await database.query("""
                SELECT count(*)::int8 FROM consent_states WHERE action = 'withdraw' AND swept_at IS NULL
                """).decode(Int64.self).first { _ in true }
            #expect(weighed == 0, "every due withdrawal weighed once")

            let acts = try await DestructionActRepository(database: database).list(from: nil, to: nil, afterID: nil, limit: 10)
            let withdrawalActs = acts.filter { $0.act?.rule == DestructionAct.withdrawalRule(days: 30) }
            #expect(Set(withdrawalActs.map(\.subjectID)) == [subscriber, texted] && withdrawalActs.count == 2)
            #expect(acts.count == 3 && acts.contains { $0.subjectID == buyer && $0.tables == ["orders"] },
                    "the buyer's delivery block went too, by the delivery purpose's own retention")
            let whole = try #require(acts.first { $0.subjectID == subscriber }?.act)
            #expect(whole.reason.contains("Consent withdrawn for newsletter") && whole.rule == DestructionAct.withdrawalRule(days: 30))
            let phoneOnly = try #require(acts.first { $0.subjectID == texted })
            #expect(phoneOnly.dataCategories == ["phone"] && phoneOnly.tables == ["subjects"])
            #expect(phoneOnly.act?.reason.contains("sms_offers") == true)

            _ = try await repository.runOnce(periodStart: Date(timeIntervalSince1970: 3 * day), policy: policy, worker: "w", now: Date().addingTimeInterval(32 * day))
            let again = try await DestructionActRepository(database: database).list(from: nil, to: nil, afterID: nil, limit: 10)
            #expect(again.count == 3, "a weighed withdrawal is not weighed again")
        }
    }

    @Test("a recent withdrawal no longer delays the inactivity sweep")
    func withdrawalIsNoActivity() async throws {
        try await TestDatabase.withMigrated { database in
            let inactive = try await Self.subject(database, "inactive", daysAgo: 400, consent: nil, order: nil)
            try await Self.consent(database, inactive, "newsletter", .withdraw, daysAgo: 5)
            let policy = RetentionPolicy(inactiveDays: 365, batchSize: 10, regime: .fz152)
            let run = try await RetentionRepository(database: database, hasher: nil).runOnce(periodStart: Date(), policy: policy, worker: "w")
            #expect(run?.subjectsDepersonalised == 1)
            let status = try await database.query("SELECT status FROM subjects WHERE id = \(inactive)").decode(String.self).first { _ in true }
            #expect(status == "erased")
        }
    }

    @Test("the period a moment falls in is counted from the epoch")
    func periods() {
        let start = RetentionService.periodStart(of: Date(timeIntervalSince1970: 86_400 * 3 + 5000), period: .seconds(86_400))
        #expect(start == Date(timeIntervalSince1970: 86_400 * 3))
    }
}
