import ColonyAPI
import ColonyCore

/// The client API's requests mapped as this node's handlers map them, up to the cell request
/// each becomes: the entry point for fuzzing the mapping with decoded messages of any content.
@_spi(Testing) public enum ClientRequestMapping {
    /// The cell request one operation of a session becomes (the single calls map the same
    /// messages the same way), or the error the client is answered with.
    public static func map(_ operation: Colony_V1_SessionOperation) -> Result<ColonyCore.ClientRequest, Colony_V1_Error> {
        switch operation.operation {
        case .get(let request):
            return APIMapping.checkedRequest(request.header, .get(Key(request.key)), consistency: request.consistency)
        case .put(let request):
            return APIMapping.checkedRequest(request.header, .put(Key(request.key), Array(request.value)))
        case .delete(let request):
            return APIMapping.checkedRequest(request.header, .delete(Key(request.key)))
        case .compareAndSet(let request):
            return APIMapping.compareAndSet(request).flatMap { APIMapping.checkedRequest(request.header, $0) }
        case .increment(let request):
            return APIMapping.checkedRequest(request.header, .increment(Key(request.key), by: request.delta))
        case .list(let request):
            return APIMapping.checkedRequest(request.header, APIMapping.list(request), consistency: request.consistency)
        case .transaction(let request):
            return APIMapping.transaction(request).flatMap { APIMapping.checkedRequest(request.header, .transaction($0)) }
        case .deleteCell(let request):
            return APIMapping.checkedRequest(request.header, .deleteCell)
        case .restore(let request):
            return APIMapping.checkedRequest(request.header, .restore(APIMapping.restore(request)))
        case nil:
            return .failure(APIMapping.invalid("the session operation names no operation"))
        }
    }

    /// The cell and first configuration a creation request asks of a node configured with
    /// `config`, or the error the client is answered with.
    public static func map(
        _ request: Colony_V1_CreateCellRequest, config: NodeConfig
    ) -> Result<(CellID, CellConfiguration), Colony_V1_Error> {
        APIMapping.creation(request, config: config, nodes: config.nodes.map(\.node))
    }
}
