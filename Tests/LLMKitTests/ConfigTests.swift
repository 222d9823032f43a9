@testable import LLMKit
import Testing

@Suite struct ConfigTests {
    let yaml = """
        default_model: fast
        aliases:
          fast: groq/llama-3.1-8b-instant
          local: llamacpp/smollm2
          loop1: loop2
          loop2: loop1
        providers:
          llamacpp:
            api_base: http://10.0.0.5:8080/v1
            timeout: 30
          corp:
            type: openai
            api_base: https://llm.corp.example/v1
            api_key_env: CORP_KEY
            headers: {X-Team: infra}
            max_tokens_field: max_completion_tokens
        """

    @Test func parsesProvidersAliasesAndDefault() throws {
        let config = try ConfigLoader.parse(yaml)
        #expect(config.defaultModel == "fast")
        let env = Environment([:])
        let llamacpp = try #require(config.provider("llamacpp", environment: env))
        #expect(llamacpp.apiBase == "http://10.0.0.5:8080/v1")
        #expect(llamacpp.timeout == 30)
        #expect(llamacpp.keyRequired == false, "preset fields not overridden are kept")
        let corp = try #require(config.provider("corp", environment: env))
        #expect(corp.keyRequired && corp.apiKeyEnv == "CORP_KEY")
        #expect(corp.headers.map(\.name) == ["X-Team"])
        #expect(corp.options["max_tokens_field"] == "max_completion_tokens")
        #expect(config.provider("nope", environment: env) == nil)
    }

    @Test func modelResolution() throws {
        let config = try ConfigLoader.parse(yaml)
        #expect(try ModelReference.resolve("fast", config: config) == ModelReference(provider: "groq", name: "llama-3.1-8b-instant"))
        #expect(try ModelReference.resolve("openrouter/meta-llama/llama-3-8b", config: config)
            == ModelReference(provider: "openrouter", name: "meta-llama/llama-3-8b"))
        #expect(throws: LLMError.self) { try ModelReference.resolve("loop1", config: config) }
        #expect { try ModelReference.resolve("gpt-4o", config: config) } throws: {
            ($0 as! LLMError).message.contains("provider/model")
        }
        #expect(throws: LLMError.self) { try ModelReference.resolve("ollama/", config: config) }
    }

    @Test func rejectsKeysInTheFileAndBadShapes() {
        #expect { try ConfigLoader.parse("providers:\n  openai:\n    api_key: sk-x\n") } throws: {
            ($0 as! LLMError).kind == .configuration && ($0 as! LLMError).message.contains("api_key_env")
        }
        #expect(throws: LLMError.self) { try ConfigLoader.parse("providers: [1, 2]") }
        #expect(throws: LLMError.self) { try ConfigLoader.parse("providers:\n  x:\n    timeout: soon\n") }
        #expect(throws: LLMError.self) { try ConfigLoader.parse("aliases: {a: [1]}") }
        #expect(throws: LLMError.self) { try ConfigLoader.parse("key: [unclosed") }
    }

    @Test func configPathFollowsXDG() {
        #expect(ConfigLoader.path(environment: Environment(["LLMKIT_CONFIG": "/a.yaml", "XDG_CONFIG_HOME": "/x"]))?.path == "/a.yaml")
        #expect(ConfigLoader.path(environment: Environment(["XDG_CONFIG_HOME": "/x", "HOME": "/h"]))?.path == "/x/llmkit/config.yaml")
        #expect(ConfigLoader.path(environment: Environment(["HOME": "/h"]))?.path == "/h/.config/llmkit/config.yaml")
    }

    @Test func missingExplicitConfigIsAnError() {
        #expect { try ConfigLoader.load(environment: Environment(["LLMKIT_CONFIG": "/nonexistent/llmkit.yaml"])) } throws: {
            ($0 as! LLMError).exitStatus == .configuration
        }
        #expect(throws: Never.self) { try ConfigLoader.load(environment: Environment(["HOME": "/nonexistent"])) }
    }

    /// flag > environment > in-stream options > config > built-in default.
    @Test func precedence() throws {
        func completer(flag: String?, env: String?, config: String?) throws -> Completer {
            var flags = RequestOptions()
            flags.model = flag
            let environment = Environment(env.map { ["LLMKIT_MODEL": $0] } ?? [:])
            let cfg = Config(defaultModel: config)
            return Completer(config: cfg, factory: ProviderFactory(config: cfg, environment: environment), flags: flags,
                             environmentOptions: try RequestOptions(environment: environment), retry: RetryPolicy(), log: Log(tool: "t", verbose: false))
        }
        var stream = RequestOptions()
        stream.model = "s/stream"
        #expect(try completer(flag: "f/flag", env: "e/env", config: "c/config").options(inStream: stream).model == "f/flag")
        #expect(try completer(flag: nil, env: "e/env", config: "c/config").options(inStream: stream).model == "e/env")
        #expect(try completer(flag: nil, env: nil, config: "c/config").options(inStream: stream).model == "s/stream")
        #expect(try completer(flag: nil, env: nil, config: "c/config").options(inStream: RequestOptions()).model == "c/config")
        #expect(try completer(flag: nil, env: nil, config: nil).options(inStream: RequestOptions()).model == ModelReference.builtinDefault)
    }

    @Test func optionsRecordFields() throws {
        let options = try RequestOptions(json: try JSONParser.parse(#"{"model":"a/b","temperature":1,"max_completion_tokens":9,"stop":"X","seed":3,"top_p":0.5,"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object"}}}}"#).objectValue!)
        #expect(options.model == "a/b" && options.temperature == 1 && options.maxTokens == 9 && options.stop == ["X"] && options.seed == 3)
        #expect(options.schema == ["type": "object"])
        #expect(options.extra == ["top_p": 0.5])
        #expect(throws: LLMError.self) { try RequestOptions(json: ["temperature": "hot"]) }
        #expect(throws: LLMError.self) { try RequestOptions(environment: Environment(["LLMKIT_TIMEOUT": "soon"])) }
    }

    @Test(arguments: [
        (nil, "http://127.0.0.1:11434"), ("0.0.0.0", "http://0.0.0.0:11434"), ("gpu-box:9999", "http://gpu-box:9999"),
        ("https://ollama.example", "https://ollama.example:443"), ("http://10.1.1.1:11434/", "http://10.1.1.1:11434"),
        (":8000", "http://127.0.0.1:8000"),
    ] as [(String?, String)])
    func ollamaHost(value: String?, base: String) {
        #expect(ProviderPresets.ollamaBase(value) == base)
    }
}
