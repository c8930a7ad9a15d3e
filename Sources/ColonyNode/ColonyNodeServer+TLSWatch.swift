import Foundation

/// Certificate rotation without a restart: the node polls its TLS files and, when they change
/// and pass every check, uses the new set for every new connection on all its ports. A set
/// that fails is refused loudly (an error line and `colony_tls_reloads_refused_total`) and
/// the node keeps the set it had. Client connections open under a certificate the new CAs do
/// not verify are closed (`IdentifiedConnections`); peer connections are left as they are.
extension ColonyNodeServer {
    /// Starts polling the TLS files every `options.tlsFilesPollInterval`; nothing without TLS.
    func startWatchingTLS(_ security: NodeSecurity) {
        guard case .tls(let tls) = security else { return }
        let interval = options.tlsFilesPollInterval
        let metrics = metrics
        let logger = logger
        let connections = authorizer.connections
        tlsWatching = Task {
            while (try? await Task.sleep(for: interval)) != nil {
                switch tls.refresh(now: Date()) {
                case .unchanged, .settling:
                    break
                case .reloaded(let material):
                    metrics.tlsReloaded()
                    logger.notice(
                        "took up the changed TLS files for new connections: \(material.identity)'s certificate, valid until \(material.notValidAfter); trusting the CAs \(material.authorities.map { "\($0.subject)" }.joined(separator: "; "))")
                    // No authorities: the files were taken unchecked (a test's defect), so none is judged by them.
                    let closed = material.authorities.isEmpty ? 0 : connections.close(untrustedBy: material.authorities, now: Date())
                    if closed > 0 { logger.notice("closed \(closed) client connections whose certificates the CAs now trusted do not verify") }
                case .refused(let error):
                    metrics.tlsReloadRefused()
                    logger.error("refusing the changed TLS files, keeping the ones in use: \(error)")
                }
            }
        }
    }
}
