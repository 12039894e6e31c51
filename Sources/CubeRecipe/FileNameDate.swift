public import CubeCore

/// A `time_from_name` pattern: how a file's name gives its date, for inputs without a time axis
/// (GeoTIFFs). The pattern is matched against the file name (the last path component) as a
/// whole.
///
/// - `{date:FORMAT}` captures the date; FORMAT uses `%Y` (4-digit year), `%m` (month), `%d`
///   (day), `%j` (day of year, 3 digits), `%H`, `%M`, `%S` (2 digits each) and literal text.
/// - Outside the braces, `*` matches any run of characters, `?` any one character; everything
///   else matches itself.
///
/// Example: `S2_NDVI_{date:%Y%m%d}_*.tif` gives `S2_NDVI_20240615_T32TNS.tif` the date 2024-06-15.
public struct FileNameDate: Hashable, Sendable, CustomStringConvertible {
    private enum Token: Hashable {
        case literal(Character)
        case anyRun
        case anyOne
        case field(Character, width: Int)
    }

    /// The pattern as written.
    public let pattern: String
    private let tokens: [Token]

    /// Parses a pattern.
    /// - Throws: `CubeError` (`.invalidRecipe`) with the reason: no `{date:…}`, an unknown `%`
    ///   code, a date without year or without month and day (or day of year).
    public init(_ pattern: String) throws {
        self.pattern = pattern
        var tokens: [Token] = []
        var rest = Substring(pattern)
        var sawDate = false
        while let c = rest.first {
            rest = rest.dropFirst()
            switch c {
            case "*": tokens.append(.anyRun)
            case "?": tokens.append(.anyOne)
            case "{":
                guard rest.hasPrefix("date:"), let close = rest.firstIndex(of: "}") else {
                    throw CubeError(.invalidRecipe, "'\(pattern)': '{' must open a {date:FORMAT} field")
                }
                guard !sawDate else { throw CubeError(.invalidRecipe, "'\(pattern)' has more than one {date:…} field") }
                sawDate = true
                var format = rest[rest.index(rest.startIndex, offsetBy: 5)..<close]
                rest = rest[rest.index(after: close)...]
                while let f = format.first {
                    format = format.dropFirst()
                    guard f == "%" else { tokens.append(.literal(f)); continue }
                    guard let code = format.first else { throw CubeError(.invalidRecipe, "'\(pattern)': '%' at the end of the date format") }
                    format = format.dropFirst()
                    switch code {
                    case "Y": tokens.append(.field("Y", width: 4))
                    case "m", "d", "H", "M", "S": tokens.append(.field(code, width: 2))
                    case "j": tokens.append(.field("j", width: 3))
                    case "%": tokens.append(.literal("%"))
                    default:
                        throw CubeError(.invalidRecipe, "'\(pattern)': %\(code) is not a supported date code (%Y %m %d %j %H %M %S)")
                    }
                }
            default: tokens.append(.literal(c))
            }
        }
        let fields = Set(tokens.compactMap { token -> Character? in if case let .field(c, _) = token { return c } else { return nil } })
        guard sawDate, fields.contains("Y"), fields.contains("j") || (fields.contains("m") && fields.contains("d")) else {
            throw CubeError(.invalidRecipe, "'\(pattern)' needs a {date:…} field with %Y and %m%d (or %j)")
        }
        self.tokens = tokens
    }

    /// The date in `fileName` (a name, or a path whose last component is used), or `nil` when it
    /// does not match or names no valid date.
    public func date(in fileName: String) -> CalendarDate? {
        let name = Array(fileName.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? fileName)
        var fields: [Character: Int] = [:]
        guard match(name, 0, 0, &fields), let year = fields["Y"] else { return nil }
        var month = fields["m"] ?? 1, day = fields["d"] ?? 1
        if let dayOfYear = fields["j"] {
            guard (1...366).contains(dayOfYear) else { return nil }
            let leap = CFCalendar.prolepticGregorian.daysIn(month: 2, year: year) == 29
            var remaining = dayOfYear
            month = 1
            while month <= 12 {
                let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
                if remaining <= days { break }
                remaining -= days
                month += 1
            }
            guard month <= 12 else { return nil }
            day = remaining
        }
        let (hour, minute, second) = (fields["H"] ?? 0, fields["M"] ?? 0, fields["S"] ?? 0)
        guard (1...12).contains(month), day >= 1, day <= CFCalendar.prolepticGregorian.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61 else { return nil }
        return CalendarDate(year: year, month: month, day: day, secondOfDay: Double(hour * 3600 + minute * 60 + second))
    }

    private func match(_ name: [Character], _ i: Int, _ t: Int, _ fields: inout [Character: Int]) -> Bool {
        if t == tokens.count { return i == name.count }
        switch tokens[t] {
        case let .literal(c):
            return i < name.count && name[i] == c && match(name, i + 1, t + 1, &fields)
        case .anyOne:
            return i < name.count && match(name, i + 1, t + 1, &fields)
        case .anyRun:
            for j in i...name.count {
                var attempt = fields
                if match(name, j, t + 1, &attempt) { fields = attempt; return true }
            }
            return false
        case let .field(code, width):
            guard i + width <= name.count else { return false }
            let digits = name[i..<(i + width)]
            guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Int(String(digits)) else { return false }
            fields[code] = value
            return match(name, i + width, t + 1, &fields)
        }
    }

    /// The pattern.
    public var description: String { pattern }
}
