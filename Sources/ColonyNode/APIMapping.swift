import ColonyAPI
import enum ColonyClient.ColonyDirectory
import ColonyCore
import Foundation

/// Translation between the client API's protobuf messages and the core's values: requests
/// in (checked, with an `INVALID_ARGUMENT` error saying what is wrong), outcomes out.
enum APIMapping {
    /// A request header that does not name a valid cell and request id.
    static func request(
        _ header: Colony_V1_RequestHeader, _ operation: CellOperation, consistency: Colony_V1_Consistency = .linearizable
    ) -> Result<ColonyCore.ClientRequest, Colony_V1_Error> {
        let cell: CellID
        switch self.cell(header.cell) {
        case .success(let valid): cell = valid
        case .failure(let error): return .failure(error)
        }
        guard header.clientID != 0 else {
            return .failure(invalid("client_id must be a nonzero session id drawn at random by the client"))
        }
        guard header.sequence != 0 else {
            return .failure(invalid("sequence must count the client's requests to this cell from 1"))
        }
        return .success(ClientRequest(
            id: RequestID(client: ClientID(header.clientID), sequence: header.sequence), cell: cell,
            operation: operation, consistency: consistency == .stale ? .stale : .linearizable,
            expectedEpoch: header.expectedEpoch == 0 ? nil : header.expectedEpoch, opensSession: header.opensSession))
    }

    /// The cell request an operation under `header` becomes, or the error the client is
    /// answered with: a header that names no valid cell and request id, or a value no cell takes.
    static func checkedRequest(
        _ header: Colony_V1_RequestHeader, _ operation: CellOperation, consistency: Colony_V1_Consistency = .linearizable
    ) -> Result<ColonyCore.ClientRequest, Colony_V1_Error> {
        request(header, operation, consistency: consistency).flatMap { request in
            oversizedValue(operation, cell: request.cell).map { .failure($0) } ?? .success(request)
        }
    }

    /// A compare-and-set from its API form, or the error saying what the request left out.
    static func compareAndSet(_ request: Colony_V1_CompareAndSetRequest) -> Result<CellOperation, Colony_V1_Error> {
        let expected: Expectation
        switch request.expected {
        case .absent: expected = .absent
        case .value(let value): expected = .value(Array(value))
        case .version(let version): expected = .version(version)
        case nil: return .failure(invalid("say what the key must hold: set absent, value or version"))
        }
        return .success(.compareAndSet(Key(request.key), expected: expected, value: Array(request.newValue)))
    }

    /// A listing from its API form: a limit of 0 asks for the standard 1,000 keys.
    static func list(_ request: Colony_V1_ListRequest) -> CellOperation {
        .list(prefix: Key(request.prefix), limit: request.limit == 0 ? 1_000 : Int(request.limit))
    }

    /// The cell and first configuration a creation asks for, or the error saying what is
    /// wrong; the members must be among `nodes`, the colony's nodes as this node knows them.
    static func creation(
        _ request: Colony_V1_CreateCellRequest, config: NodeConfig, nodes: [UInt32]
    ) -> Result<(CellID, CellConfiguration), Colony_V1_Error> {
        let cell: CellID
        switch self.cell(request.cell) {
        case .success(let valid): cell = valid
        case .failure(let error): return .failure(error)
        }
        let unknown = request.nodes.filter { !nodes.contains($0) }
        guard unknown.isEmpty else {
            return .failure(invalid("nodes \(unknown) are not in this colony; its nodes are \(nodes)"))
        }
        let limits: CellLimits
        switch self.limits(request.hasLimits ? request.limits : nil, quotaMax: config.effectiveCellQuotaMax) {
        case .success(let valid): limits = valid
        case .failure(let error): return .failure(error)
        }
        do {
            return .success((cell, try CellConfiguration(epoch: 1, members: request.nodes.map(NodeID.init), startSlot: 1, limits: limits)))
        } catch {
            return .failure(invalid("cannot make a cell of nodes \(request.nodes): \(error)"))
        }
    }

    /// The `VALUE_TOO_LARGE` error for a put or compare-and-set whose value no cell takes
    /// (over `CellLimits.ceiling`), so it is refused before it reaches a replica; nil for
    /// any other operation (a cell's own quota is checked by its leader).
    static func oversizedValue(_ operation: CellOperation, cell: CellID) -> Colony_V1_Error? {
        let most = CellLimits.ceiling.valueBytesMax
        switch operation {
        case .put(let key, let value), .compareAndSet(let key, _, let value):
            guard value.count > most else { return nil }
            return error(
                .valueTooLarge,
                "cell \(cell.name): the value of key \(key) is \(value.count) bytes, and no cell takes values over \(most) bytes (a cell's own quota may be lower); store a smaller value")
        case .get, .list, .delete, .increment, .transaction, .changeMembership, .deleteCell, .restore:
            return nil
        }
    }

    /// The cell a request names, or the error saying why the name is not one.
    static func cell(_ name: String) -> Result<CellID, Colony_V1_Error> {
        do {
            return .success(try CellID(validating: name))
        } catch {
            return .failure(invalid("the cell name \"\(name)\" is not valid: \(error)"))
        }
    }

