using System.Numerics;
using System.Text.Json;
using Kiln.Api.Chain;
using Kiln.Api.Types;

namespace Kiln.Api.Tests.Chain;

/// <summary>
/// go-state-types big/int.go (<c>Bytes</c>, <c>FromBytes</c>, <c>MarshalCBOR</c>, <c>MarshalJSON</c>) and Lotus
/// chain/types/fil.go (<c>FIL.String</c>, <c>ParseFIL</c>).
/// </summary>
public sealed class TokenAmountTests
{
    [Theory]
    [InlineData("0", "40")] // zero: an empty byte string
    [InlineData("1", "42" + "00" + "01")] // 2 bytes: sign 0 (positive), magnitude 01
    [InlineData("-1", "42" + "01" + "01")] // sign 1 (negative)
    [InlineData("234", "42" + "00" + "ea")]
    [InlineData("256", "43" + "00" + "0100")]
    [InlineData("1000000000000000000", "49" + "00" + "0de0b6b3a7640000")] // 1 FIL = 10^18 attoFIL, 8-byte magnitude
    public void Cbor_is_sign_byte_and_big_endian_magnitude(string atto, string hex)
    {
        var amount = new TokenAmount(BigInteger.Parse(atto, System.Globalization.CultureInfo.InvariantCulture));
        var w = ChainCbor.NewWriter();
        ChainCbor.WriteBigInt(w, amount);
        Assert.Equal(hex, Convert.ToHexStringLower(w.Encode()));
        Assert.Equal(amount, ChainCbor.ReadBigInt(ChainCbor.NewReader(Convert.FromHexString(hex))));
    }

    [Fact]
    public void Cbor_refuses_a_bad_sign_byte_an_oversized_value_and_another_major_type()
    {
        var e = Assert.Throws<FormatException>(() => ChainCbor.ReadBigInt(ChainCbor.NewReader(Convert.FromHexString("420201"))));
        Assert.Equal("big.Int: big int prefix should be either 0 or 1, got 0x02", e.Message);
        e = Assert.Throws<FormatException>(() => ChainCbor.ReadBigInt(ChainCbor.NewReader((byte[])[0x58, 129, .. new byte[129]])));
        Assert.Equal("big.Int: byte string of 129 bytes is longer than the limit of 128", e.Message);
        e = Assert.Throws<FormatException>(() => ChainCbor.ReadBigInt(ChainCbor.NewReader(Convert.FromHexString("1864"))));
        Assert.Equal("big.Int: expected a byte string, found an unsigned integer", e.Message);
    }

    [Theory]
    [InlineData("0 FIL")]
    [InlineData("1 FIL")]
    [InlineData("1.001 FIL")]
    [InlineData("100.10001 FIL")]
    [InlineData("101100 FIL")]
    [InlineData("5000.01 FIL")]
    [InlineData("5000 FIL")]
    public void Fil_text_round_trips_as_lotus_TestFilRoundTrip(string text)
    {
        Assert.Equal(text, TokenAmount.Parse(text).ToString());
    }

    [Theory]
    [InlineData("0.5", "500000000000000000")]
    [InlineData("0.5 FIL", "500000000000000000")]
    [InlineData("0.5fil", "500000000000000000")]
    [InlineData("-1.5 FIL", "-1500000000000000000")]
    [InlineData("12 attoFIL", "12")]
    [InlineData("12 aFIL", "12")]
    [InlineData("0.000000000000000001", "1")]
    [InlineData(".5", "500000000000000000")]
    public void Parse_follows_lotus_ParseFIL(string text, string atto)
    {
        Assert.Equal(atto, TokenAmount.Parse(text).Atto.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("5 nFIL", "unrecognized suffix \" nFIL\"")]
    [InlineData("1e3", "unrecognized suffix \"e3\"")]
    [InlineData("0.0000000000000000001", "fraction of an attoFIL")]
    [InlineData("1.5 attoFIL", "invalid attoFIL value")]
    [InlineData("", "is not a decimal number")]
    [InlineData("1.2.3", "is not a decimal number")]
    [InlineData("123456789012345678901234567890123456789012345678901", "string length too large: 51")]
    public void Parse_refuses_what_lotus_refuses(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => TokenAmount.Parse(text));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void String_is_fil_with_up_to_18_decimals()
    {
        Assert.Equal("0 FIL", TokenAmount.Zero.ToString());
        Assert.Equal("0.000000000000000001 FIL", new TokenAmount(1).ToString());
        Assert.Equal("-0.25 FIL", new TokenAmount(-250_000_000_000_000_000).ToString());
        Assert.Equal("1234567.89 FIL", TokenAmount.FromFil(1234567.89m).ToString());
    }

    [Fact]
    public void FromFil_is_exact_or_refuses()
    {
        Assert.Equal(new TokenAmount(500_000_000_000_000_000), TokenAmount.FromFil(0.5m));
        Assert.Equal(new TokenAmount(-1), TokenAmount.FromFil(-0.000000000000000001m));
        Assert.Throws<ArgumentException>(() => TokenAmount.FromFil(0.0000000000000000001m));
    }

    [Fact]
    public void Arithmetic_and_ordering()
    {
        var a = new TokenAmount(10);
        var b = new TokenAmount(3);
        Assert.Equal(new TokenAmount(13), a + b);
        Assert.Equal(new TokenAmount(7), a - b);
        Assert.Equal(new TokenAmount(30), a * 3);
        Assert.True(b < a && a > b && a >= new TokenAmount(10) && b <= a);
        Assert.Equal(1, a.CompareTo(b));
    }

    [Fact]
    public void Json_is_a_decimal_string_of_attofil()
    {
        Assert.Equal("\"-12\"", JsonSerializer.Serialize(new TokenAmount(-12), ApiJson.Options));
        Assert.Equal("\"0\"", JsonSerializer.Serialize(TokenAmount.Zero, ApiJson.Options));
        Assert.Equal(new TokenAmount(BigInteger.Pow(10, 30)), JsonSerializer.Deserialize<TokenAmount>("\"1000000000000000000000000000000\"", ApiJson.Options));
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TokenAmount>("12", ApiJson.Options));
        Assert.Contains("decimal string", e.Message, StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TokenAmount>("\"1 FIL\"", ApiJson.Options));
    }
}
