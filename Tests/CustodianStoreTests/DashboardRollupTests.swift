import CustodianDatabase
import CustodianTestSupport
import Foundation
import Testing

/// The dashboard's rollups, kept by statement-level triggers: consent events per day and transfers per week of the
/// controller's calendar (`controller_settings.time_zone`), whatever the session's time zone.
@Suite("Dashboard rollups")
struct DashboardRollupTests {
    @Test("a consent event and a transfer late on a Sunday in UTC count on Monday in Moscow, on Sunday and its week in UTC")
    func controllerCalendar() async throws {
        try await TestDatabase.withMigrated { database in
            let (subject, recipient, policy) = (UUID(), UUID(), UUID())
            try await database.query("""
                INSERT INTO subjects (id, external_ref, locale, status) VALUES (\(subject), 'rollup-1', 'ru', 'active')
                """)
            try await database.query("""
                INSERT INTO policy_versions (id, label, url, text_sha256, effective_at)
                VALUES (\(policy), 'rollup-v1', 'https://shop.example/p', repeat('d', 64), '2026-01-01T00:00:00Z')
                """)
            try await database.query("""
                INSERT INTO recipients (id, code, name, kind, base_url, signing_secret, country, country_adequate, data_categories)
                VALUES (\(recipient), 'rollup-mail', 'Mail', 'email_provider', 'http://127.0.0.1:9', 'whsec_eA==', 'RU', true, '{email}')
                """)
            // 2026-03-01 is a Sunday: 22:30 UTC is 01:30 on Monday 2026-03-02 in Moscow (UTC+3).
            for (zone, label) in [("Europe/Moscow", "moscow"), ("UTC", "utc")] {
                try await database.query("UPDATE controller_settings SET time_zone = \(zone)")
                try await database.query("""
                    INSERT INTO consent_events (id, subject_id, purpose_code, action, policy_version_id, channel, occurred_at, request_id)
                    VALUES (gen_random_uuid(), \(subject), 'newsletter', 'grant', \(policy), 'api', '2026-03-01T22:30:00Z', \(label))
                    """)
                try await database.query("""
                    INSERT INTO transfers (recipient_id, subject_id, data_categories, purpose_code, legal_basis, transferred_at)
                    VALUES (\(recipient), \(subject), '{email}', 'newsletter', 'consent', '2026-03-01T22:30:00Z')
                    """)
            }
            let days = try await database.query("SELECT day::text, sum(count)::int FROM consent_daily GROUP BY 1 ORDER BY 1").collect()
                .map { try $0.decode((String, Int).self) }
            #expect(days.map(\.0) == ["2026-03-01", "2026-03-02"])
            #expect(days.map(\.1) == [1, 1])
            let weeks = try await database.query("SELECT week::text, sum(count)::int FROM transfer_weekly GROUP BY 1 ORDER BY 1").collect()
                .map { try $0.decode((String, Int).self) }
            #expect(weeks.map(\.0) == ["2026-02-23", "2026-03-02"])
            #expect(weeks.map(\.1) == [1, 1])
        }
    }
}
