/// Splits a SQL file into single statements, since PostgreSQL's extended protocol runs one statement per query.
///
/// Semicolons inside quoted strings (`'…'`, `E'…'`), quoted identifiers (`"…"`), dollar-quoted bodies (`$$…$$`,
/// `$tag$…$tag$`) and comments (`-- …`, nested `/* … */`) do not end a statement. Comment-only statements are dropped.
public enum SQLScript {
    public static func statements(in sql: String) -> [String] {
        let characters = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func append(_ range: Range<Int>) {
            current.append(contentsOf: characters[range])
        }
        func finishStatement() {
            let text = String(current).trimmingWhitespace()
            if hasCode, !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
            hasCode = false
        }

        while index < characters.count {
            let character = characters[index]
            let next: Unicode.Scalar? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                let end = characters[index...].firstIndex(of: "\n") ?? characters.count
                append(index..<end)
                index = end
            case "/" where next == "*":
                var depth = 0
                var cursor = index
                while cursor < characters.count {
                    if characters[cursor] == "/", cursor + 1 < characters.count, characters[cursor + 1] == "*" {
                        depth += 1; cursor += 2
                    } else if characters[cursor] == "*", cursor + 1 < characters.count, characters[cursor + 1] == "/" {
                        depth -= 1; cursor += 2
                        if depth == 0 { break }
                    } else {
                        cursor += 1
                    }
                }
                append(index..<cursor)
                index = cursor
            case "'", "\"":
                let end = quotedEnd(characters, from: index, quote: character)
                append(index..<end)
                hasCode = true
                index = end
            case "$":
                if let tagEnd = dollarTagEnd(characters, from: index) {
                    let tag = Array(characters[index..<tagEnd])
                    let end = dollarBodyEnd(characters, from: tagEnd, tag: tag)
                    append(index..<end)
                    hasCode = true
                    index = end
                } else {
                    current.append(character)
                    hasCode = true
                    index += 1
                }
            case ";":
                finishStatement()
                index += 1
            default:
                current.append(character)
                if !character.properties.isWhitespace { hasCode = true }
                index += 1
            }
        }
        finishStatement()
        return statements
    }

    /// The index after the closing quote; a doubled quote is an escaped quote. Backslash escapes in `E'…'` strings
    /// are honoured too.
    private static func quotedEnd(_ characters: [Unicode.Scalar], from start: Int, quote: Unicode.Scalar) -> Int {
        let escapeString = quote == "'" && start > 0 && (characters[start - 1] == "E" || characters[start - 1] == "e")
        var cursor = start + 1
        while cursor < characters.count {
            if escapeString, characters[cursor] == "\\" {
                cursor += 2
                continue
            }
            if characters[cursor] == quote {
                if cursor + 1 < characters.count, characters[cursor + 1] == quote {
                    cursor += 2
                    continue
                }
                return cursor + 1
            }
            cursor += 1
        }
        return characters.count
    }

    /// The index after `$tag$` when a dollar-quote opens at `start`, else nil (for example a `$1` parameter).
    private static func dollarTagEnd(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        var cursor = start + 1
        while cursor < characters.count {
            let character = characters[cursor]
            if character == "$" { return cursor + 1 }
            let isTagCharacter = character == "_" || character.properties.isAlphabetic
                || (cursor > start + 1 && ("0"..."9").contains(character))
            guard isTagCharacter else { return nil }
            cursor += 1
        }
        return nil
    }

    private static func dollarBodyEnd(_ characters: [Unicode.Scalar], from start: Int, tag: [Unicode.Scalar]) -> Int {
        var cursor = start
        while cursor + tag.count <= characters.count {
            if characters[cursor] == "$", Array(characters[cursor..<(cursor + tag.count)]) == tag {
                return cursor + tag.count
            }
            cursor += 1
        }
        return characters.count
    }
}
