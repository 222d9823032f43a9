import Foundation

/// A JSON Schema for `--schema`: plain, or wrapped as OpenAI's `{"name","schema"}`.
public enum SchemaFile {
    public static func load(_ path: String) throws(LLMError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LLMError(.usage, "cannot read schema file \(path)")
        }
        let value = try YAMLValue.parse(String(decoding: data, as: UTF8.self), source: path)
        guard value.objectValue != nil else {
            throw LLMError(.usage, "schema file \(path) must hold a JSON Schema object")
        }
        if let inner = value["schema"], value["type"] == nil, value["properties"] == nil { return inner }
        return value
    }
}
