@testable import LLMKit
import Testing

/// What a hostile server or input could do to the new providers (found by an adversarial
/// pass): each of these crashed llmkit, grew memory without bound, or ran for minutes.
@Suite struct HostileReplyTests {
    /// Plain `+` traps on overflow: one usage number ended the whole process (SIGILL).
    @Test func hugeUsageCountsDoNotCrash() {
        let anthropic = AnthropicResponseParser.usage(from: ["input_tokens": .number("9223372036854775807"),
                                                             "cache_read_input_tokens": .number("9223372036854775807"), "output_tokens": 1])
        #expect(anthropic?.outputTokens == 1)
        let gemini = GeminiStreamAssembler.usage(from: ["promptTokenCount": .number("9223372036854775807"), "toolUsePromptTokenCount": 5,
                                                        "candidatesTokenCount": .number("9223372036854775807"), "thoughtsTokenCount": 9])
        #expect(gemini != nil)
    }

    /// A definition whose properties refer back to itself doubled at every level: a
    /// 300-byte tools record took gigabytes.
    @Test func selfReferringSchemasStaySmall() {
        let node: JSONValue = ["type": "object", "properties": ["a": ["$ref": "#/$defs/n"], "b": ["$ref": "#/$defs/n"], "c": ["$ref": "#/$defs/n"]]]
        let schema: JSONValue = ["type": "object", "properties": ["root": ["$ref": "#/$defs/n"]], "$defs": ["n": node]]
        let cut = GeminiSchema.subset(schema)
        #expect(cut.serialized.utf8.count < 100_000)
    }

    /// A signature that never stops growing ends the stream, instead of being rebuilt
    /// (quadratically) for minutes.
    @Test func anEndlessSignatureEndsTheStream() throws {
        var assembler = AnthropicStreamAssembler(provider: "anthropic")
        _ = try assembler.consume(SSEEvent(type: "content_block_start", data: #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#))
        let piece = String(repeating: "s", count: 64 << 10)
        let delta = #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"\#(piece)"}}"#
        var failure: LLMError?
        for _ in 0..<2000 {
            do { _ = try assembler.consume(SSEEvent(type: "content_block_delta", data: delta)) } catch { failure = error; break }
        }
        #expect(failure?.kind == .invalidReply)
    }

    /// Streamed replies had no bound at all: `max_reply_mb` held only for whole ones.
    @Test func aStreamedReplyStopsAtTheReplyLimit() {
        var state = StreamState(framing: .ndjson, assembler: OllamaChatAssembler(provider: "o", turn: 0), replyLimit: 1 << 20)
        let collector = StreamCollector { _ in true }
        let line = Array((#"{"message":{"role":"assistant","content":""# + String(repeating: "x", count: 10_000) + "\"},\"done\":false}\n").utf8)
        var going = true
        for _ in 0..<200 where going {
            going = line.withUnsafeBytes { state.feed($0, collector) }
        }
        #expect(!going)
        #expect(state.error?.kind == .invalidReply)
    }

    /// Hundreds of thousands of tool calls in one reply are not a reply.
    @Test func tooManyToolCallsEndTheStream() {
        var state = StreamState(framing: .ndjson, assembler: OllamaChatAssembler(provider: "o", turn: 0), replyLimit: 32 << 20)
        let collector = StreamCollector { _ in true }
        let line = Array(#"{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{}}}]},"done":false}"#.utf8) + [0x0A]
        var going = true
        for _ in 0..<5000 where going {
            going = line.withUnsafeBytes { state.feed($0, collector) }
        }
        #expect(state.error?.kind == .invalidReply)
    }

    @Test func callsWithoutANameAreNotCalls() {
        var assembler = OllamaChatAssembler(provider: "o", turn: 0)
        #expect(throws: LLMError.self) {
            _ = try assembler.message(from: ["message": ["role": "assistant", "tool_calls": [["function": ["arguments": [:]]]]], "done": true])
        }
        var gemini = GeminiStreamAssembler(provider: "g", turn: 0)
        #expect(throws: LLMError.self) {
            _ = try gemini.message(from: ["candidates": [["content": ["parts": [["functionCall": ["name": "", "args": [:]]]]]]]])
        }
    }

    @Test func infiniteRatesAreLeftOut() throws {
        var assembler = OllamaChatAssembler(provider: "o", turn: 0)
        let message = try assembler.message(from: ["message": ["role": "assistant", "content": "x"], "done": true, "eval_count": 5, "eval_duration": .number("1e-320")])
        #expect(message.timings?.tokensPerSecond == nil)
    }

    @Test func aRunnersLastBytesAreKept() {
        var pieces = UTF8Pieces()
        let text = pieces.decode(Array("ab".utf8)[...] + [0xC3])
        #expect(text + pieces.finish() == "ab\u{FFFD}")
    }
}

@Suite struct ProviderConfigTests {
    func loads(_ yaml: String) -> LLMError? {
        do { _ = try ConfigLoader.parse(yaml) } catch { return error }
        return nil
    }

    @Test func anthropicVersionCannotCarryAHeader() {
        #expect(loads("providers:\n  anthropic:\n    anthropic_version: \"2023-06-01\\r\\nInjected: 1\"\n")?.kind == .configuration)
    }

    @Test func runnersAreAbsoluteOrOnPath() {
        #expect(loads("providers:\n  cmd:\n    commands:\n      x: [./run.sh]\n")?.message.contains("absolute path") == true)
        #expect(loads("providers:\n  cmd:\n    commands:\n      x: [llama-cli, -m, m.gguf]\n") == nil)
    }

    @Test func aTypedProviderWithoutAnEndpointSaysSo() throws {
        let config = try ConfigLoader.parse("providers:\n  mine:\n    type: gemini\n    api_key_env: MINE_KEY\n")
        let factory = ProviderFactory(config: config, environment: Environment(["MINE_KEY": "k-0123456789"]))
        #expect(throws: LLMError.self) { _ = try factory.provider(for: ModelReference(provider: "mine", name: "m")) }
        do { _ = try factory.provider(for: ModelReference(provider: "mine", name: "m")) } catch {
            #expect(error.message.contains("api_base"))
        }
    }
}
