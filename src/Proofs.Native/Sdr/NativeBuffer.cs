using System.Buffers;
using System.Runtime.InteropServices;

namespace Kiln.Proofs.Sdr;

/// <summary>A page-aligned native allocation exposed as <see cref="Memory{T}"/> (freed on dispose).</summary>
internal sealed unsafe class NativeBuffer : MemoryManager<byte>
{
    private const nuint Alignment = 4096;

    private byte* _pointer;
    private readonly int _length;

    public NativeBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        _length = length;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, Alignment);
    }

    public byte* Pointer => _pointer;

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return new Span<byte>(_pointer, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
