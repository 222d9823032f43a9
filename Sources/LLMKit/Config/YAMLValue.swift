import Foundation
import Yams

/// YAML (and so JSON, its subset) read into a `JSONValue`, keeping mapping order so a
/// tool schema written in a file reaches the model as written.
public enum YAMLValue {
    /// `kind`: what a syntax error is: `.configuration` for a file a person set up (a tools
    /// or agents file), `.invalidInput` for one read as data.
    public static func parse(_ text: String, source: String, kind: LLMError.Kind = .invalidInput) throws(LLMError) -> JSONValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw LLMError(kind, "\(source) is not valid YAML or JSON: \(error)")
        }
        guard let node else { return .null }
        return convert(node)
    }

    private static func convert(_ node: Node) -> JSONValue {
        switch node {
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping { object[key.string ?? "\(key)"] = convert(value) }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(convert))
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let b = node.bool { return .bool(b) }
            if let i = node.int { return .int(i) }
            if let d = node.float, d.isFinite { return .double(d) }
            return .string(scalar.string)
        case .alias:
            return .null
        }
    }
}

extension JSONValue {
    /// As Foundation-style values (`[String: Any]`, `[Any]`, `String`, `Int`, `Double`,
    /// `Bool`), for code that reads a document by casting; `null` is `nil`.
    var plainValue: Any? {
        switch self {
        case .null: return nil
        case .bool(let b): return b
        case .number: return intValue ?? doubleValue
        case .string(let s): return s
        case .array(let items): return items.map { $0.plainValue ?? NSNull() }
        case .object(let object):
            var map: [String: Any] = [:]
            for (key, value) in object.entries { map[key] = value.plainValue ?? NSNull() }
            return map
        }
    }
}
