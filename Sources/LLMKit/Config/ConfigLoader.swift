import Foundation

/// Finds and parses the configuration file.
///
/// `$LLMKIT_CONFIG`, else `$XDG_CONFIG_HOME/llmkit/config.yaml` (XDG's default home:
/// `~/.config`). No file is not an error: llmkit works with no configuration at all.
public enum ConfigLoader {
    public static func path(environment: Environment) -> (path: String, explicit: Bool)? {
        if let explicit = environment["LLMKIT_CONFIG"] { return (explicit, true) }
        if let xdg = environment["XDG_CONFIG_HOME"] { return (xdg + "/llmkit/config.yaml", false) }
        if let home = environment["HOME"] { return (home + "/.config/llmkit/config.yaml", false) }
        return nil
    }

    /// `sendsRequests: false` is for a run that never sends one (llm-cost, llm-tools exec):
    /// its endpoints are kept as written instead of read by libcurl, see `endpoint`.
    public static func load(environment: Environment, explicitPath: String? = nil, sendsRequests: Bool = true) throws(LLMError) -> Config {
        let located = explicitPath.map { ($0, true) } ?? path(environment: environment)
        guard let (path, explicit) = located else { return Config() }
        guard let data = FileManager.default.contents(atPath: path) else {
            if explicit || FileManager.default.fileExists(atPath: path) {
                throw LLMError(.configuration, "cannot read config file \(path)")
            }
            return Config()
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path, sendsRequests: sendsRequests)
    }

    public static func parse(_ text: String, path: String? = nil, sendsRequests: Bool = true) throws(LLMError) -> Config {
        let place = path ?? "config"
        // Through `YAMLValue` (Yams' node tree), not `Yams.load`, which traps on a mapping
        // key that is not a string: a config file must give an error, never a crash.
        let document = try YAMLValue.parse(text, source: place, kind: .configuration)
        let root = document.plainValue
        guard let root else { return Config(path: path) }
        guard let top = root as? [String: Any] else {
            throw LLMError(.configuration, "\(place): the top level must be a mapping")
        }
        if let object = document.objectValue, let unknown = FileKeys.unknown(in: object, known: FileKeys.config, at: place) {
            throw LLMError(.configuration, unknown)
        }
        var config = Config(path: path)
        config.defaultModel = try string(top["default_model"], "default_model", place)
        if let aliases = top["aliases"] {
            guard let map = aliases as? [String: Any] else {
                throw LLMError(.configuration, "\(place): aliases must map names to provider/model strings")
            }
            for (name, target) in map {
                guard let target = target as? String else {
                    throw LLMError(.configuration, "\(place): alias \(name) must be a provider/model string")
                }
                config.aliases[name] = target
            }
        }
        if let prices = document["prices"] {
            guard prices.objectValue != nil else {
                throw LLMError(.configuration, "\(place): prices must map model names to prices (US dollars per million tokens, or per_hour)")
            }
            config.prices = prices
        }
        config.routing = try RoutingConfig.parse(top, place: place)
        if let providers = top["providers"] {
            guard let map = providers as? [String: Any] else {
                throw LLMError(.configuration, "\(place): providers must map names to settings")
            }
            for (name, value) in map {
                config.providers[name] = try overrides(value, json: document["providers"]?[name]?.objectValue ?? JSONObject(), name: name, place: place,
                                                       sendsRequests: sendsRequests)
            }
        }
        return config
    }

    /// Settings every provider has; any other key belongs to the provider's format.
    static let commonKeys: Set<String> = [
        "type", "format", "api_base", "api_key_env", "api_key_cmd", "api_key", "api_key_timeout", "max_reply_mb", "timeout", "headers", "cooldown",
    ]

