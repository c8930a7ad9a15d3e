import Foundation

/// Certificate rotation without a restart: the node polls its TLS files and, when they change
/// and pass every check, uses the new set for every new connection on all its ports. A set
/// that fails is refused loudly (an error line and `colony_tls_reloads_refused_total`) and
/// the node keeps the set it had; connections already open are left as they are.
extension ColonyNodeServer {
    /// Starts polling the TLS files every `options.tlsFilesPollInterval`; nothing without TLS.
    func startWatchingTLS(_ security: NodeSecurity) {
        guard case .tls(let tls) = security else { return }
        let interval = options.tlsFilesPollInterval
        let metrics = metrics
        let logger = logger
        tlsWatching = Task {
            while (try? await Task.sleep(for: interval)) != nil {
                switch tls.refresh(now: Date()) {
                case .unchanged, .settling:
                    break
                case .reloaded(let material):
                    metrics.tlsReloaded()
                    logger.notice(
                        "took up the changed TLS files for new connections: \(material.identity)'s certificate, valid until \(material.notValidAfter); trusting the CAs \(material.authorities.map { "\($0.subject)" }.joined(separator: "; "))")
                case .refused(let error):
                    metrics.tlsReloadRefused()
                    logger.error("refusing the changed TLS files, keeping the ones in use: \(error)")
                }
            }
        }
    }
}
