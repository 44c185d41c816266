using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kiln.Api.Auth;

/// <summary>
/// Lotus API tokens (Lotus node/impl/common/common.go <c>AuthNew</c> / <c>AuthVerify</c>): HS256 JWTs, header <c>{"alg":"HS256","typ":"JWT"}</c>,
/// payload <c>{"Allow":[…]}</c>, base64url without padding. Kiln may add the registered JWT claim <c>exp</c> (seconds
/// since the Unix epoch); when present it is honoured, and Lotus nodes, which ignore it, still accept the token.
/// </summary>
public static class LotusToken
{
    /// <summary>What the verification error of an expired token says (the authenticator answers it with a body).</summary>
    public const string ExpiredMarker = "token expired";

    /// <summary>The header segment every lotus token starts with.</summary>
    public const string HeaderSegment = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

    /// <summary>Signs <c>{"Allow":permissions}</c> (and <c>"exp"</c> when <paramref name="expires"/> is given) with the HMAC secret.</summary>
    public static string Create(ReadOnlySpan<byte> secret, IEnumerable<string> permissions, DateTimeOffset? expires = null)
    {
        ArgumentNullException.ThrowIfNull(permissions);
        using var payload = new MemoryStream();
        using (var w = new Utf8JsonWriter(payload))
        {
            w.WriteStartObject();
            w.WriteStartArray("Allow"u8);
            foreach (var p in permissions)
            {
                w.WriteStringValue(p);
            }

            w.WriteEndArray();
            if (expires is { } exp)
            {
                w.WriteNumber("exp"u8, exp.ToUnixTimeSeconds());
            }

            w.WriteEndObject();
        }

        var signingInput = HeaderSegment + "." + Base64Url.EncodeToString(payload.ToArray());
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput), mac);
        return signingInput + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>Checks the signature (and the <c>exp</c> claim when there is one) and returns the token's <c>Allow</c> list.</summary>
    /// <exception cref="AuthVerificationException">Malformed token, wrong algorithm, bad signature or expired.</exception>
    public static IReadOnlyList<string> Verify(ReadOnlySpan<byte> secret, string token, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(token);
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second < 0 || token.IndexOf('.', second + 1) >= 0)
        {
            throw new AuthVerificationException("jwt: malformed token");
        }

        byte[] header, payload, signature;
        try
        {
            header = Base64Url.DecodeFromChars(token.AsSpan(0, first));
            payload = Base64Url.DecodeFromChars(token.AsSpan(first + 1, second - first - 1));
            signature = Base64Url.DecodeFromChars(token.AsSpan(second + 1));
        }
        catch (FormatException ex)
        {
            throw new AuthVerificationException("jwt: " + ex.Message, ex);
        }

        try
        {
            using var h = JsonDocument.Parse(header);
            if (!h.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256")
            {
                throw new AuthVerificationException("jwt: \"alg\" field mismatch");
            }
        }
        catch (JsonException ex)
        {
            throw new AuthVerificationException("jwt: " + ex.Message, ex);
        }

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(token, 0, second), mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, signature))
        {
            throw new AuthVerificationException("jwt: HMAC verification failed");
        }

        try
        {
            using var p = JsonDocument.Parse(payload);
            if (p.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new AuthVerificationException("jwt: payload is not an object");
            }

            IReadOnlyList<string> allow = [];
            foreach (var prop in p.RootElement.EnumerateObject())
            {
                if (string.Equals(prop.Name, "Allow", StringComparison.OrdinalIgnoreCase))
                {
                    allow = prop.Value.ValueKind == JsonValueKind.Null
                        ? []
                        : [.. prop.Value.EnumerateArray().Select(e => e.GetString() ?? "")];
                }
                else if (prop.NameEquals("exp"u8))
                {
                    CheckExpiry(prop.Value, (time ?? TimeProvider.System).GetUtcNow());
                }
            }

            return allow;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new AuthVerificationException("jwt: " + ex.Message, ex);
        }
    }

    /// <summary>RFC 7519 <c>exp</c>: the token is refused at and after that second.</summary>
    private static void CheckExpiry(JsonElement exp, DateTimeOffset now)
    {
        if (exp.ValueKind != JsonValueKind.Number || !exp.TryGetDouble(out var seconds) || double.IsNaN(seconds))
        {
            throw new AuthVerificationException("jwt: \"exp\" is not a number of seconds");
        }

        if (now.ToUnixTimeSeconds() >= seconds)
        {
            var at = seconds >= DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds((long)Math.Max(seconds, DateTimeOffset.MinValue.ToUnixTimeSeconds()));
            throw new AuthVerificationException(
                $"jwt: {ExpiredMarker} at {at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)}: create a new one (kiln-miner auth create-token)");
        }
    }
}
