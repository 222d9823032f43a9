import LLMKit
import Synchronization

/// The agents being served; SIGHUP loads the file again, and a file that does not load is
/// reported and the agents kept as they were.
final class AgentCatalog: Sendable {
    let path: String
    private let file: Mutex<AgentsFile>

    init(path: String) throws(LLMError) {
        self.path = path
        let loaded = try AgentsFile.load(path)
        file = Mutex(loaded)
        Self.warn(loaded)
    }

    private static func warn(_ file: AgentsFile) {
        for warning in file.warnings { StandardError.write("llm-serve: warning: \(warning)\n") }
    }

    var current: AgentsFile { file.withLock { $0 } }

    /// Reloads, and says what happened on stderr.
    func reload() {
        do throws(LLMError) {
            let fresh = try AgentsFile.load(path)
            file.withLock { $0 = fresh }
            Self.warn(fresh)
            StandardError.write("llm-serve: reloaded \(path): \(fresh.agents.map(\.name).joined(separator: ", "))\n")
        } catch {
            StandardError.write("llm-serve: \(error.message); still serving the agents loaded before\n")
        }
    }
}
