import Foundation

/// The process environment as a value, so configuration can be tested without `setenv`.
public struct Environment: Sendable, Equatable {
    public var values: [String: String]

    public init(_ values: [String: String]) { self.values = values }

    public static var current: Environment { Environment(ProcessInfo.processInfo.environment) }

    /// An empty variable counts as unset, as shells treat `FOO= cmd`.
    public subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }
}
