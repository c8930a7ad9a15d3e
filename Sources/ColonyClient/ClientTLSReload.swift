import GRPCNIOTransportHTTP2

/// A client's TLS while it runs: the security made of its files, read again at most every
/// `pollInterval` when a connection is asked for, and replaced when they changed and pass
/// `ClientTLS`'s checks (a changed set that fails is ignored: the client keeps its set).
///
/// Each replacement is a new generation; a connection opened under an older one is retired
/// (`ColonyClient.connection`): later calls open a new connection with the new files, while
/// calls and sessions already under way finish on the old one.
struct ClientTLSReload {
    /// How often the files are read again, at most.
    static let pollInterval = Duration.seconds(2)

    let tls: ClientTLS
    /// The security in use.
    private(set) var security: HTTP2ClientTransport.Posix.TransportSecurity
    /// Counts the sets taken up; 0 for the first.
    private(set) var generation = 0
    private var contents: ClientTLSContents?
    private var lastRead: ContinuousClock.Instant

    /// Reads and checks `tls`' files now.
    init(_ tls: ClientTLS, now: ContinuousClock.Instant) throws(ColonyError) {
        self.tls = tls
        contents = try tls.contents()
        security = try ClientTLS.transportSecurity(contents)
        lastRead = now
    }

    /// Reads the files again if `pollInterval` has passed since the last read, and takes up
    /// a changed set that passes.
    mutating func refresh(now: ContinuousClock.Instant) {
        guard contents != nil, now - lastRead >= Self.pollInterval else { return }
        lastRead = now
        guard let read = try? tls.contents(), read != contents,
              let replaced = try? ClientTLS.transportSecurity(read)
        else { return }
        contents = read
        security = replaced
        generation += 1
    }
}
