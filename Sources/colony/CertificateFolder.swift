import ColonyCore
import ColonyNode
import Foundation

/// A folder of a colony's certificates, as `colony certs` writes it: `ca.pem` and `ca.key`
/// (the CA), `node-ID.pem` and `node-ID.key` per node, `client-NAME.pem` and
/// `client-NAME.key` per client. Keys are written with mode 0600, certificates 0644, each
/// through a temporary file renamed into place.
struct CertificateFolder {
    /// The client certificate `colony dev up` makes for the commands and the control loop:
    /// the colony's admin once authorization is on.
    static let developmentClient = "dev"
    /// The client certificate `colony dev up` makes for an application, which may read and
    /// write the cells named `app-*` only (`colony ... --as app`).
    static let applicationClient = "app"

    /// The subject of the CA `colony dev up` and `colony certs init` make unless told otherwise.
    static let developmentSubject = "CN=Colony development CA, O=Colony"

    let directory: String

    var authorityCertificate: String { directory + "/ca.pem" }
    var authorityKey: String { directory + "/ca.key" }

    /// The certificate, key and CA files of `identity`.
    func files(for identity: CertificateIdentity) -> TLSFiles {
        let stem: String
        switch identity {
        case .node(let node): stem = "node-\(node.rawValue)"
        case .client(let name): stem = "client-\(name)"
        }
        return TLSFiles(ca: authorityCertificate, certificate: directory + "/\(stem).pem", key: directory + "/\(stem).key")
    }

    /// Makes a new CA whose certificate names `subject` (see `CertificateSubject`), valid for
    /// `days` days; refuses to replace one unless `force`.
    @discardableResult
    func makeAuthority(
        subject: String, days: Int = CertificateAuthority.authorityValidityDays, force: Bool
    ) throws -> CertificateAuthority {
        try refuseExisting([authorityCertificate, authorityKey], force: force)
        let authority = try CertificateAuthority.make(subject: try CertificateSubject.parse(subject), days: days)
        try createDirectory()
        try Self.writeFile(try authority.keyPEM, to: authorityKey, mode: 0o600)
        try Self.writeFile(try authority.certificatePEM, to: authorityCertificate, mode: 0o644)
        return authority
    }

    /// The CA kept in this folder, checked.
    func authority() throws -> CertificateAuthority {
        guard FileManager.default.fileExists(atPath: authorityCertificate) else {
            throw CertificateFolderError.noAuthority(directory: directory)
        }
        return try CertificateAuthority.load(certificatePath: authorityCertificate, keyPath: authorityKey)
    }

    /// Issues a key and certificate for `identity` from this folder's CA, valid for `days`
    /// days, writes them, and checks that they verify; refuses to replace existing files
    /// unless `force`.
    @discardableResult
    func issue(
        _ identity: CertificateIdentity, hosts: [String] = [], days: Int = CertificateAuthority.leafValidityDays, force: Bool
    ) throws -> TLSFiles {
        let files = self.files(for: identity)
        try refuseExisting([files.certificate, files.key], force: force)
        try save(try authority().issue(identity, hosts: hosts, days: days), to: files)
        _ = try TLSMaterial.load(files, expected: identity)
        return files
    }

    /// Makes whatever a development colony of `nodes` is missing: the CA, a certificate per
    /// node and one for each of the clients `developmentClient` and `applicationClient`. Files that still verify are kept;
    /// any that do not (expired, damaged, from an older CA) are made again, and so is the
    /// certificate of every node given `hosts`, made to name them beside loopback.
    func prepareDevelopment(nodes: [UInt32], hosts: [UInt32: [String]] = [:]) throws {
        let authority: CertificateAuthority
        if let kept = try? CertificateAuthority.load(certificatePath: authorityCertificate, keyPath: authorityKey) {
            authority = kept
        } else {
            authority = try makeAuthority(subject: Self.developmentSubject, force: true)
        }
        for node in nodes where hosts[node] != nil {
            try save(try authority.issue(.node(NodeID(node)), hosts: hosts[node] ?? []), to: files(for: .node(NodeID(node))))
        }
        let identities = nodes.map { CertificateIdentity.node(NodeID($0)) } + [.client(Self.developmentClient), .client(Self.applicationClient)]
        for identity in identities where (try? TLSMaterial.load(files(for: identity), expected: identity)) == nil {
            try save(try authority.issue(identity), to: files(for: identity))
        }
    }

    private func save(_ issued: IssuedCertificate, to files: TLSFiles) throws {
        try createDirectory()
        try Self.writeFile(issued.keyPEM, to: files.key, mode: 0o600)
        try Self.writeFile(issued.certificatePEM, to: files.certificate, mode: 0o644)
    }

    private func createDirectory() throws {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CertificateFolderError.cannotWrite(path: directory, reason: error.localizedDescription)
        }
    }

    private func refuseExisting(_ paths: [String], force: Bool) throws {
        guard !force else { return }
        if let existing = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw CertificateFolderError.exists(path: existing)
        }
    }

    /// Writes `text` and a final line break to a temporary file created with `mode`, then
    /// renames it to `path`, so a key is never readable by others, even for a moment.
    static func writeFile(_ text: String, to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            throw CertificateFolderError.cannotWrite(path: temporary, reason: String(cString: strerror(errno)))
        }
        // PEM files end with a line break, so that `cat old/ca.pem new/ca.pem` makes a bundle.
        let bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CertificateFolderError.cannotWrite(path: path, reason: reason)
        }
    }
}

/// Why `colony certs` could not do what it was asked.
enum CertificateFolderError: Error, CustomStringConvertible {
    /// The folder has no CA to issue from.
    case noAuthority(directory: String)
    /// A file would be replaced.
    case exists(path: String)
    /// A file could not be written.
    case cannotWrite(path: String, reason: String)

    var description: String {
        switch self {
        case .noAuthority(let directory):
            return "there is no CA in \(directory); make one with `colony certs init --dir \(directory)`"
        case .exists(let path):
            return "\(path) exists; pass --force to replace it"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
