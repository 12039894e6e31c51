/// A shell-style pattern over store keys: `*` (any run of characters within one `/`-segment), `?`
/// (one character except `/`) and `[…]` (one character of a set: `[abc]`, ranges `[a-z]`, negated
/// `[!a]` or `[^a]`); every other character stands for itself. `**` is not special (it is two `*`).
///
/// A store expands a pattern by listing its `literalPrefix` and keeping the keys that `matches`.
///
/// ```swift
/// let pattern = KeyPattern("era5/2020-0[1-3]/*.nc")
/// pattern.literalPrefix                       // "era5/2020-0"
/// pattern.matches("era5/2020-02/t2m.nc")      // true
/// pattern.matches("era5/2020-02/x/t2m.nc")    // false: '*' stays within a segment
/// ```
public struct KeyPattern: Hashable, Sendable, CustomStringConvertible {
    private enum Element: Hashable, Sendable {
        case literal(Character)
        case any
        case one
        case set(ranges: [ClosedRange<Character>], negated: Bool)
    }

    /// The pattern as written.
    public let text: String
    private let elements: [Element]

    /// Parses `text`. An unclosed `[` stands for itself.
    public init(_ text: String) {
        self.text = text
        var elements: [Element] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "*": elements.append(.any)
            case "?": elements.append(.one)
            case "[":
                if let (element, next) = KeyPattern.parseSet(characters, from: index + 1) {
                    elements.append(element)
                    index = next
                    continue
                }
                elements.append(.literal("["))
            default: elements.append(.literal(character))
            }
            index += 1
        }
        self.elements = elements
    }

    /// Parses a set whose content starts at `start` (after `[`); returns it and the index after `]`,
    /// or `nil` when no `]` closes it.
    private static func parseSet(_ characters: [Character], from start: Int) -> (Element, Int)? {
        var index = start
        var negated = false
        if index < characters.count, characters[index] == "!" || characters[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<Character>] = []
        var first = true
        while index < characters.count {
            let character = characters[index]
            if character == "]" && !first { return (.set(ranges: ranges, negated: negated), index + 1) }
            first = false
            if index + 2 < characters.count, characters[index + 1] == "-", characters[index + 2] != "]" {
                let upper = characters[index + 2]
                if character <= upper { ranges.append(character...upper) }
                index += 3
            } else {
                ranges.append(character...character)
                index += 1
            }
        }
        return nil
    }

    /// Whether the pattern has any wildcard (`*`, `?` or a set); without one it names one key.
    public var hasWildcards: Bool {
        elements.contains { if case .literal = $0 { return false } else { return true } }
    }

    /// The text before the first wildcard: every matching key starts with it, so listing this
    /// prefix finds every candidate.
    public var literalPrefix: String {
        var prefix = ""
        for element in elements {
            guard case .literal(let character) = element else { break }
            prefix.append(character)
        }
        return prefix
    }

    /// Whether `key` matches the whole pattern.
    public func matches(_ key: String) -> Bool {
        let characters = Array(key)
        // Iterative matching with one backtrack point for the last `*` (as fnmatch does); a `*`
        // never consumes a `/`, so a failed segment cannot be retried past one.
        var p = 0, k = 0
        var starP = -1, starK = 0
        while k < characters.count {
            if p < elements.count, accepts(elements[p], characters[k]) {
                p += 1
                k += 1
            } else if p < elements.count, elements[p] == .any {
                starP = p
                starK = k
                p += 1
            } else if starP >= 0, characters[starK] != "/" {
                starK += 1
                k = starK
                p = starP + 1
            } else {
                return false
            }
        }
        while p < elements.count, elements[p] == .any { p += 1 }
        return p == elements.count
    }

    private func accepts(_ element: Element, _ character: Character) -> Bool {
        switch element {
        case .literal(let literal): return literal == character
        case .any: return false
        case .one: return character != "/"
        case .set(let ranges, let negated):
            guard character != "/" else { return false }
            return ranges.contains { $0.contains(character) } != negated
        }
    }

    /// The pattern as written.
    public var description: String { text }
}
