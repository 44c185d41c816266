using System.Text.Json;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Proofs.Hashing;

namespace Kiln.Api.Tests.Chain;

/// <summary>
/// go-address: text, bytes and CBOR. The vectors are go-address address_test.go's (TestVectorsIDAddress,
/// TestVectorSecp256k1Address, TestVectorActorAddress, TestVectorBLSAddress, TestDelegatedAddress,
/// TestInvalidStringAddresses, TestInvalidByteAddresses, TestIDMax, TestTrailingBits).
/// </summary>
public sealed class AddressTests
{
    [Theory]
    [InlineData(0UL, "t00")]
    [InlineData(1UL, "t01")]
    [InlineData(10UL, "t010")]
    [InlineData(150UL, "t0150")]
    [InlineData(499UL, "t0499")]
    [InlineData(1024UL, "t01024")]
    [InlineData(1729UL, "t01729")]
    [InlineData(999999UL, "t0999999")]
    [InlineData(9223372036854775807UL, "t09223372036854775807")]
    public void Id_addresses_match_go_address_vectors(ulong id, string text)
    {
        var address = Address.FromId(id, 't');
        Assert.Equal(text, address.ToString());
        var parsed = Address.Parse(text);
        Assert.Equal(AddressProtocol.Id, parsed.Protocol);
        Assert.Equal(id, parsed.Id);
        Assert.Equal('t', parsed.Network);
        Assert.Equal(address, Address.FromBytes(parsed.ToBytes()));
        Assert.Equal("f0" + text[2..], address.WithNetwork('f').ToString());
    }

