@testable import CustodianAPI
import Foundation
import Testing

/// The date-time coding of every request and response: the arithmetic transcoder agrees with Foundation's ISO 8601
/// format after the Gregorian reform and with PostgreSQL's proleptic calendar before it.
@Suite struct DateTranscoderTests {
    private let transcoder = FlexibleISO8601DateTranscoder()

    @Test func encodingMatchesFoundationWithMillisecondsRoundedDown() throws {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var generator = SystemRandomNumberGenerator()
        // Microsecond instants (what PostgreSQL holds) from 1902 to 2100 (further out Foundation's own arithmetic loses the
        // microseconds; see below), off the millisecond boundaries,
        // where a binary fraction may fall either side; plus instants around the epoch where rounding down crosses a second.
        var instants = (0..<20000).map { _ in Int64.random(in: -2_147_483_648_000_000...4_102_444_800_000_000, using: &generator) }
            .filter { $0 % 1000 != 0 }.map { Double($0) / 1_000_000 }
        instants += [0.0004, 0.9996, -0.0004, -0.0006, -1.5, -86_400.25, 951_782_400.0005, 1_709_251_199.9995]
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            let ours = try transcoder.encode(date), foundation = date.formatted(style)
            #expect(ours == foundation, "instant \(instant)")
        }
    }

    @Test func instantsOutsideYears0To9999AreWrittenAsFoundationWritesThem() throws {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        // Year -1, year 10000, and PostgreSQL's last and first timestamps (294276 AD, 4713 BC).
        for date in [Date(timeIntervalSince1970: -62_167_219_201), Date(timeIntervalSince1970: 253_402_300_800),
                     Date(timeIntervalSince1970: 9_224_318_015_999), Date(timeIntervalSince1970: -210_866_803_200)] {
            #expect(try transcoder.encode(date) == date.formatted(style))
        }
    }

    @Test func decodingReadsEveryRFC3339Form() throws {
        let expectations: [(String, Double)] = [
            ("2024-02-29T23:59:59.5+03:00", 1_709_240_399.5),
            ("2024-02-29t20:59:59.500z", 1_709_240_399.5),
            ("2024-02-29 20:59:59Z", 1_709_240_399),
            ("2024-02-29T23:59:60+03:00", 1_709_240_399),
            ("2024-03-01T00:00:00-23:59", 1_709_337_540),
            ("1970-01-01T00:00:00.000001Z", 0.000001),
            // Before the Gregorian reform the calendar is proleptic, as PostgreSQL's is.
            ("1000-01-01T00:00:00Z", -30_610_224_000),
            ("0001-01-01T00:00:00Z", -62_135_596_800),
        ]
        for (text, seconds) in expectations {
            let decoded = try transcoder.decode(text).timeIntervalSince1970
            #expect(abs(decoded - seconds) < 0.000_001, "\(text) → \(decoded)")
        }
    }

    @Test func decodingRefusesWhatIsNotADateTime() {
        for text in ["2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
                     "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+24:00", "2024-01-01", "not a date"] {
            #expect(throws: DecodingError.self, "\(text)") { try transcoder.decode(text) }
        }
    }

    @Test func whatIsWrittenReadsBackAsTheSameText() throws {
        var generator = SystemRandomNumberGenerator()
        // 1902 to 2136, within 2^32 s of 2001, where a Double holds an instant to better than half a microsecond, which
        // the formatter relies on (further out, a decoded `.794` may print as `.793`).
        for _ in 0..<20000 {
            let date = Date(timeIntervalSince1970: Double.random(in: -2_147_483_648...5_272_000_000, using: &generator))
            let text = try transcoder.encode(date)
            let again = try transcoder.encode(transcoder.decode(text))
            #expect(again == text)
        }
    }
}
