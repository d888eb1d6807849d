using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Workers.Integration.Tests.Support;

/// <summary>
/// A self-signed certificate for TLS tests, written as a password-protected .pfx with its password in a file, and its
/// public part as a .pem beside them.
/// </summary>
public static class TestCertificate
{
    public static (string PfxPath, string PasswordFile) Create(string folder, string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        // Both ends present it: Akka.Remote's TLS is mutual by default.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "server authentication"), new Oid("1.3.6.1.5.5.7.3.2", "client authentication")], critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var pfx = Path.Combine(folder, $"{name}.pfx");
        var passwordFile = Path.Combine(folder, $"{name}.password");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, password));
        File.WriteAllText(passwordFile, password + "\n");
        // Its public part alone, for a process that is to trust it (SSL_CERT_FILE on Linux).
        File.WriteAllText(Path.ChangeExtension(pfx, ".pem"), certificate.ExportCertificatePem() + "\n");
        return (pfx, passwordFile);
    }
}
