import Foundation
import Synchronization
@testable import LLMKit
import Testing

@Suite struct ReplicaPoolTests {
    final class Probe: Sendable {
        let healthy = Mutex(false)
        let calls = Mutex(0)
        func check(_ base: String) async -> Bool {
            calls.withLock { $0 += 1 }
            return healthy.withLock { $0 }
        }
    }

    @Test func requestsGoToTheLeastBusyReplica() async throws {
        let probe = Probe()
        let pool = ReplicaPool(name: "p", bases: ["a", "b", "c"], cooldown: 30, log: Log(tool: "t", verbose: false), probe: probe.check)
        let first = try #require(await pool.acquire())
        let second = try #require(await pool.acquire())
        let third = try #require(await pool.acquire())
        #expect(Set([first.base, second.base, third.base]) == ["a", "b", "c"])
        pool.release(second)
        #expect(await pool.acquire()?.base == second.base)
    }

    @Test func aFailedReplicaIsLeftOutThenProbedBackIn() async throws {
        let probe = Probe()
        let pool = ReplicaPool(name: "p", bases: ["a", "b"], cooldown: 0.2, log: Log(tool: "t", verbose: false), probe: probe.check)
        let a = try #require(await pool.acquire())
        #expect(a.base == "a")
        pool.failed(a, LLMError(.connectionFailed, "refused"))
        for _ in 0..<5 {
            let lease = try #require(await pool.acquire())
            #expect(lease.base == "b", "a is cooling down")
            pool.release(lease)
        }
        #expect(probe.calls.withLock { $0 } == 0, "no probe before the cool-down ends")
        try await Task.sleep(for: .milliseconds(250))
        // Its probe fails: it stays out, for a longer cool-down.
        let b = try #require(await pool.acquire())
        #expect(b.base == "b")
        pool.release(b)
        try await Task.sleep(for: .milliseconds(50))
        #expect(probe.calls.withLock { $0 } == 1)
        #expect(await pool.acquire()?.base == "b")
        probe.healthy.withLock { $0 = true }
        try await Task.sleep(for: .milliseconds(450))
        // The probe passes: a serves again.
        var seen: Set<String> = []
        for _ in 0..<4 {
            if let lease = await pool.acquire() { seen.insert(lease.base) }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(seen.contains("a"))
    }

    @Test func withEveryReplicaDownAReplicaThatPassesItsProbeTakesTheRequest() async throws {
        let probe = Probe()
        let pool = ReplicaPool(name: "p", bases: ["a"], cooldown: 0.05, log: Log(tool: "t", verbose: false), probe: probe.check)
        let a = try #require(await pool.acquire())
        pool.failed(a, LLMError(.connectionFailed, "refused"))
        #expect(await pool.acquire() == nil, "cooling down, nothing in service")
        try await Task.sleep(for: .milliseconds(80))
        probe.healthy.withLock { $0 = true }
        #expect(await pool.acquire()?.base == "a")
    }
}

@Suite struct RoutingConfigTests {
    @Test func routesFallbacksWindowsAndReplicasParse() throws {
        let config = try ConfigLoader.parse("""
        prefer: local
        providers:
          pool: {type: openai, api_base: ["http://127.0.0.1:8001/v1", "http://127.0.0.1:8002/v1"], cooldown: 5}
        fallbacks:
          openai/gpt-4o: [anthropic/claude-sonnet-4-5, pool/m]
        context_windows: {pool/m: 8192}
        routes:
          auto:
            - when: {images: true, min_input_tokens: 10}
              model: gemini/gemini-2.5-flash
            - when: {route: [cheap, quick]}
              model: pool/m
            - model: openai/gpt-4o
        """)
        #expect(config.routing.preferLocal)
        #expect(config.routing.fallbacks["openai/gpt-4o"] == ["anthropic/claude-sonnet-4-5", "pool/m"])
        #expect(config.routing.contextWindows["pool/m"] == 8192)
        let rules = try #require(config.routing.routes["auto"])
        #expect(rules.count == 3)
        #expect(rules[0].images == true && rules[0].minInputTokens == 10)
        #expect(rules[1].tags == ["cheap", "quick"])
        let settings = try #require(config.provider("pool", environment: Environment([:])))
        #expect(settings.replicas == ["http://127.0.0.1:8001/v1", "http://127.0.0.1:8002/v1"])
        #expect(settings.apiBase == "http://127.0.0.1:8001/v1")
        #expect(settings.cooldown == 5)
        #expect(settings.isLocal)
    }

