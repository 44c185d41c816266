using Kiln.Api.Chain;
using Kiln.Api.Types;

namespace Kiln.Api.Tests.Chain;

/// <summary>
/// go-bitfield <c>MarshalCBOR</c>: a byte string of the RLE+ encoding (rlepluslazy: 2-bit version 0, the first run's
/// bit, then runs "1" for 1, "01" + 4 bits for 2–15, "00" + LEB128 for more, bits packed least significant first).
/// The expected bytes are built by hand from that layout.
/// </summary>
public sealed class BitFieldCborTests
{
    public static TheoryData<ulong[], string> Vectors => new()
    {
        // Empty: an empty byte string.
        { [], "40" },
        // {0}: bits 00 (version), 1 (first run set), 1 (run of 1) → 0b1100 = 0x0c.
        { [0], "41" + "0c" },
        // {2,3,4}: 00, 0 (first run unset), 01 + 0010 (2 unset), 01 + 0011 (3 set)
        // → bit 4 and 6 in byte 0 (0x50), bits 10–12 in byte 1 (0x1c).
        { [2, 3, 4], "42" + "501c" },
        // {0…19}: 00, 1, 00 + LEB128 20 (0x14) → byte 0 = bit 2 | bit 7 = 0x84, byte 1 = bit 9 = 0x02.
        { [.. Enumerable.Range(0, 20).Select(i => (ulong)i)], "42" + "8402" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Bitfields_encode_as_rle_plus_byte_strings(ulong[] members, string hex)
    {
        var bits = BitField.FromSet(members);
        var w = ChainCbor.NewWriter();
        ChainCbor.WriteBitField(w, bits);
        Assert.Equal(hex, Convert.ToHexStringLower(w.Encode()));
        Assert.Equal(bits, ChainCbor.ReadBitField(ChainCbor.NewReader(Convert.FromHexString(hex))));
    }

    [Fact]
    public void Bitfield_decoding_refuses_another_type_and_another_version()
    {
        var e = Assert.Throws<FormatException>(() => ChainCbor.ReadBitField(ChainCbor.NewReader(Convert.FromHexString("80"))));
        Assert.Equal("bitfield: expected a byte string, found an array", e.Message);
        e = Assert.Throws<FormatException>(() => ChainCbor.ReadBitField(ChainCbor.NewReader(Convert.FromHexString("4101"))));
        Assert.StartsWith("bitfield: invalid RLE+: ", e.Message, StringComparison.Ordinal);
    }
}
