/// Hostile string values: each must be stored verbatim or refused with a 4xx, never a 5xx.
enum InjectionCorpus {
    /// A value that is valid UTF-8 text: storing it unchanged is as right as refusing it.
    static let texts = [
        "Robert'); DROP TABLE subjects;--",
        "' OR '1'='1' --",
        #"x", "admin": true, "y": {"z": ["#,
        #"back\slash \"quoted\" \\u0000 \n"#,
        "$1 %s %n %x {{7*7}} ${jndi:ldap://127.0.0.1/a} $(id) `id`",
        "<script>alert(1)</script>&amp;",
        "😀 Ünïcødé ﬁ e\u{301} \u{202E}gnp.exe\u{200B}",
        "%00%27%22%5C",
        "   ",
        String(repeating: "Я", count: 70_000),
    ]

    /// Bytes that are not valid UTF-8 (or not valid JSON text) inside a JSON string: must be refused with a 4xx.
    static let rawBytes: [(name: String, bytes: [UInt8])] = [
        ("lone 0xFF", [0x61, 0xFF, 0x62]),
        ("truncated sequence", [0x61, 0xC3]),
        ("overlong slash", [0xC0, 0xAF]),
        ("UTF-8 encoded surrogate", [0xED, 0xA0, 0x80]),
        ("escaped lone surrogate", Array(#"\ud800"#.utf8)),
    ]
}