    [Fact]
    public void Id_address_bytes_and_cbor_are_protocol_and_leb128()
    {
        // f01000: protocol 0x00, 1000 = LEB128 e8 07; CBOR byte string of 3 bytes: 0x43.
        Assert.Equal("00e807", Convert.ToHexStringLower(Address.FromId(1000).ToBytes()));
        Assert.Equal("4300e807", Convert.ToHexStringLower(Address.FromId(1000).ToCbor()));
        Assert.Equal("4300e807", Convert.ToHexStringLower(Address.Parse("f01000").ToCbor()));
        // The largest id, 2^63 − 1: nine LEB128 bytes ff…ff 7f.
        Assert.Equal("4a00ffffffffffffffff7f", Convert.ToHexStringLower(Address.FromId(long.MaxValue).ToCbor()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Address.FromId((ulong)long.MaxValue + 1));
        Assert.Throws<FormatException>(() => Address.Parse("t09223372036854775808"));
    }

    [Theory]
    [InlineData("049402fac37e6432a416a3a0ca5426b5185ab3b24f6134efa25ce487c82d2e4e13bf452511e0d2245421f8613bc10d72fa216666a96c3bc13920d3ff233fd0bc05", "t15ihq5ibzwki2b4ep2f46avlkrqzhpqgtga7pdrq")]
    [InlineData("047687b910379bf28cbe3aea674b12000c6b7dba46ffc05f6c94fe2a22bbcc2602ff7f5c76f21ca55d36959152b0e1e887917c393576eef093f61ebd3ad06f7fda", "t12fiakbhe2gwd5cnmrenekasyn6v5tnaxaqizq6a")]
    public void Secp256k1_addresses_match_go_address_vectors(string publicKeyHex, string text)
    {
        // go-address NewSecp256k1Address: the payload is blake2b-160 of the uncompressed public key.
        var publicKey = Convert.FromHexString(publicKeyHex);
        var payload = new byte[20];
        Blake2b.HashData(publicKey, payload);
        var address = Address.FromBytes([1, .. payload], 't');
        Assert.Equal(text, address.ToString());
        Assert.Equal(address, Address.Parse(text));
        Assert.Equal(AddressProtocol.Secp256k1, Address.Parse(text).Protocol);
        Assert.Equal("f" + text[1..], Address.Parse("f" + text[1..]).ToString());
    }

    [Theory]
    [InlineData(new byte[] { 118, 18, 129, 144, 205, 240, 104, 209, 65, 128, 68, 172, 192, 62, 11, 103, 129, 151, 13, 96 }, "t24vg6ut43yw2h2jqydgbg2xq7x6f4kub3bg6as6i")]
    [InlineData(new byte[] { 44, 175, 184, 226, 224, 107, 186, 152, 234, 101, 124, 92, 245, 244, 32, 35, 170, 35, 232, 142 }, "t25nml2cfbljvn4goqtclhifepvfnicv6g7mfmmvq")]
    [InlineData(new byte[] { 61, 58, 137, 232, 221, 171, 84, 120, 50, 113, 108, 109, 70, 140, 53, 96, 201, 244, 127, 216 }, "t2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y")]
    public void Actor_addresses_match_go_address_vectors(byte[] input, string text)
    {
        // go-address NewActorAddress: the payload is blake2b-160 of the input.
        var payload = new byte[20];
        Blake2b.HashData(input, payload);
        var address = Address.FromBytes([2, .. payload], 't');
        Assert.Equal(text, address.ToString());
        Assert.Equal(address, Address.Parse(text));
    }

    [Theory]
    [InlineData(
        new byte[] { 173, 88, 223, 105, 110, 45, 78, 145, 234, 134, 200, 129, 233, 56, 186, 78, 168, 27, 57, 94, 18, 121, 123, 132, 185, 207, 49, 75, 149, 70, 112, 94, 131, 156, 122, 153, 214, 6, 178, 71, 221, 180, 249, 172, 122, 52, 20, 221 },
        "t3vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss4a")]
    [InlineData(
        new byte[] { 179, 41, 79, 10, 46, 41, 224, 198, 110, 188, 35, 93, 47, 237, 202, 86, 151, 191, 120, 74, 246, 5, 199, 90, 246, 8, 230, 166, 61, 92, 211, 142, 168, 92, 168, 152, 158, 14, 253, 233, 24, 139, 56, 47, 147, 114, 70, 13 },
        "t3wmuu6crofhqmm3v4enos73okk2l366ck6yc4owxwbdtkmpk42ohkqxfitcpa57pjdcftql4tojda2poeruwa")]
    public void Bls_addresses_match_go_address_vectors(byte[] publicKey, string text)
    {
        var address = Address.FromBytes([3, .. publicKey], 't');
        Assert.Equal(text, address.ToString());
        var parsed = Address.Parse(text);
        Assert.Equal(AddressProtocol.Bls, parsed.Protocol);
        Assert.Equal(publicKey, parsed.ToBytes()[1..]);
        // CBOR: a 49-byte byte string, header 0x58 0x31.
        Assert.Equal("583103" + Convert.ToHexStringLower(publicKey), Convert.ToHexStringLower(parsed.ToCbor()));
        Assert.Equal(parsed, ChainCbor.ReadAddress(ChainCbor.NewReader(parsed.ToCbor())));
    }

    [Theory]
    [InlineData(32UL, "ffffffffff", "f432f77777777x32lpna")]
    [InlineData(9223372036854775807UL, "", "f49223372036854775807fiic6zsy")]
    public void Delegated_addresses_match_go_address_vectors(ulong ns, string subaddressHex, string text)
    {
        var address = Address.FromDelegated(ns, Convert.FromHexString(subaddressHex));
        Assert.Equal(text, address.ToString());
        var parsed = Address.Parse(text);
        Assert.Equal(AddressProtocol.Delegated, parsed.Protocol);
        Assert.Equal(address, parsed);
        Assert.Equal(address, Address.FromBytes(address.ToBytes()));
    }

    [Fact]
    public void Delegated_address_with_the_longest_subaddress_matches_go_address()
    {
        var address = Address.FromDelegated(long.MaxValue, new byte[54]);
        Assert.Equal("f49223372036854775807faaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaahwgiuam", address.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => Address.FromDelegated(1, new byte[55]));
    }

    [Theory]
    [InlineData("Q2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y", "unknown network 'Q'")]
    [InlineData("t5gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr23y", "unknown protocol '5'")]
    [InlineData("t2gfvuyh7v2sx3patm5k23wdzmhyhtmqctasbr24y", "invalid checksum")]
    [InlineData("t0banananananannnnnnnnn", "at most 19 digits")]
    [InlineData("t0banananananannnnnnn", "not a decimal number")]
    [InlineData("t2gfvuyh7v2sx3patm1k23wdzmhyhtmqctasbr24y", "'1' at position 16 is not in the base32 alphabet")]
    [InlineData("t2gfvuyh7v2sx3paTm1k23wdzmhyhtmqctasbr24y", "'T' at position 14 is not in the base32 alphabet")]
    [InlineData("t2", "3 to 115 characters")]
    [InlineData("t0", "3 to 115 characters")]
    [InlineData("t1234q", "carries 20 payload + 4 checksum bytes")]
    [InlineData("f1xpbyy4tkdx5si2bgo37dubc2xwv6fum5tk57mid", "non-zero trailing bits")]
    [InlineData("f432f77777777y32lpna", "invalid checksum")]
    [InlineData("f432", "no 'f' after the namespace")]
    public void Invalid_text_is_refused_with_the_reason(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Address.Parse(text));
        Assert.Contains($"invalid address '{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.False(Address.TryParse(text, out var none));
        Assert.False(none.IsDefined);
    }

    [Fact]
    public void Trailing_bits_vector_good_string_parses()
    {
        Assert.Equal("f1xpbyy4tkdx5si2bgo37dubc2xwv6fum5tk57mia", Address.Parse("f1xpbyy4tkdx5si2bgo37dubc2xwv6fum5tk57mia").ToString());
    }

    [Theory]
    [InlineData("050404", "unknown protocol 5")]
    [InlineData("00", "an ID address has no payload")]
    [InlineData("0080", "minimal unsigned LEB128")]
    [InlineData("008000", "minimal unsigned LEB128")]
    [InlineData("00ffffffffffffffffff01", "minimal unsigned LEB128")]
    [InlineData("01" + "0000000000000000000000000000000000000000" + "00", "payload is 20 bytes, got 21")]
    [InlineData("02" + "00000000000000000000000000000000000000", "payload is 20 bytes, got 19")]
    [InlineData("03" + "00", "a BLS payload is 48 bytes, got 1")]
    [InlineData("04ff", "namespace must be a minimal unsigned LEB128")]
    [InlineData("", "empty")]
    public void Invalid_bytes_are_refused_with_the_reason(string hex, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Address.FromBytes(Convert.FromHexString(hex)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delegated_subaddress_over_54_bytes_is_refused()
    {
        var e = Assert.Throws<FormatException>(() => Address.FromBytes([4, 0, .. new byte[55]]));
        Assert.Contains("sub-address is at most 54 bytes, got 55", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equality_ignores_the_network_letter_as_go_does()
    {
        Assert.Equal(Address.Parse("f01000"), Address.Parse("t01000"));
        Assert.Equal(Address.Parse("f01000").GetHashCode(), Address.Parse("t01000").GetHashCode());
        Assert.NotEqual(Address.Parse("f01000"), Address.Parse("f01001"));
        Assert.Equal("t01000", Address.Parse("t01000").ToString());
    }

    [Fact]
    public void Undefined_address_prints_empty_and_does_not_marshal_to_cbor()
    {
        Address undef = default;
        Assert.False(undef.IsDefined);
        Assert.Equal("<empty>", undef.ToString());
        Assert.Throws<InvalidOperationException>(() => undef.ToCbor());
        Assert.Throws<InvalidOperationException>(() => Address.Parse("f1xpbyy4tkdx5si2bgo37dubc2xwv6fum5tk57mia").Id);
    }

    [Fact]
    public void Json_is_the_text()
    {
        var address = Address.Parse("t3vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss4a");
        var json = JsonSerializer.Serialize(address, ApiJson.Options);
        Assert.Equal("\"t3vvmn62lofvhjd2ugzca6sof2j2ubwok6cj4xxbfzz4yuxfkgobpihhd2thlanmsh3w2ptld2gqkn2jvlss4a\"", json);
        Assert.Equal(address, JsonSerializer.Deserialize<Address>(json, ApiJson.Options));
        Assert.Equal("\"<empty>\"", JsonSerializer.Serialize(default(Address), ApiJson.Options));
        Assert.False(JsonSerializer.Deserialize<Address>("\"<empty>\"", ApiJson.Options).IsDefined);
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Address>("\"f9xyz\"", ApiJson.Options));
        Assert.Contains("unknown protocol '9'", e.Message, StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Address>("1000", ApiJson.Options));
    }

    [Fact]
    public void Cbor_refuses_a_text_string_and_trailing_garbage_inside_the_bytes()
    {
        // go-address UnmarshalCBOR reads a byte string: a text string "f01000" (0x66 …) is refused.
        var e = Assert.Throws<FormatException>(() => ChainCbor.ReadAddress(ChainCbor.NewReader(Convert.FromHexString("66663031303030"))));
        Assert.Equal("address: expected a byte string, found a text string", e.Message);
        e = Assert.Throws<FormatException>(() => ChainCbor.ReadAddress(ChainCbor.NewReader(Convert.FromHexString("4400e80700"))));
        Assert.Contains("minimal unsigned LEB128", e.Message, StringComparison.Ordinal);
    }
}
