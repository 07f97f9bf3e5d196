using System.Net;
using System.Net.Sockets;

namespace Trellis.Webhooks;

/// <summary>
/// Which endpoint URLs and addresses Trellis will call: https only unless <c>Webhooks:AllowHttp</c>, and no loopback,
/// private, link-local or otherwise non-public address unless <c>Webhooks:AllowPrivateNetworks</c>. Checked when an
/// endpoint is added and again at every connection (after DNS resolution), so a name that later resolves inside the
/// network (DNS rebinding) is refused too.
/// </summary>
public static class UrlPolicy
{
    /// <summary>Null when the URL is acceptable, else why not.</summary>
    public static async Task<string?> CheckAsync(string? url, WebhookOptions options, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(url)) return "url is required";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)) return $"url '{url}' is not an absolute URL";
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && options.AllowHttp))
            return options.AllowHttp ? "url must be http or https" : "url must be https (set Webhooks:AllowHttp to allow http)";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "url must not carry a user name or password";
        if (options.AllowPrivateNetworks) return null;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.DnsSafeHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.DnsSafeHost, ct);
        }
        catch (SocketException)
        {
            return $"the host '{uri.Host}' does not resolve";
        }
        if (addresses.Length == 0) return $"the host '{uri.Host}' does not resolve";
        var inside = addresses.FirstOrDefault(IsPrivate);
        return inside is null ? null
            : $"the host '{uri.Host}' is a loopback or private address ({inside}); set Webhooks:AllowPrivateNetworks to allow it";
    }

    /// <summary>
    /// Loopback, private (RFC 1918, unique-local), link-local, carrier-grade NAT, unspecified, multicast and reserved addresses,
    /// IPv6 addresses that carry one of those (IPv4-compatible, IPv4-translated, NAT64, 6to4), Teredo and local-use NAT64.
    /// </summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 => true,
                100 => b[1] is >= 64 and <= 127,          // 100.64.0.0/10
                169 => b[1] == 254,                        // link-local
                172 => b[1] is >= 16 and <= 31,
                192 => (b[1] == 168) || (b[1] == 0 && b[2] is 0 or 2), // 192.168/16, 192.0.0/24, 192.0.2/24
                198 => b[1] is 18 or 19 || (b[1] == 51 && b[2] == 100),
                203 => b[1] == 0 && b[2] == 113,
                >= 224 => true,                            // multicast and reserved
                _ => false,
            };
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
                return true;
            var b = address.GetAddressBytes();
            // Teredo (2001::/32) tunnels to an IPv4 address it hides, and 64:ff9b:1::/48 is NAT64 for local use: neither is called.
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) return true;
            if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1) return true;
            // An IPv6 address that carries an IPv4 one reaches that IPv4 address: it is as private as the address it carries.
            if (EmbeddedIPv4(b) is { } v4) return IsPrivate(v4);
            return b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8; // documentation prefix
        }
        return true;
    }

    /// <summary>
    /// The IPv4 address inside an IPv4-compatible (<c>::a.b.c.d</c>), IPv4-translated (<c>::ffff:0:a.b.c.d</c>), NAT64
    /// (<c>64:ff9b::a.b.c.d</c>) or 6to4 (<c>2002:aabb:ccdd::</c>) address; null for any other. IPv4-mapped addresses are mapped before.
    /// </summary>
    private static IPAddress? EmbeddedIPv4(byte[] b)
    {
        var zeros = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0);
        if (zeros < 0) return new IPAddress(b.AsSpan(12, 4));
        if (zeros == 8 && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0) return new IPAddress(b.AsSpan(12, 4));
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0) return new IPAddress(b.AsSpan(12, 4));
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b.AsSpan(2, 4));
        return null;
    }

    /// <summary>The connection step of the webhook HTTP client: resolves the host and connects only to allowed addresses.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, WebhookOptions options, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = options.AllowPrivateNetworks ? addresses : addresses.Where(a => !IsPrivate(a)).ToArray();
        if (allowed.Length == 0)
            throw new HttpRequestException($"refused: '{host}' resolves only to loopback or private addresses ({string.Join(", ", addresses.Select(a => a.ToString()))})");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
