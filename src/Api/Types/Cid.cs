using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;
using Kiln.Proofs.Multiformats;

namespace Kiln.Api.Types;

/// <summary>
/// A go-cid <c>cid.Cid</c> carried in its string form (<c>baga6ea4sea...</c>, <c>bagboea4b5abc...</c>, <c>bafy...</c>).
/// JSON: <c>{"/":"&lt;cid&gt;"}</c>; the default value is Go's undefined <c>cid.Undef</c>, written as <c>null</c>.
/// Only the multibase text is checked here; decoding the bytes is the business of whoever uses the commitment.
/// </summary>
[JsonConverter(typeof(CidJsonConverter))]
public readonly record struct Cid
{
    private readonly string? _value;

    private Cid(string value) => _value = value;

    /// <summary>Go's <c>cid.Undef</c>.</summary>
    public static Cid Undef => default;

    /// <summary>False for <see cref="Undef"/>.</summary>
    public bool IsDefined => _value is not null;

    /// <summary>The CID text, or "" when undefined.</summary>
    public override string ToString() => _value ?? "";

    /// <summary>
    /// go-cid <c>Cid.Bytes()</c>: the binary CID the text encodes (CIDv1: version ‖ codec ‖ multihash; a CIDv0 is its
    /// bare multihash).
    /// </summary>
    /// <exception cref="FormatException">The CID is <see cref="Undef"/> or its text does not decode.</exception>
    public byte[] ToBytes() => TryGetBytes(out var bytes, out var error) ? bytes : throw new FormatException(error);

    /// <summary><see cref="ToBytes"/> without the exception: false, with the reason, for <see cref="Undef"/> or text that does not decode.</summary>
    public bool TryGetBytes([NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        if (_value is null)
        {
            bytes = null;
            error = "cid is undefined (cid.Undef): it has no bytes";
            return false;
        }

        if (Multibase.TryDecode(_value, out bytes, out var decodeError))
        {
            error = null;
            return true;
        }

        error = $"invalid cid '{_value}': {decodeError}";
        return false;
    }

    /// <summary>go-cid <c>Cast</c> of CIDv1 bytes, written as go-cid writes a CIDv1: base32 lower-case (<c>b…</c>).</summary>
    /// <exception cref="FormatException">The bytes are not a CIDv1 (they do not start with version 1).</exception>
    public static Cid FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes[0] != 1)
        {
            throw new FormatException($"not CIDv1 bytes: they start with {(bytes.IsEmpty ? "nothing" : $"0x{bytes[0]:x2}")}, a CIDv1 with version 0x01");
        }

        return new Cid(Multibase.EncodeBase32Lower(bytes));
    }

    /// <summary>Accepts a CIDv1 in base32 (<c>b...</c>, <c>B...</c>) or base58btc (<c>z...</c>), or a CIDv0 (<c>Qm...</c>, 46 characters).</summary>
    /// <exception cref="FormatException">Not CID text in one of those encodings.</exception>
    public static Cid Parse(string text) =>
        TryParse(text, out var cid) ? cid : throw new FormatException($"invalid cid '{text}': {Problem(text)}");

    public static bool TryParse(string? text, out Cid cid)
    {
        cid = default;
        if (text is null || Problem(text) is not null)
        {
            return false;
        }

        cid = new Cid(text);
        return true;
    }

    private static string? Problem(string? text)
    {
        const string Base32Lower = "abcdefghijklmnopqrstuvwxyz234567";
        const string Base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        const string Base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        if (string.IsNullOrEmpty(text))
        {
            return "empty";
        }

        if (text.Length == 46 && text.StartsWith("Qm", StringComparison.Ordinal))
        {
            return AllIn(text, 0, Base58) ? null : "not base58";
        }

        if (text.Length < 8)
        {
            return "too short";
        }

        return text[0] switch
        {
            'b' => AllIn(text, 1, Base32Lower) ? null : "not base32",
            'B' => AllIn(text, 1, Base32Upper) ? null : "not base32",
            'z' => AllIn(text, 1, Base58) ? null : "not base58btc",
            _ => $"unsupported multibase prefix '{text[0]}'",
        };
    }

    private static bool AllIn(string text, int start, string alphabet)
    {
        for (var i = start; i < text.Length; i++)
        {
            if (!alphabet.Contains(text[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
