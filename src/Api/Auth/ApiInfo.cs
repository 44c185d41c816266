using System.Globalization;

namespace Kiln.Api.Auth;

/// <summary>
/// A lotus API-info string, <c>TOKEN:MULTIADDR</c> (Lotus cli/util/apiinfo.go <c>ParseApiInfo</c>): the text before the first
/// <c>:</c> is the token unless the string starts with <c>/</c> or that <c>:</c> is followed by <c>//</c>
/// (a bare URL). Multiaddrs dial as <c>ws://host:port/rpc/v0</c> (<c>wss</c> with <c>/wss</c> or <c>/tls</c>);
/// <see cref="HttpUrl"/> gives the http(s) form lotus workers use.
/// </summary>
public sealed record ApiInfo(string? Token, string Address)
{
    /// <summary>Worker → miner (lotus-worker, lotus CLI).</summary>
    public const string MinerEnvironmentVariable = "MINER_API_INFO";

    /// <summary>Deprecated alias of <see cref="MinerEnvironmentVariable"/>.</summary>
    public const string StorageEnvironmentVariable = "STORAGE_API_INFO";

    /// <summary>lotus-worker CLI → worker.</summary>
    public const string WorkerEnvironmentVariable = "WORKER_API_INFO";

    public const string FullNodeEnvironmentVariable = "FULLNODE_API_INFO";

    public static ApiInfo Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || text.StartsWith('/') || text.AsSpan(colon + 1).StartsWith("//", StringComparison.Ordinal))
        {
            return new ApiInfo(null, text);
        }

        return new ApiInfo(text[..colon], text[(colon + 1)..]);
    }

    /// <summary>The miner's API info from <c>MINER_API_INFO</c>, else <c>STORAGE_API_INFO</c>; null when neither is set.</summary>
    public static ApiInfo? ForMiner(Func<string, string?> environment) =>
        FromVariables(environment, MinerEnvironmentVariable, StorageEnvironmentVariable);

    public static ApiInfo? FromVariables(Func<string, string?> environment, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var name in names)
        {
            if (environment(name) is { Length: > 0 } value)
            {
                return Parse(value);
            }
        }

        return null;
    }

    /// <summary>lotus <c>DialArgs</c>: a multiaddr becomes <c>ws[s]://host:port/rpc/{version}</c>; a URL gets <c>/rpc/{version}</c> appended.</summary>
    public Uri DialUrl(string version = "v0")
    {
        if (!Address.StartsWith('/'))
        {
            return new Uri(Address.TrimEnd('/') + "/rpc/" + version);
        }

        var (host, port, secure) = ParseMultiaddr(Address);
        return new Uri((secure ? "wss" : "ws") + "://" + host + ":" + port.ToString(CultureInfo.InvariantCulture) + "/rpc/" + version);
    }

    /// <summary><see cref="DialUrl"/> with ws → http and wss → https, for HTTP-only clients (lotus <c>StorageMinerUseHttp</c>).</summary>
    public Uri HttpUrl(string version = "v0")
    {
        var dial = DialUrl(version);
        var scheme = dial.Scheme switch
        {
            "ws" => "http",
            "wss" => "https",
            _ => dial.Scheme,
        };
        return new UriBuilder(dial) { Scheme = scheme, Port = dial.Port }.Uri;
    }

    /// <summary><c>Authorization</c> header value, or null without a token.</summary>
    public string? AuthorizationHeader => string.IsNullOrEmpty(Token) ? null : "Bearer " + Token;

    public override string ToString() => Token is null ? Address : Token + ":" + Address;

    /// <summary>Host, port and TLS of <c>/ip4|ip6|dns|dns4|dns6/…/tcp/…[/http|/https|/ws|/wss|/tls]</c>.</summary>
    internal static (string Host, int Port, bool Secure) ParseMultiaddr(string multiaddr)
    {
        var parts = multiaddr.Split('/');
        string? host = null;
        int? port = null;
        var secure = false;
        for (var i = 1; i < parts.Length; i++)
        {
            switch (parts[i])
            {
                case "ip4" or "dns" or "dns4" or "dns6" when i + 1 < parts.Length:
                    host = parts[++i];
                    break;
                case "ip6" when i + 1 < parts.Length:
                    host = "[" + parts[++i] + "]";
                    break;
                case "tcp" when i + 1 < parts.Length && int.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535:
                    port = p;
                    i++;
                    break;
                case "wss" or "tls" or "https":
                    secure = true;
                    break;
                case "http" or "ws" or "":
                    break;
                default:
                    throw new FormatException($"unsupported multiaddr component '{parts[i]}' in '{multiaddr}'");
            }
        }

        if (host is null || port is null)
        {
            throw new FormatException($"multiaddr '{multiaddr}' has no host and tcp port");
        }

        return (host, port.Value, secure);
    }
}
