using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Kiln.Proofs.Fr32;

/// <summary>
/// Fr32 padding: every 254 bits of data become one 32-byte little-endian field element whose two top
/// bits are zero, so 127 unpadded bytes become 128 padded bytes. Bits are taken LSB-first within each
/// byte, bytes in order (the 127-byte block is one 1016-bit little-endian integer).
/// </summary>
public static class Fr32Padding
{
    /// <summary>Bytes in one unpadded block (four 254-bit units).</summary>
    public const int UnpaddedBlockSize = 127;

    /// <summary>Bytes in one padded block (four 32-byte elements).</summary>
    public const int PaddedBlockSize = 128;

    private const ulong Low62 = 0x3FFF_FFFF_FFFF_FFFFUL;

    /// <summary>
    /// Pads whole blocks: <paramref name="unpadded"/> must be a multiple of 127 bytes and
    /// <paramref name="padded"/> must hold unpadded.Length / 127 · 128 bytes.
    /// </summary>
    public static void Pad(ReadOnlySpan<byte> unpadded, Span<byte> padded)
    {
        if (unpadded.Length % UnpaddedBlockSize != 0)
        {
            throw new ArgumentException($"unpadded length {unpadded.Length} is not a whole number of 127-byte blocks", nameof(unpadded));
        }

        var blocks = unpadded.Length / UnpaddedBlockSize;
        if (padded.Length < blocks * PaddedBlockSize)
        {
            throw new ArgumentException($"padded buffer holds {padded.Length} bytes, {blocks * PaddedBlockSize} needed", nameof(padded));
        }

        for (var b = 0; b < blocks; b++)
        {
            PadBlock(unpadded.Slice(b * UnpaddedBlockSize, UnpaddedBlockSize), padded.Slice(b * PaddedBlockSize, PaddedBlockSize));
        }
    }

    /// <summary>
    /// Unpads whole blocks: <paramref name="padded"/> must be a multiple of 128 bytes and
    /// <paramref name="unpadded"/> must hold padded.Length / 128 · 127 bytes. The two top bits of each
    /// element are ignored.
    /// </summary>
    public static void Unpad(ReadOnlySpan<byte> padded, Span<byte> unpadded)
    {
        if (padded.Length % PaddedBlockSize != 0)
        {
            throw new ArgumentException($"padded length {padded.Length} is not a whole number of 128-byte blocks", nameof(padded));
        }

        var blocks = padded.Length / PaddedBlockSize;
        if (unpadded.Length < blocks * UnpaddedBlockSize)
        {
            throw new ArgumentException($"unpadded buffer holds {unpadded.Length} bytes, {blocks * UnpaddedBlockSize} needed", nameof(unpadded));
        }

        for (var b = 0; b < blocks; b++)
        {
            UnpadBlock(padded.Slice(b * PaddedBlockSize, PaddedBlockSize), unpadded.Slice(b * UnpaddedBlockSize, UnpaddedBlockSize));
        }
    }

