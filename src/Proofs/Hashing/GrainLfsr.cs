using Kiln.Proofs.Fields;

namespace Kiln.Proofs.Hashing;

/// <summary>
/// The Grain LFSR of the Poseidon reference scripts (<c>generate_constants</c>, as neptune runs it):
/// an 80-bit register seeded from the instance parameters, run in self-shrinking mode, read as
/// 255-bit big-endian candidates of which those below p become round constants in order.
/// </summary>
internal sealed class GrainLfsr
{
    private const int FieldSizeBits = 255;

    // Bit i holds s[i]; s[0] is the oldest bit.
    private UInt128 _state;

    /// <summary>
    /// Seeds the register (each field most significant bit first): field = 1 (prime field, 2 bits),
    /// S-box = 1 (4 bits, what neptune passes although its S-box is x^5), field size 255 (12 bits),
    /// width t (12 bits), full rounds (10 bits), partial rounds (10 bits), then 30 one bits; and
    /// discards the first 160 output bits.
    /// </summary>
    public GrainLfsr(int width, int fullRounds, int partialRounds)
    {
        var position = 0;
        Append(1, 2, ref position);
        Append(1, 4, ref position);
        Append(FieldSizeBits, 12, ref position);
        Append((ulong)width, 12, ref position);
        Append((ulong)fullRounds, 10, ref position);
        Append((ulong)partialRounds, 10, ref position);
        Append((1UL << 30) - 1, 30, ref position);
        for (var i = 0; i < 160; i++)
        {
            Step();
        }
    }

    /// <summary>The (fullRounds + partialRounds)·width round constants of a Poseidon instance.</summary>
    public static Fr[] RoundConstants(int width, int fullRounds, int partialRounds)
    {
        var grain = new GrainLfsr(width, fullRounds, partialRounds);
        var constants = new Fr[(fullRounds + partialRounds) * width];
        Span<byte> bigEndian = stackalloc byte[Fr.ByteLength];
        Span<byte> littleEndian = stackalloc byte[Fr.ByteLength];
        for (var i = 0; i < constants.Length; i++)
        {
            Fr value;
            do
            {
                grain.NextCandidate(bigEndian);
                bigEndian.CopyTo(littleEndian);
                littleEndian.Reverse();
            }
            while (!Fr.TryFromBytes(littleEndian, out value));

            constants[i] = value;
        }

        return constants;
    }

    /// <summary>255 output bits, most significant first: 7 bits in byte 0, then 8 in each of the other 31.</summary>
    private void NextCandidate(Span<byte> bigEndian)
    {
        for (var i = 0; i < bigEndian.Length; i++)
        {
            var bits = i == 0 ? FieldSizeBits % 8 : 8;
            var b = 0;
            for (var k = 0; k < bits; k++)
            {
                b = (b << 1) | NextBit();
            }

            bigEndian[i] = (byte)b;
        }
    }

    /// <summary>Self-shrinking: draw pairs until the first bit is 1, output the second.</summary>
    private int NextBit()
    {
        while (true)
        {
            var first = Step();
            var second = Step();
            if (first == 1)
            {
                return second;
            }
        }
    }

    /// <summary>new = s62 ⊕ s51 ⊕ s38 ⊕ s23 ⊕ s13 ⊕ s0; the register shifts and takes new as s79.</summary>
    private int Step()
    {
        var s = _state;
        var bit = (int)(((s >> 62) ^ (s >> 51) ^ (s >> 38) ^ (s >> 23) ^ (s >> 13) ^ s) & 1);
        _state = (s >> 1) | ((UInt128)(uint)bit << 79);
        return bit;
    }

    private void Append(ulong value, int bits, ref int position)
    {
        for (var i = bits - 1; i >= 0; i--)
        {
            _state |= (UInt128)((value >> i) & 1) << position;
            position++;
        }
    }
}
