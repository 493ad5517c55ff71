import Logging
import PostgresNIO
import Synchronization

extension PostgresConnection {
    /// Runs schema statements written to be idempotent (`CREATE … IF NOT EXISTS`). Nodes starting together may race
    /// on the catalog, which PostgreSQL reports as a unique violation (23505) or a duplicate table (42P07): such a
    /// statement is run once more, and then finds its object.
    func createIdempotently(_ statements: [PostgresQuery], logger: Logger) async throws {
        for statement in statements {
            do {
                _ = try await guardedRows(statement, logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" || error.serverInfo?[.sqlState] == "42P07" {
                _ = try await guardedRows(statement, logger: logger)
            }
        }
    }

    /// Runs `query` and collects its rows, failing at once on a closed connection, when the connection closes
    /// while the query waits, and when the calling task is cancelled.
    ///
    /// Why not `query(_:logger:)` alone: a query written to a connection that has just closed (PostgreSQL
    /// stopped between two polls) can be left waiting forever by postgres-nio 1.33 (seen in the restart test
    /// under load), and its wait ignores task cancellation. A follower must notice the closed connection and
    /// reconnect, and must stop when told to. The abandoned query task, if any, is left behind (it holds nothing).
    func guardedRows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        guard !isClosed else { throw ConnectionClosed() }
        let outcome = ResumeOnce<[PostgresRow]>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.install(continuation)
                Task {
                    do {
                        outcome.resume(with: .success(try await self.query(query, logger: logger).collect()))
                    } catch {
                        outcome.resume(with: .failure(error))
                    }
                }
                self.closeFuture.whenComplete { _ in outcome.resume(with: .failure(ConnectionClosed())) }
            }
        } onCancel: {
            outcome.resume(with: .failure(CancellationError()))
        }
    }
}

/// The connection to PostgreSQL closed while a query was due or waiting.
struct ConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection to PostgreSQL closed" }
}

/// A continuation resumed by whichever outcome comes first (result, connection closed, cancellation); the
/// others are ignored. An outcome that arrives before the continuation is installed is kept and delivered then.
final class ResumeOnce<Value: Sendable>: Sendable {
    private enum State {
        case waiting
        case installed(CheckedContinuation<Value, any Error>)
        case early(Result<Value, any Error>)
        case done
    }

    private let state = Mutex<State>(.waiting)

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        let early = state.withLock { state -> Result<Value, any Error>? in
            switch state {
            case .waiting:
                state = .installed(continuation)
                return nil
            case .early(let result):
                state = .done
                return result
            case .installed, .done:
                return nil
            }
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(with result: Result<Value, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            switch state {
            case .waiting:
                state = .early(result)
                return nil
            case .installed(let continuation):
                state = .done
                return continuation
            case .early, .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}
