import Foundation
@testable import LLMKit
import Testing

@Suite struct CostRuleTests {
    let sonnet = ModelPrice(base: .init(input: 3e-6, output: 15e-6, cacheRead: 0.3e-6, cacheWrite: 3.75e-6))

    @Test func eachPartAtItsOwnPrice() {
        let cost = Cost.of(Usage(inputTokens: 100_000, outputTokens: 1000, cacheReadTokens: 80_000, cacheWriteTokens: 10_000), at: sonnet)
        #expect(abs(cost.input - 10_000 * 3e-6) < 1e-12)
        #expect(abs(cost.cacheRead - 80_000 * 0.3e-6) < 1e-12)
        #expect(abs(cost.cacheWrite - 10_000 * 3.75e-6) < 1e-12)
        #expect(abs(cost.output - 1000 * 15e-6) < 1e-12)
    }

    @Test func reasoningAtTheOutputPriceUnlessPricedApart() {
        let usage = Usage(inputTokens: 0, outputTokens: 100, reasoningTokens: 60)
        #expect(abs(Cost.of(usage, at: sonnet).output - 100 * 15e-6) < 1e-12)
        var apart = sonnet
        apart.base.reasoning = 1e-6
        #expect(abs(Cost.of(usage, at: apart).output - (40 * 15e-6 + 60 * 1e-6)) < 1e-12)
    }

    @Test func aLongPromptPricesTheWholeRequestAtItsTier() {
        let gemini = ModelPrice(base: .init(input: 1.25e-6, output: 10e-6, cacheRead: 0.125e-6),
                                tiers: [(200_000, .init(input: 2.5e-6, output: 15e-6, cacheRead: 0.25e-6))])
        let short = Cost.of(Usage(inputTokens: 200_000, outputTokens: 10), at: gemini)
        #expect(abs(short.total - (200_000 * 1.25e-6 + 10 * 10e-6)) < 1e-12, "at the threshold: not above it")
        let long = Cost.of(Usage(inputTokens: 200_001, outputTokens: 10, cacheReadTokens: 1), at: gemini)
        #expect(abs(long.total - (200_000 * 2.5e-6 + 1 * 0.25e-6 + 10 * 15e-6)) < 1e-12)
    }

    /// Anthropic says how many written tokens went to the 1-hour cache; those cost more.
    @Test func oneHourCacheWritesAtTheirOwnRate() throws {
        let reply: JSONValue = ["input_tokens": 100, "cache_creation_input_tokens": 10_000, "cache_read_input_tokens": 0, "output_tokens": 10,
                                "cache_creation": ["ephemeral_5m_input_tokens": 4000, "ephemeral_1h_input_tokens": 6000]]
        let usage = try #require(AnthropicResponseParser.usage(from: reply))
        #expect(usage.cacheWriteTokens == 10_000 && usage.cacheWriteOneHourTokens == 6000)
        #expect(usage.json["cache_write_1h_tokens"] == 6000)
        var price = sonnet
        price.base.cacheWriteOneHour = 6e-6
        #expect(abs(Cost.of(usage, at: price).cacheWrite - (4000 * 3.75e-6 + 6000 * 6e-6)) < 1e-12)
        #expect(abs(Cost.of(usage, at: sonnet).cacheWrite - 10_000 * 3.75e-6) < 1e-12, "no 1-hour rate: the 5-minute one")
    }

    @Test func missingPartsCostNothingAndNeverGoNegative() {
        #expect(Cost.of(Usage(outputTokens: 10), at: sonnet).input == 0)
        #expect(Cost.of(Usage(inputTokens: 5, cacheReadTokens: 50), at: sonnet).input == 0)
    }
}

@Suite struct PriceTableTests {
    /// The shared copy of LiteLLM's whole price file where this checkout has it beside it
    /// (`../shared/reference/`), else a sample of it kept with the tests.
    static let litellmPath: String = {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let candidates = [ProcessInfo.processInfo.environment["LLMKIT_TEST_LITELLM_PRICES"],
                          here.appendingPathComponent("../../../shared/reference/litellm-model-prices-1.106.2.json").standardized.path,
                          "/work/shared/reference/litellm-model-prices-1.106.2.json"].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
            ?? here.appendingPathComponent("../Fixtures/litellm-prices-sample.json").standardized.path
    }()

    static let litellm: JSONValue? = FileManager.default.contents(atPath: litellmPath).flatMap { try? JSONParser.parse(Array($0)) }

    @Test func everyChatModelWithTokenPricesLoads() throws {
        let json = try #require(Self.litellm, "the shared LiteLLM price file")
        let expected = (json.objectValue?.entries ?? []).filter { _, v in
            v["mode"] == "chat" && v["input_cost_per_token"]?.doubleValue != nil && v["output_cost_per_token"]?.doubleValue != nil
        }.count
        var table = PriceTable()
        let taken = table.add(litellm: json, source: "test")
        #expect(taken >= expected && expected >= 4, "\(taken) of \(expected) from \(Self.litellmPath)")
    }

    @Test func knownModelsPriceExactly() throws {
        let table = PriceTable.builtin
        guard case .priced(let sonnet) = table.price(for: "anthropic/claude-sonnet-4-5-20250929") else { Issue.record("sonnet unpriced"); return }
        #expect(sonnet.base == .init(input: 3e-6, output: 1.5e-5, cacheRead: 3e-7, cacheWrite: 3.75e-6, cacheWriteOneHour: 6e-6))
        guard case .priced(let gpt) = table.price(for: "openai/gpt-4o") else { Issue.record("gpt-4o unpriced"); return }
        #expect(gpt.base.input == 2.5e-6 && gpt.base.output == 1e-5 && gpt.base.cacheRead == 1.25e-6)
        guard case .priced(let gemini) = table.price(for: "gemini/gemini-2.5-pro") else { Issue.record("gemini unpriced"); return }
        #expect(gemini.tiers.first?.threshold == 200_000 && gemini.tiers.first?.rates.input == 2.5e-6)
        #expect(table.price(for: "anthropic/claude-sonnet-4-5") != .unknown, "undated names too")
        #expect(table.price(for: "deepseek/deepseek-chat") != .unknown)
        #expect(table.price(for: "ollama/llama3.2") == .free)
        #expect(table.price(for: "acme/unknown-model") == .unknown)
    }
}
