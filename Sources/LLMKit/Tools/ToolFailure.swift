/// A tool call that failed in a way the model should hear about and may correct.
public struct ToolFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
