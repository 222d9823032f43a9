/// A regular expression for `search_files`, run in time linear in the line's length.
///
/// The pattern comes from a model, and anyone who wrote text the model read chose it:
/// a backtracking engine (Swift's `Regex`, PCRE) takes exponential time on `^(a+)+$`, and
/// glibc's takes quadratic time on some unanchored patterns and cannot be interrupted. This
/// is a Thompson-NFA simulation (a Pike VM without captures): every step advances all live
/// states at once, so a line of n characters costs O(n × pattern size), and the deadline is
/// checked as it goes.
///
/// The usual syntax: literals and escapes, `.`, classes (`[a-z]`, `[^…]`, `\d \w \s` and
/// their negations, `[:alpha:]`), anchors `^ $ \b \B`, groups `(…)` `(?:…)` `(?<name>…)`,
/// `|`, and `* + ? {n} {n,} {n,m}` (lazy forms match the same lines). A leading `(?i)`
/// ignores case. Back-references and look-around need backtracking and are refused.
public struct LineRegex: Sendable {
    private let program: [Instruction]
    private let ignoreCase: Bool

    static let maxPatternLength = 2000
    static let maxProgramSize = 20_000
    static let maxRepeat = 1000

    public init(_ pattern: String) throws(RegexProblem) {
        // Scalars, not characters: a thousand combining marks are one character.
        guard pattern.unicodeScalars.count <= Self.maxPatternLength else {
            throw .invalid("the pattern is longer than \(Self.maxPatternLength) characters")
        }
        var parser = RegexParser(Array(pattern.unicodeScalars))
        let (node, ignoreCase) = try parser.parseWhole()
        var compiler = RegexCompiler(ignoreCase: ignoreCase)
        try compiler.emit(node)
        compiler.program.append(.match)
        program = compiler.program
        self.ignoreCase = ignoreCase
    }

    /// Whether the pattern matches anywhere in `line`.
    public func matches(_ line: some StringProtocol, deadline: ContinuousClock.Instant) throws(RegexProblem) -> Bool {
        let text = Array(line.unicodeScalars)
        var current = ThreadList(capacity: program.count)
        var next = ThreadList(capacity: program.count)
        var stack: [Int] = []
        stack.reserveCapacity(16)
        // The clock is read after a fixed amount of work, not of text: one character can
        // cost a thousand live states times a class of two thousand ranges, or thousands of
        // assertions that consume nothing. And once per line, however short.
        if ContinuousClock.now >= deadline { throw .timedOut }
        var work = 0
        for position in 0...text.count {
            work += current.items.count + 1
            if work >= 4096 {
                work = 0
                if ContinuousClock.now >= deadline { throw .timedOut }
            }
            // Unanchored: a new thread starts at every position.
            if add(0, at: position, in: text, to: &current, stack: &stack, work: &work) { return true }
            guard position < text.count, !current.isEmpty else {
                current.clear()
                continue
            }
            let scalar = text[position]
            next.clear()
            for pc in current.items {
                if case .set(let set) = program[pc] { work += set.cost }
                if step(program[pc], scalar), add(pc + 1, at: position + 1, in: text, to: &next, stack: &stack, work: &work) { return true }
            }
            swap(&current, &next)
        }
        return false
    }

    /// Follows jumps and assertions from `pc`; true once `match` is reached. `stack` is
    /// scratch space, reused so that a step allocates nothing.
    private func add(_ pc: Int, at position: Int, in text: [Unicode.Scalar], to list: inout ThreadList, stack: inout [Int], work: inout Int) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(pc)
        while let pc = stack.popLast() {
            work += 1
            guard list.insert(pc) else { continue }
            switch program[pc] {
            case .match: return true
            case .jump(let target): stack.append(target)
            case .split(let first, let second): stack.append(second); stack.append(first)
            case .lineStart: if position == 0 { stack.append(pc + 1) }
            case .lineEnd: if position == text.count { stack.append(pc + 1) }
            case .wordBoundary(let wanted):
                let before = position > 0 && Self.isWord(text[position - 1])
                let after = position < text.count && Self.isWord(text[position])
                if (before != after) == wanted { stack.append(pc + 1) }
            default: list.keep(pc)
            }
        }
        return false
    }

    private func step(_ instruction: Instruction, _ scalar: Unicode.Scalar) -> Bool {
        switch instruction {
        case .scalar(let wanted): return scalar == wanted || (ignoreCase && RegexCompiler.fold(scalar) == wanted)
        case .any: return scalar != "\n"
        case .set(let set): return set.contains(scalar, ignoreCase: ignoreCase)
        default: return false
        }
    }

    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}

public enum RegexProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)
    case timedOut

    public var description: String {
        switch self {
        case .invalid(let why): return why
        case .timedOut: return "the search ran out of time"
        }
    }
}

enum Instruction: Sendable {
    case scalar(Unicode.Scalar)
    case any
    case set(ScalarSet)
    case split(Int, Int)
    case jump(Int)
    case lineStart, lineEnd
    case wordBoundary(Bool)
    case match
}

/// The live states of one step: a sparse set, cleared in O(1), so a step costs only what
/// it touches.
private struct ThreadList {
    private var dense: [Int]
    private var sparse: [Int]
    private var count = 0
    /// States that consume a character, in the order they were reached.
    private(set) var items: [Int] = []

    init(capacity: Int) {
        dense = [Int](repeating: 0, count: capacity)
        sparse = [Int](repeating: 0, count: capacity)
    }

    var isEmpty: Bool { items.isEmpty }

    mutating func insert(_ pc: Int) -> Bool {
        let i = sparse[pc]
        if i < count, dense[i] == pc { return false }
        sparse[pc] = count
        dense[count] = pc
        count += 1
        return true
    }

    mutating func keep(_ pc: Int) { items.append(pc) }

    mutating func clear() {
        count = 0
        items.removeAll(keepingCapacity: true)
    }
}

/// A character class: ranges, named classes, negation.
struct ScalarSet: Sendable {
    enum Named: Sendable { case digit, word, space, alpha, alnum, upper, lower, punct, xdigit }
    var ranges: [ClosedRange<UInt32>] = []
    var named: [(Named, Bool)] = []
    var negated = false

    /// Roughly what one membership test costs, for the matcher's deadline.
    var cost: Int { (ranges.count + named.count) / 16 }

    func contains(_ scalar: Unicode.Scalar, ignoreCase: Bool) -> Bool {
        var hit = test(scalar)
        if !hit, ignoreCase {
            hit = scalar.properties.lowercaseMapping.unicodeScalars.contains(where: test)
                || scalar.properties.uppercaseMapping.unicodeScalars.contains(where: test)
        }
        return hit != negated
    }

    private func test(_ scalar: Unicode.Scalar) -> Bool {
        ranges.contains { $0.contains(scalar.value) } || named.contains { Self.matches($0.0, scalar) != $0.1 }
    }

    static func matches(_ named: Named, _ s: Unicode.Scalar) -> Bool {
        let p = s.properties
        switch named {
        case .digit: return ("0"..."9").contains(s)
        case .word: return LineRegex.isWord(s)
        case .space: return p.isWhitespace
        case .alpha: return p.isAlphabetic
        case .alnum: return p.isAlphabetic || p.numericType != nil
        case .upper: return p.isUppercase
        case .lower: return p.isLowercase
        case .punct: return s.isASCII && p.generalCategory.isPunctuationOrSymbol
        case .xdigit: return s.isASCII && s.properties.isASCIIHexDigit
        }
    }
}

extension Unicode.GeneralCategory {
    var isPunctuationOrSymbol: Bool {
        switch self {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default: return false
        }
    }
}