    /// <summary>
    /// Bytes rust's Fr32Reader emits for <paramref name="unpaddedLength"/> input bytes: 128 per whole
    /// block, and for a partial last block one 32-byte element per started 254 bits.
    /// </summary>
    public static long PaddedLength(long unpaddedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unpaddedLength);
        var whole = unpaddedLength / UnpaddedBlockSize;
        var rest = unpaddedLength % UnpaddedBlockSize;
        return (whole * PaddedBlockSize) + (ElementsForPartialBlock((int)rest) * 32L);
    }

    /// <summary>
    /// Unpadded bytes carried by <paramref name="paddedLength"/> padded bytes: 127 per whole block and,
    /// for a partial last block, the whole bytes held by its data bits.
    /// </summary>
    public static long UnpaddedLength(long paddedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(paddedLength);
        var whole = paddedLength / PaddedBlockSize;
        var rest = paddedLength % PaddedBlockSize;
        var bits = ((rest / 32) * 254) + Math.Min((rest % 32) * 8, 254);
        return (whole * UnpaddedBlockSize) + (bits / 8);
    }

    /// <summary>Elements (32 bytes each) emitted for a partial block of 0..127 bytes: ceil(bytes·8/254).</summary>
    internal static int ElementsForPartialBlock(int bytes) => ((bytes * 8) + 253) / 254;

    /// <summary>Pads one 127-byte block into 128 bytes, working on 64-bit words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void PadBlock(ReadOnlySpan<byte> input, Span<byte> output)
    {
        input = input[..UnpaddedBlockSize];
        output = output[..PaddedBlockSize];

        var x0 = BinaryPrimitives.ReadUInt64LittleEndian(input);
        var x1 = BinaryPrimitives.ReadUInt64LittleEndian(input[8..]);
        var x2 = BinaryPrimitives.ReadUInt64LittleEndian(input[16..]);
        var x3 = BinaryPrimitives.ReadUInt64LittleEndian(input[24..]);
        var x4 = BinaryPrimitives.ReadUInt64LittleEndian(input[32..]);
        var x5 = BinaryPrimitives.ReadUInt64LittleEndian(input[40..]);
        var x6 = BinaryPrimitives.ReadUInt64LittleEndian(input[48..]);
        var x7 = BinaryPrimitives.ReadUInt64LittleEndian(input[56..]);
        var x8 = BinaryPrimitives.ReadUInt64LittleEndian(input[64..]);
        var x9 = BinaryPrimitives.ReadUInt64LittleEndian(input[72..]);
        var x10 = BinaryPrimitives.ReadUInt64LittleEndian(input[80..]);
        var x11 = BinaryPrimitives.ReadUInt64LittleEndian(input[88..]);
        var x12 = BinaryPrimitives.ReadUInt64LittleEndian(input[96..]);
        var x13 = BinaryPrimitives.ReadUInt64LittleEndian(input[104..]);
        var x14 = BinaryPrimitives.ReadUInt64LittleEndian(input[112..]);
        // Bytes 120..126: read the 8 bytes ending at 126 and drop byte 119.
        var x15 = BinaryPrimitives.ReadUInt64LittleEndian(input[119..]) >> 8;

        // Element 0: bits 0..254.
        BinaryPrimitives.WriteUInt64LittleEndian(output, x0);
        BinaryPrimitives.WriteUInt64LittleEndian(output[8..], x1);
        BinaryPrimitives.WriteUInt64LittleEndian(output[16..], x2);
        BinaryPrimitives.WriteUInt64LittleEndian(output[24..], x3 & Low62);

        // Element 1: bits 254..508 (word 3, shift 62).
        BinaryPrimitives.WriteUInt64LittleEndian(output[32..], (x3 >> 62) | (x4 << 2));
        BinaryPrimitives.WriteUInt64LittleEndian(output[40..], (x4 >> 62) | (x5 << 2));
        BinaryPrimitives.WriteUInt64LittleEndian(output[48..], (x5 >> 62) | (x6 << 2));
        BinaryPrimitives.WriteUInt64LittleEndian(output[56..], ((x6 >> 62) | (x7 << 2)) & Low62);

        // Element 2: bits 508..762 (word 7, shift 60).
        BinaryPrimitives.WriteUInt64LittleEndian(output[64..], (x7 >> 60) | (x8 << 4));
        BinaryPrimitives.WriteUInt64LittleEndian(output[72..], (x8 >> 60) | (x9 << 4));
        BinaryPrimitives.WriteUInt64LittleEndian(output[80..], (x9 >> 60) | (x10 << 4));
        BinaryPrimitives.WriteUInt64LittleEndian(output[88..], ((x10 >> 60) | (x11 << 4)) & Low62);

        // Element 3: bits 762..1016 (word 11, shift 58).
        BinaryPrimitives.WriteUInt64LittleEndian(output[96..], (x11 >> 58) | (x12 << 6));
        BinaryPrimitives.WriteUInt64LittleEndian(output[104..], (x12 >> 58) | (x13 << 6));
        BinaryPrimitives.WriteUInt64LittleEndian(output[112..], (x13 >> 58) | (x14 << 6));
        BinaryPrimitives.WriteUInt64LittleEndian(output[120..], ((x14 >> 58) | (x15 << 6)) & Low62);
    }

    /// <summary>Unpads one 128-byte block into 127 bytes, working on 64-bit words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void UnpadBlock(ReadOnlySpan<byte> input, Span<byte> output)
    {
        input = input[..PaddedBlockSize];
        output = output[..UnpaddedBlockSize];

        var a0 = BinaryPrimitives.ReadUInt64LittleEndian(input);
        var a1 = BinaryPrimitives.ReadUInt64LittleEndian(input[8..]);
        var a2 = BinaryPrimitives.ReadUInt64LittleEndian(input[16..]);
        var a3 = BinaryPrimitives.ReadUInt64LittleEndian(input[24..]) & Low62;
        var b0 = BinaryPrimitives.ReadUInt64LittleEndian(input[32..]);
        var b1 = BinaryPrimitives.ReadUInt64LittleEndian(input[40..]);
        var b2 = BinaryPrimitives.ReadUInt64LittleEndian(input[48..]);
        var b3 = BinaryPrimitives.ReadUInt64LittleEndian(input[56..]) & Low62;
        var c0 = BinaryPrimitives.ReadUInt64LittleEndian(input[64..]);
        var c1 = BinaryPrimitives.ReadUInt64LittleEndian(input[72..]);
        var c2 = BinaryPrimitives.ReadUInt64LittleEndian(input[80..]);
        var c3 = BinaryPrimitives.ReadUInt64LittleEndian(input[88..]) & Low62;
        var d0 = BinaryPrimitives.ReadUInt64LittleEndian(input[96..]);
        var d1 = BinaryPrimitives.ReadUInt64LittleEndian(input[104..]);
        var d2 = BinaryPrimitives.ReadUInt64LittleEndian(input[112..]);
        var d3 = BinaryPrimitives.ReadUInt64LittleEndian(input[120..]) & Low62;

        var x14 = (d2 >> 6) | (d3 << 58);
        var x15 = d3 >> 6;

        BinaryPrimitives.WriteUInt64LittleEndian(output, a0);
        BinaryPrimitives.WriteUInt64LittleEndian(output[8..], a1);
        BinaryPrimitives.WriteUInt64LittleEndian(output[16..], a2);
        BinaryPrimitives.WriteUInt64LittleEndian(output[24..], a3 | (b0 << 62));
        BinaryPrimitives.WriteUInt64LittleEndian(output[32..], (b0 >> 2) | (b1 << 62));
        BinaryPrimitives.WriteUInt64LittleEndian(output[40..], (b1 >> 2) | (b2 << 62));
        BinaryPrimitives.WriteUInt64LittleEndian(output[48..], (b2 >> 2) | (b3 << 62));
        BinaryPrimitives.WriteUInt64LittleEndian(output[56..], (b3 >> 2) | (c0 << 60));
        BinaryPrimitives.WriteUInt64LittleEndian(output[64..], (c0 >> 4) | (c1 << 60));
        BinaryPrimitives.WriteUInt64LittleEndian(output[72..], (c1 >> 4) | (c2 << 60));
        BinaryPrimitives.WriteUInt64LittleEndian(output[80..], (c2 >> 4) | (c3 << 60));
        BinaryPrimitives.WriteUInt64LittleEndian(output[88..], (c3 >> 4) | (d0 << 58));
        BinaryPrimitives.WriteUInt64LittleEndian(output[96..], (d0 >> 6) | (d1 << 58));
        BinaryPrimitives.WriteUInt64LittleEndian(output[104..], (d1 >> 6) | (d2 << 58));
        BinaryPrimitives.WriteUInt64LittleEndian(output[112..], x14);
        // Bytes 119..126: byte 119 is the top byte of x14, then the 7 bytes of x15.
        BinaryPrimitives.WriteUInt64LittleEndian(output[119..], (x15 << 8) | (x14 >> 56));
    }
}
