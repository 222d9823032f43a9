/// `--list-providers`: every provider this config knows, where it is, where its key
/// comes from and whether that is set (never the key), and what it supports.
public enum ProviderListing {
    public static func records(config: Config, environment: Environment) -> [JSONObject] {
        config.knownProviders.compactMap { name in
            guard let settings = config.provider(name, environment: environment) else { return nil }
            var o: JSONObject = ["type": "provider", "name": .string(name), "format": .string(settings.format)]
            // As shown, never as written: a base from the environment may carry a password.
            o.set("api_base", settings.apiBase.map { base in .string((try? ParsedURL(base))?.shown ?? "(not a valid URL)") })
            if settings.apiKeyCommand != nil {
                o["key_from"] = "api_key_cmd"  // not run here: it may ask for a passphrase
            } else if !settings.apiKeyEnvs.isEmpty {
                o["key_from"] = .string(settings.apiKeyEnvs.joined(separator: " or "))
                o["key_set"] = .bool(settings.apiKeyEnvs.contains { environment[$0] != nil })
            }
            o["key_required"] = .bool(settings.keyRequired)
            if let commands = settings.options["commands"]?.objectValue {
                o["commands"] = .array(commands.entries.map { .string($0.0) })
            }
            let capabilities = ProviderRegistry.format(named: settings.format)?.capabilities
            o.set("supports", capabilities?.json)
            return o
        }
    }

    /// The same as a table, for people.
    public static func table(_ records: [JSONObject]) -> String {
        func yes(_ record: JSONObject, _ key: String) -> String { record["supports"]?[key] == true ? "yes" : "-" }
        var rows = [["PROVIDER", "FORMAT", "ENDPOINT", "KEY", "TOOLS", "STREAM", "SCHEMA", "REASONING"]]
        for r in records {
            var key = r["key_from"]?.stringValue ?? "-"
            if let set = r["key_set"]?.boolValue { key += set ? " (set)" : r["key_required"] == true ? " (not set)" : " (optional)" }
            let endpoint = r["api_base"]?.stringValue ?? r["commands"]?.arrayValue.map { "commands: " + $0.compactMap(\.stringValue).joined(separator: ", ") } ?? "-"
            rows.append([r["name"]?.stringValue ?? "", r["format"]?.stringValue ?? "", endpoint, key,
                         yes(r, "tools"), yes(r, "streaming"), yes(r, "structured_output"), yes(r, "reasoning")])
        }
        return TextTable.render(rows)
    }
}
