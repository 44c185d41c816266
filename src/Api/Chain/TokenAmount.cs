using System.Globalization;
using System.Numerics;
using System.Text.Json.Serialization;
using Kiln.Api.Chain.Json;

namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types <c>big.Int</c> / <c>abi.TokenAmount</c> in attoFIL (10^-18 FIL). JSON: decimal string. CBOR
/// (go-state-types big/int.go <c>MarshalCBOR</c>): a byte string, empty for 0, else sign byte (0 +, 1 −) ‖ big-endian magnitude.
/// </summary>
[JsonConverter(typeof(TokenAmountJsonConverter))]
public readonly record struct TokenAmount(BigInteger Atto) : IComparable<TokenAmount>
{
    /// <summary>go-state-types <c>BigIntMaxSerializedLen</c>: the longest CBOR byte string a big.Int decodes from.</summary>
    internal const int MaxSerializedLength = 128;

    /// <summary>Lotus <c>buildconstants.FilecoinPrecision</c>: attoFIL per FIL.</summary>
    private static readonly BigInteger FilecoinPrecision = BigInteger.Pow(10, 18);

    /// <summary>0 attoFIL.</summary>
    public static TokenAmount Zero => default;

    /// <summary>An amount in FIL.</summary>
    /// <exception cref="ArgumentException">The amount has a fraction of an attoFIL (more than 18 decimals).</exception>
    public static TokenAmount FromFil(decimal fil)
    {
        var bits = decimal.GetBits(fil);
        var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        BigInteger atto;
        if (scale <= 18)
        {
            atto = mantissa * BigInteger.Pow(10, 18 - scale);
        }
        else
        {
            atto = BigInteger.DivRem(mantissa, BigInteger.Pow(10, scale - 18), out var remainder);
            if (!remainder.IsZero)
            {
                throw new ArgumentException($"{fil} FIL has a fraction of an attoFIL", nameof(fil));
            }
        }

        return new TokenAmount(negative ? -atto : atto);
    }

    /// <summary>
    /// Lotus <c>types.ParseFIL</c>: a decimal number, optionally followed by a unit: none or <c>FIL</c> for FIL,
    /// <c>attoFIL</c> or <c>aFIL</c> for attoFIL (case-insensitive, spaces allowed before it): "0.5", "0.5 FIL", "12 attoFIL".
    /// </summary>
    /// <exception cref="FormatException">Another unit, not a decimal number, more than 50 digits, or a fraction of an attoFIL.</exception>
    public static TokenAmount Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var numberLength = 0;
        while (numberLength < text.Length && (char.IsAsciiDigit(text[numberLength]) || text[numberLength] is '-' or '.'))
        {
            numberLength++;
        }

        var number = text[..numberLength];
        var suffix = text[numberLength..];
        var atto = false;
        switch (suffix.Trim().ToLowerInvariant())
        {
            case "":
            case "fil":
                break;
            case "attofil":
            case "afil":
                atto = true;
                break;
            default:
                throw new FormatException($"invalid FIL amount '{text}': unrecognized suffix \"{suffix}\" (FIL, attoFIL or aFIL)");
        }

        if (number.Length > 50)
        {
            throw new FormatException($"invalid FIL amount '{text}': string length too large: {number.Length}");
        }

        if (!TryParseDecimal(number, out var mantissa, out var decimals))
        {
            throw new FormatException($"invalid FIL amount '{text}': \"{number}\" is not a decimal number");
        }

        var exponent = (atto ? 0 : 18) - decimals;
        if (exponent >= 0)
        {
            return new TokenAmount(mantissa * BigInteger.Pow(10, exponent));
        }

        var value = BigInteger.DivRem(mantissa, BigInteger.Pow(10, -exponent), out var remainder);
        return remainder.IsZero
            ? new TokenAmount(value)
            : throw new FormatException($"invalid FIL amount '{text}': invalid {(atto ? "atto" : "")}FIL value: \"{number}\" is a fraction of an attoFIL");
    }

    /// <summary>Lotus <c>types.FIL String()</c>: the amount in FIL, up to 18 decimals, trailing zeros trimmed: "0.5 FIL", "0 FIL".</summary>
    public override string ToString()
    {
        if (Atto.IsZero)
        {
            return "0 FIL";
        }

        var whole = BigInteger.DivRem(BigInteger.Abs(Atto), FilecoinPrecision, out var fraction);
        var text = whole.ToString(CultureInfo.InvariantCulture);
        if (!fraction.IsZero)
        {
            text += "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0').TrimEnd('0');
        }

        return (Atto.Sign < 0 ? "-" : "") + text + " FIL";
    }

    /// <summary>Orders by attoFIL.</summary>
    public int CompareTo(TokenAmount other) => Atto.CompareTo(other.Atto);

    /// <summary>go-state-types <c>big.Int Bytes()</c>: empty for 0, else sign byte (0 +, 1 −) ‖ big-endian magnitude.</summary>
    public byte[] ToBytes()
    {
        if (Atto.IsZero)
        {
            return [];
        }

        var magnitude = BigInteger.Abs(Atto).ToByteArray(isUnsigned: true, isBigEndian: true);
        return [(byte)(Atto.Sign < 0 ? 1 : 0), .. magnitude];
    }

    /// <summary>go-state-types <c>big.FromBytes</c>: empty is 0; the first byte is the sign (0 or 1), the rest the magnitude.</summary>
    /// <exception cref="FormatException">The sign byte is neither 0 nor 1.</exception>
    public static TokenAmount FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return Zero;
        }

        if (bytes[0] > 1)
        {
            throw new FormatException($"big int prefix should be either 0 or 1, got 0x{bytes[0]:x2}");
        }

        var magnitude = new BigInteger(bytes[1..], isUnsigned: true, isBigEndian: true);
        return new TokenAmount(bytes[0] == 1 ? -magnitude : magnitude);
    }

    public static TokenAmount operator +(TokenAmount a, TokenAmount b) => new(a.Atto + b.Atto);

    public static TokenAmount operator -(TokenAmount a, TokenAmount b) => new(a.Atto - b.Atto);

    public static TokenAmount operator *(TokenAmount a, long n) => new(a.Atto * n);

    public static bool operator <(TokenAmount a, TokenAmount b) => a.Atto < b.Atto;

    public static bool operator >(TokenAmount a, TokenAmount b) => a.Atto > b.Atto;

    public static bool operator <=(TokenAmount a, TokenAmount b) => a.Atto <= b.Atto;

    public static bool operator >=(TokenAmount a, TokenAmount b) => a.Atto >= b.Atto;

    // big.Rat SetString over what ParseFIL leaves: an optional '-', digits with at most one '.', at least one digit.
    private static bool TryParseDecimal(string number, out BigInteger mantissa, out int decimals)
    {
        mantissa = BigInteger.Zero;
        decimals = 0;
        var start = number.StartsWith('-') ? 1 : 0;
        var dot = number.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? number[start..] : number[start..dot] + number[(dot + 1)..];
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        decimals = dot < 0 ? 0 : number.Length - dot - 1;
        mantissa = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (start == 1)
        {
            mantissa = -mantissa;
        }

        return true;
    }
}