    @Test(arguments: [
        ("prefer: cloud", "prefer must be local or any"),
        ("routes: {auto: []}", "routes.auto must be a list of rules"),
        ("routes: {auto: [{when: {tools: true}}]}", "must be a mapping with a model"),
        ("routes: {auto: [{model: a/b, when: {colour: red}}]}", "routes.auto[1].when.colour is not a condition"),
        ("routes: {auto: [{model: a/b, when: {max_input_tokens: many}}]}", "must be a whole number of tokens"),
        ("routes: {\"a/b\": [{model: a/b}]}", "a router's name has no /"),
        ("fallbacks: {a/b: 3}", "fallbacks.a/b must be a list"),
        ("context_windows: {a/b: -1}", "must be a positive number of tokens"),
        ("providers: {p: {api_base: []}}", "api_base must be a URL or a list of URLs"),
        ("providers: {p: {api_base: [\"http://127.0.0.1:1/v1\", \"ftp://x\"]}}", "api_base[2]"),
        ("providers: {p: {api_base: \"http://127.0.0.1:1/v1\", cooldown: -1}}", "cooldown must be a number of seconds"),
    ])
    func mistakesAreConfigErrors(text: String, message: String) {
        #expect {
            try ConfigLoader.parse(text)
        } throws: { error in
            guard let error = error as? LLMError else { return false }
            return error.kind == .configuration && error.message.contains(message)
        }
    }

    @Test func aRuleMatchesOnEveryCondition() throws {
        var rule = RoutingRule(model: "a/b")
        rule.tools = true
        rule.maxInputTokens = 50
        let short = RoutingRule.Facts(messages: [.user("hi")], tools: [ToolDefinition(name: "f")], tag: nil)
        let long = RoutingRule.Facts(messages: [.user(String(repeating: "x", count: 400))], tools: [ToolDefinition(name: "f")], tag: nil)
        let noTools = RoutingRule.Facts(messages: [.user("hi")], tools: [], tag: nil)
        #expect(rule.matches(short))
        #expect(!rule.matches(long))
        #expect(!rule.matches(noTools))
        let image = try ChatMessage(json: ["role": "user", "content": [["type": "image_url", "image_url": ["url": "data:,"]]]])
        #expect(RoutingRule.Facts(messages: [image], tools: [], tag: nil).hasImages)
    }
}

@Suite struct NetworkReachabilityTests {
    @Test func aDefaultRouteMeansANetwork() {
        let v4 = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\nEth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n"
        let v4None = "Iface\tDestination\tGateway \tFlags\nlo\t0000007F\t00000000\t0001\n"
        let v6Reject = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
        let v6Default = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n"
        #expect(NetworkReachability.hasDefaultRoute(ipv4Table: v4, ipv6Table: ""))
        #expect(!NetworkReachability.hasDefaultRoute(ipv4Table: v4None, ipv6Table: v6Reject))
        #expect(NetworkReachability.hasDefaultRoute(ipv4Table: v4None, ipv6Table: v6Default))
        #expect(NetworkReachability.hasDefaultRoute(ipv4Table: nil, ipv6Table: nil), "unknown is not offline")
    }
}

@Suite struct FallbackPolicyTests {
    @Test func requestFaultsDoNotFallBackModelFaultsDo() {
        for kind in [LLMError.Kind.badRequest, .invalidInput, .schemaMismatch, .configuration, .interrupted] {
            #expect(!FallbackPolicy.fallsBack(kind), "\(kind)")
        }
        for kind in [LLMError.Kind.rateLimited, .serverError, .overloaded, .connectionFailed, .timeout, .modelNotFound, .authentication, .quotaExceeded] {
            #expect(FallbackPolicy.fallsBack(kind), "\(kind)")
        }
    }
}

@Suite struct ReplicaRecoveryTests {
    /// Every replica out, every one healthy again: the first probed takes the request, and
    /// the others must not be left marked as being probed, out of service for good.
    @Test func everyReplicaComesBackAfterAnOutage() async throws {
        let pool = ReplicaPool(name: "p", bases: ["a", "b", "c"], cooldown: 0.05, log: Log(tool: "t", verbose: false)) { _ in true }
        var leases: [ReplicaPool.Lease] = []
        for _ in 0..<3 { leases.append(try #require(await pool.acquire())) }
        for lease in leases { pool.failed(lease, LLMError(.connectionFailed, "refused")) }
        try await Task.sleep(for: .milliseconds(80))
        var seen: Set<String> = []
        for _ in 0..<6 {
            if let lease = await pool.acquire() { seen.insert(lease.base) }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(seen == ["a", "b", "c"])
    }
}

@Suite struct BatchEndpointTests {
    @Test func aServersIdStaysOnePathSegment() {
        #expect(BatchEndpoint.pathSegment("batch_abc-1.2") == "batch_abc-1.2")
        #expect(BatchEndpoint.pathSegment("../files?x=1#y") == "..%2Ffiles%3Fx%3D1%23y")
        #expect(BatchEndpoint.pathSegment("..") == "%2E%2E")
        #expect(BatchEndpoint.pathSegment(".") == "%2E")
    }
}
