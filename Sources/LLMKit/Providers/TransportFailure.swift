extension TransportError {
    /// The failure in words a person can act on, with the provider's own hint where the
    /// server is simply not running.
    public func llmError(provider: ProviderSettings, timeout: Double?) -> LLMError {
        switch kind {
        case .connectionRefused:
            let hint = provider.startHint.map { " — is it running? \($0)" } ?? ""
            return LLMError(.connectionFailed, "cannot connect to \(provider.name) at \(host): connection refused\(hint)",
                            provider: provider.name, retryable: !provider.isLocal)
        case .hostNotFound:
            return LLMError(.connectionFailed, "cannot resolve host \(host) for \(provider.name): \(detail)",
                            provider: provider.name, retryable: false)
        case .timedOut:
            let limit = timeout.map { " within \(Self.seconds($0)) (raise it with --timeout)" } ?? ""
            return LLMError(.timeout, "\(provider.name) at \(host) did not answer\(limit)", provider: provider.name, retryable: !receivedData)
        case .stalled:
            return LLMError(.timeout, "\(provider.name) at \(host) stalled: \(detail)", provider: provider.name, retryable: !receivedData)
        case .tls:
            return LLMError(.connectionFailed, "TLS with \(host) failed: \(detail)", provider: provider.name, retryable: false)
        case .connectionLost:
            return LLMError(.connectionFailed, "connection to \(provider.name) at \(host) was lost: \(detail)",
                            provider: provider.name, retryable: !receivedData)
        case .cancelled:
            return LLMError(.interrupted, "the request to \(provider.name) at \(host) was cancelled", provider: provider.name, retryable: false)
        case .replyTooLarge:
            return LLMError(.invalidReply, "\(provider.name) at \(host) sent a reply larger than the limit: \(detail) (raise providers.\(provider.name).max_reply_mb in the config)",
                            provider: provider.name, retryable: false)
        case .other:
            return LLMError(.connectionFailed, "request to \(provider.name) at \(host) failed: \(detail)", provider: provider.name, retryable: false)
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
