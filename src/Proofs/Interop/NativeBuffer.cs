using System.Buffers;
using System.Runtime.InteropServices;

namespace Kiln.Proofs.Interop;

/// <summary>
/// A page-aligned block of native memory (layers, trees, hashing chunks): never on the GC heap,
/// freed on Dispose. Buffers above 2 GiB are reached through <see cref="Pointer"/> and
/// <see cref="Slice"/>; smaller ones also as one span or <see cref="Memory{T}"/>. A buffer may also
/// stand for memory mapped by someone else (a hugepage file, <see cref="Wrap"/>), released through its owner.
/// </summary>
public sealed unsafe partial class NativeBuffer : IDisposable
{
    private const nuint PageAlignment = 4096;

    /// <summary>Buffers this large are 2 MiB aligned and advised to use transparent huge pages (random parent reads miss the TLB far less).</summary>
    private const ulong HugePageSize = 2 << 20;

    private const int MadvHugePage = 14;
    private byte* _pointer;
    private Manager? _manager;
    private IDisposable? _owner;

    public NativeBuffer(ulong length, bool zero = false)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        Length = length;
        var huge = length >= HugePageSize;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, huge ? (nuint)HugePageSize : PageAlignment);
        if (huge && OperatingSystem.IsLinux())
        {
            // Advisory only: where THP is off or unsupported the buffer keeps 4 KiB pages.
            _ = madvise(_pointer, (nuint)(length & ~(HugePageSize - 1)), MadvHugePage);
        }

        if (zero)
        {
            NativeMemory.Clear(_pointer, (nuint)length);
        }
    }

    public NativeBuffer(int length)
        : this(checked((ulong)length))
    {
    }

    private NativeBuffer(byte* pointer, ulong length, IDisposable owner)
    {
        _pointer = pointer;
        Length = length;
        _owner = owner;
    }

    public ulong Length { get; }

    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return _pointer;
        }
    }

    /// <summary>The whole buffer as <see cref="Memory{T}"/> (buffers up to 2 GiB).</summary>
    public Memory<byte> Memory => (_manager ??= new Manager(this)).Memory;

    /// <summary>The whole buffer as a span (buffers up to 2 GiB).</summary>
    public Span<byte> GetSpan() => new(Pointer, checked((int)Length));

    /// <summary>A span over [offset, offset + length).</summary>
    public Span<byte> Slice(ulong offset, int length)
    {
        if (length < 0 || offset + (ulong)length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset));
        }

        return new Span<byte>(Pointer + offset, length);
    }

    /// <summary>
    /// A buffer over memory that <paramref name="owner"/> keeps alive (a file mapping); disposing the buffer
    /// disposes the owner instead of freeing the memory.
    /// </summary>
    public static NativeBuffer Wrap(byte* pointer, ulong length, IDisposable owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfZero(length);
        if (pointer == null)
        {
            throw new ArgumentNullException(nameof(pointer));
        }

        return new NativeBuffer(pointer, length, owner);
    }

    public void Dispose()
    {
        if (_pointer == null)
        {
            return;
        }

        if (_owner is { } owner)
        {
            _owner = null;
            owner.Dispose();
        }
        else
        {
            NativeMemory.AlignedFree(_pointer);
        }

        _pointer = null;
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int madvise(void* address, nuint length, int advice);

    private sealed class Manager(NativeBuffer owner) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => owner.GetSpan();

        public override MemoryHandle Pin(int elementIndex = 0) => new(owner.Pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
