/// Checks a value against the JSON Schema keywords models and tool definitions use.
///
/// Not a full draft 2020-12 implementation: `$ref`, `pattern` and formats are not checked
/// (a value is never rejected for them). What is checked is what structured output and
/// tool arguments rely on: types, required and extra properties, enums, array items,
/// bounds, and the `anyOf`/`oneOf`/`allOf` combinators.
public enum JSONSchemaValidator {
    /// The first violation as "path: problem", or `nil` when the value conforms.
    public static func firstViolation(of value: JSONValue, against schema: JSONValue) -> String? {
        violation(value, schema, path: "$")
    }

    private static func violation(_ value: JSONValue, _ schema: JSONValue, path: String) -> String? {
        if case .bool(let allowed) = schema { return allowed ? nil : "\(path): no value is allowed here" }
        guard let s = schema.objectValue else { return nil }
        if let type = s["type"], !matchesType(value, type) {
            return "\(path): expected \(typeName(type)), got \(kind(of: value))"
        }
        if let options = s["enum"]?.arrayValue, !options.contains(where: { equal($0, value) }) {
            return "\(path): must be one of \(JSONValue.array(options).serialized)"
        }
        if let constant = s["const"], !equal(constant, value) {
            return "\(path): must be \(constant.serialized)"
        }
        if let all = s["allOf"]?.arrayValue {
            for sub in all { if let v = violation(value, sub, path: path) { return v } }
        }
        if let any = s["anyOf"]?.arrayValue, !any.contains(where: { violation(value, $0, path: path) == nil }) {
            return "\(path): matches none of the anyOf schemas"
        }
        if let one = s["oneOf"]?.arrayValue, one.filter({ violation(value, $0, path: path) == nil }).count != 1 {
            return "\(path): must match exactly one of the oneOf schemas"
        }
        switch value {
        case .object(let object): return objectViolation(object, s, path: path)
        case .array(let items): return arrayViolation(items, s, path: path)
        case .string(let text):
            let length = text.unicodeScalars.count
            if let min = s["minLength"]?.intValue, length < min { return "\(path): shorter than \(min) characters" }
            if let max = s["maxLength"]?.intValue, length > max { return "\(path): longer than \(max) characters" }
        case .number:
            let n = value.doubleValue ?? 0
            if let min = s["minimum"]?.doubleValue, n < min { return "\(path): less than \(min)" }
            if let max = s["maximum"]?.doubleValue, n > max { return "\(path): greater than \(max)" }
            if let min = s["exclusiveMinimum"]?.doubleValue, n <= min { return "\(path): not greater than \(min)" }
            if let max = s["exclusiveMaximum"]?.doubleValue, n >= max { return "\(path): not less than \(max)" }
        default: break
        }
        return nil
    }

    private static func objectViolation(_ object: JSONObject, _ s: JSONObject, path: String) -> String? {
        let properties = s["properties"]?.objectValue ?? JSONObject()
        for name in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
            return "\(path): missing required property \"\(name)\""
        }
        for (key, value) in object.entries {
            if let sub = properties[key] {
                if let v = violation(value, sub, path: "\(path).\(key)") { return v }
            } else if let extra = s["additionalProperties"] {
                if case .bool(false) = extra { return "\(path): unexpected property \"\(key)\"" }
                if let v = violation(value, extra, path: "\(path).\(key)") { return v }
            }
        }
        return nil
    }

    private static func arrayViolation(_ items: [JSONValue], _ s: JSONObject, path: String) -> String? {
        if let min = s["minItems"]?.intValue, items.count < min { return "\(path): fewer than \(min) items" }
        if let max = s["maxItems"]?.intValue, items.count > max { return "\(path): more than \(max) items" }
        if let itemSchema = s["items"] {
            for (i, item) in items.enumerated() {
                if let v = violation(item, itemSchema, path: "\(path)[\(i)]") { return v }
            }
        }
        return nil
    }

    private static func matchesType(_ value: JSONValue, _ type: JSONValue) -> Bool {
        if let names = type.arrayValue { return names.contains { matchesType(value, $0) } }
        switch (type.stringValue, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): return true
        case ("number", .number): return true
        case ("integer", .number): return value.intValue != nil
        default: return false
        }
    }

    /// Numbers compare by value: `1` and `1.0` are the same JSON number.
    private static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if case .number = a, case .number = b { return a.doubleValue == b.doubleValue }
        return a == b
    }

    private static func typeName(_ type: JSONValue) -> String {
        type.arrayValue.map { $0.compactMap(\.stringValue).joined(separator: " or ") } ?? type.stringValue ?? "?"
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: value.intValue != nil ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
