using Kiln.Api.IO;
namespace Kiln.Testing;

/// <summary>
/// <see cref="Length"/> pseudo-random bytes made on the fly (xorshift64* from a seed), so large pushes need no
/// memory; <see cref="FailAfter"/> makes a read past that many bytes throw, as a cut connection.
/// </summary>
public sealed class GeneratedStream(long length, ulong seed, long failAfter = long.MaxValue) : ForwardReadStream
{
    private ulong _state = seed | 1;
    private long _position;

    public override long Length { get; } = length;

    public long FailAfter { get; } = failAfter;

    public override long Position => _position;

    public override int Read(Span<byte> buffer)
    {
        if (_position >= FailAfter)
        {
            throw new IOException($"generated stream cut at {_position} bytes");
        }

        var n = (int)Math.Min(Math.Min(buffer.Length, Length - _position), FailAfter - _position);
        n &= ~7; // whole words keep the sequence independent of read sizes
        if (n == 0 && Length - _position > 0)
        {
            n = (int)Math.Min(Math.Min(Length - _position, 8), buffer.Length);
            Span<byte> word = stackalloc byte[8];
            Fill(word);
            word[..n].CopyTo(buffer);
            _position += n;
            return n;
        }

        Fill(buffer[..n]);
        _position += n;
        return n;
    }

    private void Fill(Span<byte> words)
    {
        var w = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(words);
        for (var i = 0; i < w.Length; i++)
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            w[i] = _state * 0x2545F4914F6CDD1DUL;
        }
    }
}
