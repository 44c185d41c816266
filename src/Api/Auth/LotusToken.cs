using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kiln.Api.Auth;

/// <summary>
/// Lotus API tokens (lotus-protocol.md §2.1): HS256 JWTs, header <c>{"alg":"HS256","typ":"JWT"}</c>,
/// payload <c>{"Allow":[…]}</c> and nothing else, base64url without padding.
/// </summary>
public static class LotusToken
{
    /// <summary>The header segment every lotus token starts with.</summary>
    public const string HeaderSegment = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

    /// <summary>Signs <c>{"Allow":permissions}</c> with the HMAC secret.</summary>
    public static string Create(ReadOnlySpan<byte> secret, IEnumerable<string> permissions)
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
            w.WriteEndObject();
        }

        var signingInput = HeaderSegment + "." + Base64Url.EncodeToString(payload.ToArray());
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput), mac);
        return signingInput + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>Checks the signature and returns the token's <c>Allow</c> list.</summary>
    /// <exception cref="AuthVerificationException">Malformed token, wrong algorithm or bad signature.</exception>
    public static IReadOnlyList<string> Verify(ReadOnlySpan<byte> secret, string token)
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

            foreach (var prop in p.RootElement.EnumerateObject())
            {
                if (string.Equals(prop.Name, "Allow", StringComparison.OrdinalIgnoreCase))
                {
                    return prop.Value.ValueKind == JsonValueKind.Null
                        ? []
                        : [.. prop.Value.EnumerateArray().Select(e => e.GetString() ?? "")];
                }
            }

            return [];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new AuthVerificationException("jwt: " + ex.Message, ex);
        }
    }
}