    /// A new cell's limits: the standard ones with the quotas the request names (0: the
    /// standard figure), each within the colony's maxima.
    static func limits(_ requested: Colony_V1_CellLimits?, quotaMax: CellQuota) -> Result<CellLimits, Colony_V1_Error> {
        var limits = CellLimits.standard
        limits.keysMax = min(limits.keysMax, quotaMax.keysMax)
        limits.cellBytesMax = min(limits.cellBytesMax, quotaMax.bytesMax)
        limits.valueBytesMax = min(limits.valueBytesMax, quotaMax.valueBytesMax)
        guard let requested else { return .success(limits) }
        let asked = [
            ("keys_max", requested.keysMax, quotaMax.keysMax, "keys"),
            ("bytes_max", requested.bytesMax, quotaMax.bytesMax, "bytes"),
            ("value_bytes_max", requested.valueBytesMax, quotaMax.valueBytesMax, "bytes per value"),
        ]
        for (name, value, most, unit) in asked where value > UInt64(most) {
            return .failure(invalid("\(name) \(value) exceeds this colony's maximum of \(most) \(unit) per cell; ask for at most that"))
        }
        if requested.keysMax > 0 { limits.keysMax = Int(requested.keysMax) }
        if requested.bytesMax > 0 { limits.cellBytesMax = Int(requested.bytesMax) }
        // A value quota left out follows a smaller cell: no value can outgrow its cell.
        limits.valueBytesMax = requested.valueBytesMax > 0
            ? Int(requested.valueBytesMax) : min(limits.valueBytesMax, limits.cellBytesMax)
        guard limits.valueBytesMax <= limits.cellBytesMax else {
            return .failure(invalid(
                "value_bytes_max \(limits.valueBytesMax) exceeds the cell's bytes_max \(limits.cellBytesMax); no such value could be stored"))
        }
        return .success(limits)
    }

    /// An `INVALID_ARGUMENT` error with `message`.
    static func invalid(_ message: String) -> Colony_V1_Error {
        error(.invalidArgument, message)
    }

    /// An error of `code` with `message`.
    static func error(_ code: Colony_V1_ErrorCode, _ message: String) -> Colony_V1_Error {
        var error = Colony_V1_Error()
        error.code = code
        error.message = message
        return error
    }

    /// What a cell's answer means for the client: the operation's result, or the error to
    /// return. `address` finds where clients reach a node; `directoryRead` says whether this
    /// node has read the colony's directory, so that it does not call the directory not found
    /// when it hosts no replica of it: a node with no policy yet takes a colony in which every
    /// node says so for a colony without authorization (`DirectoryCensus`).
    static func result(
        of outcome: ClientOutcome, cell: CellID, address: (NodeID) -> String?, directoryRead: @autoclosure () -> Bool
    ) -> Result<OperationResult, Colony_V1_Error> {
        switch outcome {
        case .completed(.success(let result)):
            return .success(result)
        case .completed(.failure(let failure)), .rejected(let failure):
            return .failure(error(for: failure, cell: cell))
        case .redirect(let leader, let configuration):
            guard leader != nil || configuration != nil else {
                if cell.name == ColonyDirectory.cell, directoryRead() {
                    var unavailable = error(
                        .unavailable,
                        "this node hosts no replica of the directory (\(cell.name)), which this colony has: ask one of its members (list it among the nodes you dial)")
                    unavailable.retryAfterMs = 100
                    return .failure(unavailable)
                }
                return .failure(error(.cellNotFound, "this node hosts no replica of cell \(cell.name); ask one of its members"))
            }
            var redirect = error(.notLeader, "this node does not lead cell \(cell.name)" + (leader.map { "; \($0) does" } ?? "; its leader is not known yet, retry shortly"))
            if let leader {
                redirect.leaderHint = leader.rawValue
                redirect.leaderAddress = address(leader) ?? ""
            }
            if let configuration {
                redirect.configuration = Colony_V1_CellConfiguration(configuration, address: address)
            }
            redirect.retryAfterMs = leader == nil ? 50 : 0
            return .failure(redirect)
        case .staleEpoch(let configuration):
            var stale = error(.staleEpoch, "cell \(cell.name) is now at epoch \(configuration.epoch); refresh its members")
            stale.configuration = Colony_V1_CellConfiguration(configuration, address: address)
            return .failure(stale)
        case .unavailable(let reason):
            var unavailable = error(.unavailable, "cell \(cell.name): \(reason)")
            unavailable.retryAfterMs = 50
            return .failure(unavailable)
        case .sessionExpired:
            return .failure(error(
                .sessionExpired,
                "cell \(cell.name) no longer remembers this client's session, so it cannot tell whether the request applied; start a new session"))
        }
    }