    private static func overrides(_ value: Any, json: JSONObject, name: String, place: String, sendsRequests: Bool) throws(LLMError) -> Config.ProviderOverrides {
        guard let map = value as? [String: Any] else {
            throw LLMError(.configuration, "\(place): providers.\(name) must be a mapping")
        }
        let at = "providers.\(name)"
        var o = Config.ProviderOverrides()
        if let format = try string(map["type"] ?? map["format"], "\(at).type", place) {
            guard ProviderRegistry.format(named: format) != nil else {
                throw LLMError(.configuration, "\(place): \(at).type must be one of: \(ProviderRegistry.formatNames.joined(separator: ", "))")
            }
            o.format = format
        }
        let formatName = o.format ?? ProviderPresets.preset(name, environment: Environment([:]))?.format ?? OpenAICompatibleFormat.name
        let format = ProviderRegistry.format(named: formatName) ?? OpenAICompatibleFormat.self
        for (key, value) in json.entries where !commonKeys.contains(key) {
            guard format.optionKeys.contains(key) else {
                let known = (commonKeys.subtracting(["format", "api_key"]).union(format.optionKeys)).sorted().joined(separator: ", ")
                throw LLMError(.configuration, "\(place): \(at).\(key) is not a setting of a \(formatName) provider; its settings are \(known)")
            }
            o.options[key] = value
        }
        if let problem = format.problem(in: o.options, provider: name) {
            throw LLMError(.configuration, "\(place): \(at): \(problem)")
        }
        if let list = map["api_base"] as? [Any] {
            // Replicas: servers that all serve the same models; requests spread over them.
            guard !list.isEmpty, list.allSatisfy({ $0 is String }) else {
                throw LLMError(.configuration, "\(place): \(at).api_base must be a URL or a list of URLs")
            }
            for (index, item) in list.enumerated() {
                do {
                    o.replicas.append(try endpoint(item as? String ?? "", sendsRequests: sendsRequests))
                } catch {
                    throw LLMError(.configuration, "\(place): \(at).api_base[\(index + 1)]: \(error)")
                }
            }
            o.apiBase = o.replicas[0]
            if o.replicas.count == 1 { o.replicas = [] }
        } else if let base = try string(map["api_base"], "\(at).api_base", place) {
            do {
                o.apiBase = try endpoint(base, sendsRequests: sendsRequests)
            } catch {
                throw LLMError(.configuration, "\(place): \(at).api_base: \(error)")
            }
        }
        if let value = map["cooldown"] {
            guard let seconds = (value as? Double) ?? (value as? Int).map(Double.init), seconds >= 0, seconds <= RequestOptions.maxSeconds else {
                throw LLMError(.configuration, "\(place): \(at).cooldown must be a number of seconds")
            }
            o.cooldown = seconds
        }
        o.apiKeyEnv = try string(map["api_key_env"], "\(at).api_key_env", place)
        o.apiKeyCommand = try string(map["api_key_cmd"], "\(at).api_key_cmd", place)
        if map["api_key"] != nil {
            throw LLMError(.configuration, "\(place): \(at).api_key would put a secret in a file; use api_key_env or api_key_cmd")
        }
        if let seconds = map["api_key_timeout"] {
            guard let value = (seconds as? Double) ?? (seconds as? Int).map(Double.init), value > 0, value <= RequestOptions.maxSeconds else {
                throw LLMError(.configuration, "\(place): \(at).api_key_timeout must be a positive number of seconds")
            }
            o.apiKeyTimeout = value
        }
        if let size = map["max_reply_mb"] {
            guard let mib = (size as? Int) ?? (size as? Double).map({ Int($0) }), mib >= 1, mib <= 4096 else {
                throw LLMError(.configuration, "\(place): \(at).max_reply_mb must be a whole number of MiB from 1 to 4096")
            }
            o.maxReplyBytes = mib << 20
        }
        if let timeout = map["timeout"] {
            guard let seconds = (timeout as? Double) ?? (timeout as? Int).map(Double.init), seconds > 0, seconds <= RequestOptions.maxSeconds else {
                throw LLMError(.configuration, "\(place): \(at).timeout must be a number of seconds")
            }
            o.timeout = seconds
        }
        if let headers = map["headers"] {
            guard let pairs = headers as? [String: Any] else {
                throw LLMError(.configuration, "\(place): \(at).headers must map header names to values")
            }
            o.headers = pairs.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") }
            for header in o.headers {
                if let problem = HeaderCheck.problem(name: header.name, value: header.value) {
                    throw LLMError(.configuration, "\(place): \(at).headers.\(header.name.debugDescription): \(problem)")
                }
                // `api-key`, `X-Auth-Token`, `Cookie`…: a credential, masked like a key.
                if HeaderCheck.carriesCredential(header.name) { Redactor.register(header.value) }
            }
        }
        return o
    }

    /// An endpoint as libcurl reads it. Opening libcurl to read it is most of the cost of a
    /// run that sends no request, so such a run keeps it as written, unless it has an `@`:
    /// a user or password needs one, and must still be registered as a secret.
    private static func endpoint(_ text: String, sendsRequests: Bool) throws(URLProblem) -> String {
        guard sendsRequests || text.contains("@") else { return text }
        return try ParsedURL(text).url
    }

    private static func string(_ value: Any?, _ key: String, _ place: String) throws(LLMError) -> String? {
        guard let value else { return nil }
        guard let s = value as? String else {
            throw LLMError(.configuration, "\(place): \(key) must be a string")
        }
        return s
    }
}

/// Configured headers go onto the wire as written: a CR or LF would start a header of its
/// own, and an `Authorization` header would replace the key llmkit resolved (and put a
/// credential in a file).
enum HeaderCheck {
    static func problem(name: String, value: String) -> String? {
        let tokenSymbols = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || tokenSymbols.contains($0)) }) else {
            return "not a valid header name"
        }
        if ["authorization", "proxy-authorization"].contains(name.lowercased()) {
            return "credentials are not set as headers; use api_key_env or api_key_cmd, which llmkit sends as this header"
        }
        if value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
            return "the value contains a line break or another control character"
        }
        return nil
    }

    static func carriesCredential(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["key", "token", "auth", "secret", "password", "cookie", "session", "signature", "cred"].contains { lower.contains($0) }
    }
}
