import Foundation
import IDGateStore
import PostgresNIO

extension RegistryFollower {
    /// One change-log row as read while catching up.
    struct Change {
        var sequence: UInt64
        var batch: String
        /// Seconds since its commit, by PostgreSQL's clock.
        var age: Double
    }

    /// Applies every batch after the local sequence, in order, until caught up or stopped by an alarm.
    func catchUp(_ connection: PostgresConnection) async throws {
        while true {
            guard let store = state.withLock({ $0.store }) else { return }
            let applied = store.sequence
            let limit = Int64(options.batchesPerQuery)
            let after = Int64(applied)
            // The head and the next batches in one statement, so they agree; LATERAL keeps the head row when no
            // batch follows.
            let rows = try await connection.guardedRows(
                """
                SELECT r.head_sequence, r.origin, c.sequence, c.batch,
                       EXTRACT(EPOCH FROM clock_timestamp() - c.committed_at)::float8
                FROM idgate_registry r
                LEFT JOIN LATERAL (
                    SELECT sequence, batch, committed_at FROM idgate_changes
                    WHERE sequence > \(after) ORDER BY sequence LIMIT \(limit)
                ) c ON true
                """, logger: logger)
            guard let first = rows.first else { throw FleetError.schemaMissing(database: source.database) }
            let (headValue, origin, _, _, _) = try first.decode((Int64, UUID, Int64?, String?, Double?).self)
            let head = UInt64(headValue)
            recordContact(head: head)
            if needsSnapshot(origin: origin) {
                logger.notice("the registry of record was replaced (or the local copy was); taking a new snapshot")
                try await takeSnapshot(connection)
                continue
            }
            var changes: [Change] = []
            for row in rows {
                let (_, _, sequence, batch, age) = try row.decode((Int64, UUID, Int64?, String?, Double?).self)
                guard let sequence, let batch else { continue }
                changes.append(Change(sequence: UInt64(sequence), batch: batch, age: age ?? 0))
            }
            setOldestUnapplied(changes.first)
            guard !changes.isEmpty else {
                if head < applied {
                    raise(.aheadOfRegistry(local: applied, head: head))
                } else if head > applied {
                    raise(.sequenceGap(expected: applied + 1, found: nil))
                } else {
                    clearAlarm()
                }
                return
            }
            for (index, change) in changes.enumerated() {
                guard try await apply(change, to: store) else { return }
                setOldestUnapplied(index + 1 < changes.count ? changes[index + 1] : nil)
            }
            if changes.count < options.batchesPerQuery { return }
        }
    }

    private func setOldestUnapplied(_ change: Change?) {
        state.withLock { $0.oldestUnapplied = change.map { ($0.age, .now) } }
    }

    /// Applies one batch in one LMDB transaction; false when the follower must stop here (alarm raised).
    private func apply(_ change: Change, to store: RegistryStore) async throws -> Bool {
        let expected = (state.withLock { $0.status.appliedSequence } ?? 0) + 1
        guard change.sequence == expected else {
            raise(.sequenceGap(expected: expected, found: change.sequence))
            return false
        }
        let batch: UpdateBatch
        do {
            batch = try UpdateBatch(ndjson: change.batch)
        } catch {
            refuse(change, reason: "\(error)")
            return false
        }
        guard batch.sequence == change.sequence else {
            refuse(change, reason: "its header says sequence \(batch.sequence)")
            return false
        }
        let started = ContinuousClock.now
        let outcome: UpdateOutcome
        do {
            outcome = try await runBlocking { try store.applyHoldingWriterLock(batch) }
        } catch let error as InputError {
            refuse(change, reason: "\(error)")
            return false
        } catch {
            raise(.storeFailure("\(error)"))
            return false
        }
        let elapsed = ContinuousClock.now - started
        let appliedSequence: UInt64
        switch outcome {
        case .applied(_, let sequence): appliedSequence = sequence
        case .alreadyApplied(let registrySequence): appliedSequence = registrySequence
        }
        state.withLock { state in
            state.status.appliedSequence = appliedSequence
            state.status.lastApplyDuration = elapsed
        }
        clearAlarm()
        logger.debug("applied change log batch", metadata: ["sequence": "\(appliedSequence)"])
        return true
    }

    /// Counts a refusal once per distinct batch: the same row refused again on the next poll is not counted, a
    /// row rewritten (still bad) is.
    private func refuse(_ change: Change, reason: String) {
        state.withLock { state in
            if state.lastRefused?.sequence != change.sequence || state.lastRefused?.batch != change.batch {
                state.lastRefused = (change.sequence, change.batch)
                state.status.refusedBatches += 1
            }
        }
        raise(.refusedBatch(sequence: change.sequence, reason: reason))
    }
}