    /// The API error for an operation `cell` refused; the message names the cell.
    static func error(for failure: OperationError, cell: CellID) -> Colony_V1_Error {
        let message = "cell \(cell.name): \(failure)"
        switch failure {
        case .emptyKey, .keyTooLong, .badListLimit, .transactionTooLarge, .invalidMembershipChange, .operationTooLarge:
            return error(.invalidArgument, message)
        case .restoreRefused(.cellWritten):
            return error(.conditionFailed, message)
        case .restoreRefused:
            return error(.invalidArgument, message)
        case .valueTooLarge:
            return error(.valueTooLarge, message)
        case .tooManyKeys, .cellTooLarge:
            return error(.quotaExceeded, message)
        case .conditionFailed(let current):
            var failed = error(.conditionFailed, message)
            if let current { failed.current = Colony_V1_KeyValue(current) }
            return failed
        case .notAnInteger:
            return error(.notAnInteger, message)
        case .integerOverflow:
            return error(.integerOverflow, message)
        case .transactionStepFailed:
            return error(.transactionStepFailed, message)
        case .cellDeleted:
            return deleted(cell)
        }
    }

    /// The `CELL_NOT_FOUND` error for a deleted cell.
    static func deleted(_ cell: CellID, revision: Revision? = nil) -> Colony_V1_Error {
        let when = revision.map { " at revision \($0)" } ?? ""
        var deleted = error(
            .cellNotFound, "cell \(cell.name) was deleted\(when): it holds no data and takes no requests, and its name is not reused")
        deleted.cellDeleted = true
        return deleted
    }

    /// The error for a result of another kind than the operation returns: a bug, said plainly.
    static func unexpected(_ result: OperationResult) -> Colony_V1_Error {
        error(.unavailable, "internal error: the cell answered with \(result), which does not fit the request")
    }

    /// A transaction from its API form.
    /// The part of a restore a request carries.
    static func restore(_ request: Colony_V1_RestoreRequest) -> RestoredKeys {
        RestoredKeys(
            revision: request.revision, items: request.items.map { KeyValue(key: Key($0.key), value: Array($0.value), version: $0.version) },
            isFirst: request.first)
    }

    static func transaction(_ request: Colony_V1_TransactionRequest) -> Result<Transaction, Colony_V1_Error> {
        var conditions: [Condition] = []
        for (index, condition) in request.conditions.enumerated() {
            let key = Key(condition.key)
            switch condition.test {
            case .exists(let exists): conditions.append(.exists(key, exists))
            case .versionEquals(let version): conditions.append(.versionEquals(key, version))
            case .valueEquals(let value): conditions.append(.valueEquals(key, Array(value)))
            case nil: return .failure(invalid("condition \(index) has no test; set exists, version_equals or value_equals"))
            }
        }
        func steps(_ list: [Colony_V1_Step], _ name: String) -> Result<[TransactionStep], Colony_V1_Error> {
            var steps: [TransactionStep] = []
            for (index, step) in list.enumerated() {
                switch step.step {
                case .get(let key): steps.append(.get(Key(key)))
                case .put(let put): steps.append(.put(Key(put.key), Array(put.value)))
                case .delete(let key): steps.append(.delete(Key(key)))
                case .increment(let increment): steps.append(.increment(Key(increment.key), by: increment.delta))
                case nil: return .failure(invalid("\(name) step \(index) is empty; set get, put, delete or increment"))
                }
            }
            return .success(steps)
        }
        return steps(request.success, "success").flatMap { success in
            steps(request.failure, "failure").map { failure in
                Transaction(conditions: conditions, success: success, failure: failure)
            }
        }
    }
}

extension Colony_V1_CellLimits {
    init(_ limits: CellLimits) {
        self.init()
        keysMax = UInt64(limits.keysMax)
        bytesMax = UInt64(limits.cellBytesMax)
        valueBytesMax = UInt64(limits.valueBytesMax)
    }
}

extension Colony_V1_WatchEvent {
    init(_ change: CellChange) {
        self.init()
        revision = change.revision
        changes = change.keys.map { keyChange in
            var made = Colony_V1_KeyChange()
            made.key = keyChange.key.string
            if let value = keyChange.value {
                made.value = Data(value)
            } else {
                made.deleted = true
            }
            return made
        }
    }
}

extension Colony_V1_KeyValue {
    init(_ item: KeyValue) {
        self.init()
        key = item.key.string
        value = Data(item.value)
        version = item.version
    }
}

extension Colony_V1_CellConfiguration {
    init(_ configuration: CellConfiguration, address: (NodeID) -> String?) {
        self.init()
        epoch = configuration.epoch
        members = configuration.members.map { node in
            var member = Colony_V1_Member()
            member.node = node.rawValue
            member.address = address(node) ?? ""
            return member
        }
    }
}

extension Colony_V1_StepResult {
    init(_ result: StepResult) {
        self.init()
        switch result {
        case .value(let item):
            var get = Colony_V1_GetResult()
            get.found = item != nil
            if let item { get.item = Colony_V1_KeyValue(item) }
            self.result = .value(get)
        case .written(let version):
            self.result = .writtenVersion(version)
        case .deleted(let existed):
            self.result = .deletedExisted(existed)
        case .incremented(let value, let version):
            var incremented = Colony_V1_IncrementResult()
            incremented.value = value
            incremented.version = version
            self.result = .incremented(incremented)
        }
    }
}
