/// The syntax tree of a `LineRegex` pattern.
indirect enum RegexNode {
    case empty
    case scalar(Unicode.Scalar)
    case any
    case set(ScalarSet)
    case lineStart, lineEnd
    case wordBoundary(Bool)
    case concat([RegexNode])
    case alternation([RegexNode])
    case repeated(RegexNode, min: Int, max: Int?)
}

/// Recursive descent over the pattern's scalars.
struct RegexParser {
    private let scalars: [Unicode.Scalar]
    private var i = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private var peek: Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

    private func starts(with text: String) -> Bool {
        let want = Array(text.unicodeScalars)
        return i + want.count <= scalars.count && Array(scalars[i..<i + want.count]) == want
    }

    mutating func parseWhole() throws(RegexProblem) -> (RegexNode, ignoreCase: Bool) {
        var ignoreCase = false
        if starts(with: "(?i)") {
            ignoreCase = true
            i += 4
        }
        let node = try alternation()
        if i < scalars.count { throw .invalid("unmatched ) at position \(i + 1)") }
        return (node, ignoreCase)
    }

    private mutating func alternation() throws(RegexProblem) -> RegexNode {
        var branches = [try sequence()]
        while peek == "|" {
            i += 1
            branches.append(try sequence())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func sequence() throws(RegexProblem) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek, c != "|", c != ")" {
            var atom = try self.atom()
            atom = try quantified(atom)
            items.append(atom)
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concat(items)
    }

    private mutating func quantified(_ atom: RegexNode) throws(RegexProblem) -> RegexNode {
        guard let c = peek else { return atom }
        var min = 0, max: Int? = nil
        switch c {
        case "*": i += 1
        case "+": i += 1; min = 1
        case "?": i += 1; max = 1
        case "{":
            guard let (low, high) = try counts() else { return atom }
            min = low
            max = high
        default: return atom
        }
        if peek == "?" { i += 1 }  // lazy: the same lines match
        else if peek == "+" { throw .invalid("possessive quantifiers (*+, ++, ?+) are not supported") }
        if case .lineStart = atom { throw .invalid("nothing to repeat before \(c)") }
        if let c = peek, "*+?".unicodeScalars.contains(c) { throw .invalid("a quantifier cannot follow another at position \(i + 1)") }
        return .repeated(atom, min: min, max: max)
    }

    /// `{n}`, `{n,}`, `{n,m}`; anything else is a literal `{`.
    private mutating func counts() throws(RegexProblem) -> (Int, Int?)? {
        var j = i + 1
        func number() -> Int? {
            var digits = ""
            while j < scalars.count, ("0"..."9").contains(scalars[j]), digits.count < 6 { digits.unicodeScalars.append(scalars[j]); j += 1 }
            return Int(digits)
        }
        guard let low = number() else { return nil }
        var high: Int? = low
        if j < scalars.count, scalars[j] == "," {
            j += 1
            high = number()
        }
        guard j < scalars.count, scalars[j] == "}" else { return nil }
        i = j + 1
        guard low <= LineRegex.maxRepeat, (high ?? 0) <= LineRegex.maxRepeat else { throw .invalid("repeat counts above \(LineRegex.maxRepeat) are not supported") }
        if let high, high < low { throw .invalid("{\(low),\(high)}: the range is backwards") }
        return (low, high)
    }

    private mutating func atom() throws(RegexProblem) -> RegexNode {
        let c = scalars[i]
        i += 1
        switch c {
        case ".": return .any
        case "^": return .lineStart
        case "$": return .lineEnd
        case "*", "+", "?": throw .invalid("nothing to repeat before \(c) at position \(i)")
        case "[": return .set(try bracket())
        case "(":
            if starts(with: "?:") { i += 2 }
            else if starts(with: "?<=") { throw .invalid("look-behind (?<=…) needs backtracking and is not supported") }
            else if starts(with: "?<!") { throw .invalid("look-behind (?<!…) needs backtracking and is not supported") }
            else if starts(with: "?=") || starts(with: "?!") { throw .invalid("look-ahead needs backtracking and is not supported") }
            else if starts(with: "?P<") || starts(with: "?<") {
                while let s = peek, s != ">" { i += 1 }
                guard peek == ">" else { throw .invalid("unterminated group name") }
                i += 1
            } else if peek == "?" { throw .invalid("unsupported group (? at position \(i))") }
            let inner = try alternation()
            guard peek == ")" else { throw .invalid("missing ) for the group opened at position \(i)") }
            i += 1
            return inner
        case "\\": return try escape(inClass: false)
        default: return .scalar(c)
        }
    }

    /// After a backslash.
    private mutating func escape(inClass: Bool) throws(RegexProblem) -> RegexNode {
        guard let c = peek else { throw .invalid("the pattern ends with a lone backslash") }
        i += 1
        func named(_ n: ScalarSet.Named, _ negated: Bool) -> RegexNode {
            var set = ScalarSet()
            set.named = [(n, negated)]
            return .set(set)
        }
        switch c {
        case "d": return named(.digit, false)
        case "D": return named(.digit, true)
        case "w": return named(.word, false)
        case "W": return named(.word, true)
        case "s": return named(.space, false)
        case "S": return named(.space, true)
        case "b" where !inClass: return .wordBoundary(true)
        case "B" where !inClass: return .wordBoundary(false)
        case "A" where !inClass: return .lineStart
        case "z", "Z": if !inClass { return .lineEnd }
        case "t": return .scalar("\t")
        case "n": return .scalar("\n")
        case "r": return .scalar("\r")
        case "f": return .scalar("\u{0C}")
        case "v": return .scalar("\u{0B}")
        case "e": return .scalar("\u{1B}")
        case "0": return .scalar("\0")
        case "x", "u":
            var digits = ""
            let braced = peek == "{"
            if braced { i += 1 }
            while let h = peek, h.properties.isASCIIHexDigit, digits.count < (braced ? 6 : c == "x" ? 2 : 4) { digits.unicodeScalars.append(h); i += 1 }
            if braced { guard peek == "}" else { throw .invalid("unterminated \\\(c){…}") }; i += 1 }
            guard let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else { throw .invalid("bad \\\(c) escape") }
            return .scalar(scalar)
        case "1"..."9": throw .invalid("back-references (\\\(c)) need backtracking and are not supported")
        default: break
        }
        if c.properties.isAlphabetic, c.isASCII { throw .invalid("unknown escape \\\(c)") }
        return .scalar(c)
    }

    private mutating func bracket() throws(RegexProblem) -> ScalarSet {
        var set = ScalarSet()
        if peek == "^" { set.negated = true; i += 1 }
        var first = true
        while true {
            guard let c = peek else { throw .invalid("missing ] for a character class") }
            if c == "]" && !first { i += 1; return set }
            first = false
            if starts(with: "[:"), let end = (i..<scalars.count).first(where: { scalars[$0] == ":" && $0 + 1 < scalars.count && scalars[$0 + 1] == "]" && $0 > i + 1 }) {
                let name = String(String.UnicodeScalarView(scalars[(i + 2)..<end]))
                let table: [String: ScalarSet.Named] = ["digit": .digit, "alpha": .alpha, "alnum": .alnum, "space": .space, "upper": .upper,
                                                        "lower": .lower, "punct": .punct, "xdigit": .xdigit, "word": .word]
                guard let named = table[name] else { throw .invalid("unknown class [:\(name):]") }
                set.named.append((named, false))
                i = end + 2
                continue
            }
            let low = try classMember(into: &set)
            guard let low else { continue }
            if peek == "-", i + 1 < scalars.count, scalars[i + 1] != "]" {
                i += 1
                guard let high = try classMember(into: &set) else { throw .invalid("a range cannot end in a class like \\d") }
                guard low.value <= high.value else { throw .invalid("the range \(low)-\(high) is backwards") }
                set.ranges.append(low.value...high.value)
            } else {
                set.ranges.append(low.value...low.value)
            }
        }
    }

    /// One member: a scalar, or (returning nil) a named class added to `set`.
    private mutating func classMember(into set: inout ScalarSet) throws(RegexProblem) -> Unicode.Scalar? {
        let c = scalars[i]
        i += 1
        guard c == "\\" else { return c }
        switch try escape(inClass: true) {
        case .scalar(let s): return s
        case .set(let inner): set.named.append(contentsOf: inner.named); return nil
        default: throw .invalid("this escape cannot stand in a character class")
        }
    }
}

/// Turns the tree into VM instructions; counted repeats are expanded, within a size limit.
struct RegexCompiler {
    let ignoreCase: Bool
    var program: [Instruction] = []

    static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        scalar.properties.lowercaseMapping.unicodeScalars.first ?? scalar
    }

    /// Nodes visited: an empty group repeated adds no instruction, so program size alone
    /// does not bound the work of expanding `((){1000}){1000}…`.
    var visited = 0

    mutating func emit(_ node: RegexNode) throws(RegexProblem) {
        visited += 1
        guard program.count < LineRegex.maxProgramSize, visited < LineRegex.maxProgramSize * 10 else {
            throw .invalid("the pattern is too large once its repeats are expanded")
        }
        switch node {
        case .empty: break
        case .scalar(let s): program.append(.scalar(ignoreCase ? Self.fold(s) : s))
        case .any: program.append(.any)
        case .set(let set): program.append(.set(set))
        case .lineStart: program.append(.lineStart)
        case .lineEnd: program.append(.lineEnd)
        case .wordBoundary(let b): program.append(.wordBoundary(b))
        case .concat(let items): for item in items { try emit(item) }
        case .alternation(let branches):
            var jumps: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index < branches.count - 1 {
                    let split = program.count
                    program.append(.split(split + 1, 0))
                    try emit(branch)
                    jumps.append(program.count)
                    program.append(.jump(0))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(branch)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case .repeated(let inner, let min, let max):
            for _ in 0..<min { try emit(inner) }
            if let max {
                // Each optional copy may be skipped to the end.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(program.count)
                    program.append(.split(program.count + 1, 0))
                    try emit(inner)
                }
                for split in splits { program[split] = .split(split + 1, program.count) }
            } else {
                let loop = program.count
                program.append(.split(loop + 1, 0))
                try emit(inner)
                program.append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}
