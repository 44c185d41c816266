using Kiln.Proofs.Fr32;

namespace Kiln.Proofs.Tests.Fr32;

public class Fr32StreamTests
{
    [Theory]
    [InlineData(127 * 64, 1)]
    [InlineData(127 * 64, 7)]
    [InlineData(127 * 200, 4096)]
    [InlineData(127 * 3, 128)]
    public void PadStream_of_whole_blocks_equals_Pad(int length, int readSize)
    {
        var input = new byte[length];
        new Random(length + readSize).NextBytes(input);
        var expected = new byte[length / 127 * 128];
        Fr32Padding.Pad(input, expected);

        using var stream = new Fr32PadStream(new TricklingStream(input, 13));
        var actual = ReadAll(stream, readSize);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(32)]
    [InlineData(100)]
    [InlineData(126)]
    [InlineData(127 + 64)]
    [InlineData((127 * 64) + 5)]
    public void PadStream_partial_last_block_emits_whole_elements(int length)
    {
        var input = new byte[length];
        new Random(length).NextBytes(input);

        using var stream = new Fr32PadStream(new MemoryStream(input));
        var actual = ReadAll(stream, 1000);

        Assert.Equal(Fr32Padding.PaddedLength(length), actual.Length);
        Assert.Equal(Fr32PaddingTests.ReferencePad(input), actual);
    }

    [Fact]
    public async Task PadStream_async_reads_equal_sync_reads()
    {
        var input = new byte[(127 * 70) + 40];
        new Random(3).NextBytes(input);

        await using var stream = new Fr32PadStream(new MemoryStream(input));
        var buffer = new byte[333];
        using var collected = new MemoryStream();
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            collected.Write(buffer, 0, n);
        }

        Assert.Equal(Fr32PaddingTests.ReferencePad(input), collected.ToArray());
        Assert.Equal(collected.Length, stream.Position);
    }

    [Theory]
    [InlineData(127 * 100)]
    [InlineData(500)]
    [InlineData(33)]
    public void UnpadStream_round_trips_with_a_length(int length)
    {
        var input = new byte[length];
        new Random(length).NextBytes(input);
        var padded = ReadAll(new Fr32PadStream(new MemoryStream(input)), 4096);

        using var unpad = new Fr32UnpadStream(new TricklingStream(padded, 29), length);
        var back = ReadAll(unpad, 77);

        Assert.Equal(input, back);
    }

    [Fact]
    public void UnpadStream_without_a_length_yields_whole_blocks()
    {
        var input = new byte[127 * 5];
        new Random(5).NextBytes(input);
        var padded = new byte[128 * 5];
        Fr32Padding.Pad(input, padded);

        var back = ReadAll(new Fr32UnpadStream(new MemoryStream(padded)), 64);

        Assert.Equal(input, back);
    }

    private static byte[] ReadAll(Stream stream, int readSize)
    {
        using var output = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        return output.ToArray();
    }

    /// <summary>Returns at most <c>max</c> bytes per read, to exercise refills that straddle blocks.</summary>
    private sealed class TricklingStream(byte[] data, int max) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, max));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, max)]);
    }
}
